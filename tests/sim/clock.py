"""Virtual time and cooperative tasks.

Everything in the simulator happens at a virtual time, ordered by
(time, sequence number): two runs with the same inputs take the same steps.
A *task* is one Lambda invocation (or an operator's command): it runs the
real handler code in a thread of its own, but only one task runs at a time.
A task gives control back whenever it sleeps (``time.sleep`` is virtual, and
every AWS call costs virtual time), so two invocations interleave call by
call, as they would on Lambda.

A task killed by its Lambda timeout is never resumed: like a frozen Lambda
execution environment it runs no ``finally`` block and releases nothing (its
thread stays parked until the process exits).
"""

import heapq
import io
import os
import sys
import threading

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z: the virtual epoch, minute aligned

REAL_SWITCH_TIMEOUT = 120.0  # real seconds a task may run without yielding before the simulator gives up


def value_at(history, t, default=None):
    """The value of a step history [(time, value), ...] (time-ordered) at time ``t``."""
    value = history[0][1] if history else default
    for when, v in history:
        if when > t:
            break
        value = v
    return value


class Killed(BaseException):
    """Raised inside a task that has been killed (never caught by ``except Exception``)."""


class Task:
    """One cooperative thread: a Lambda invocation or an operator's command."""

    def __init__(self, name, region=None, env=None, modules=None, function=None):
        self.name = name
        self.region = region          # the caller region of its AWS calls (None: the operator's laptop)
        self.env = env                # os.environ while it runs (None: leave os.environ alone)
        self.modules = modules or {}  # sys.modules entries of its execution environment
        self.function = function
        self.resume = threading.Event()
        self.killed = False
        self.done = False
        self.result = None
        self.error = None
        self.started = None
        self.ended = None
        self.stdout = io.StringIO()
        self.thread = None
        self.children = []        # tasks it started in parallel (killed with it)
        self.parent = None
        self._park = 0
        self.woken = False


class Clock:
    def __init__(self):
        self.now = float(T0)
        self._queue = []
        self._seq = 0
        self.current = None        # the task running now (None: the simulator itself)
        self._yielded = threading.Event()
        self._tasks = set()        # started, not finished, not killed
        self._saved_env = None
        self._saved_stdout = None

    # -- events ----------------------------------------------------------------
    def at(self, when, callback):
        self._seq += 1
        heapq.heappush(self._queue, (max(float(when), self.now), self._seq, callback))

    def after(self, delay, callback):
        self.at(self.now + max(float(delay), 0.0), callback)

    def run_until(self, end):
        while self._queue and self._queue[0][0] <= end:
            when, _, callback = heapq.heappop(self._queue)
            self.now = when
            callback()
        self.now = max(self.now, float(end))

    def pending_tasks(self):
        return [t for t in self._tasks if not t.done and not t.killed]

    # -- tasks -----------------------------------------------------------------
    def spawn(self, task, target, on_exit=None):
        """Start ``target()`` as ``task`` at the current time, from the simulator's loop."""

        def body():
            task.resume.wait()
            try:
                task.result = target()
            except Killed:
                pass
            except BaseException as exc:  # noqa: BLE001 - recorded, the simulator decides
                task.error = exc
            finally:
                if not task.killed:
                    task.done = True
                    task.ended = self.now
                    self._tasks.discard(task)
                    if on_exit is not None:
                        self.at(self.now, lambda: on_exit(task))
                    self._yielded.set()

        def start():
            if task.killed:
                return
            task.thread = threading.Thread(target=body, name=f"sim:{task.name}", daemon=True)
            task.started = self.now
            self._tasks.add(task)
            task.thread.start()
            self._switch_to(task)

        # always from the simulator's loop: a task that starts another (a synchronous Invoke) only queues it
        self.at(self.now, start)

    def _switch_to(self, task):
        if task.killed or task.done:
            return
        previous = self.current
        self._enter(task)
        self._yielded.clear()
        task.resume.set()
        if not self._yielded.wait(REAL_SWITCH_TIMEOUT):
            raise RuntimeError(f"task {task.name} did not yield within {REAL_SWITCH_TIMEOUT} real seconds "
                               "(blocked outside the simulator's clock?)")
        self._leave(task)
        self.current = previous

    def _enter(self, task):
        self.current = task
        if task.modules:
            sys.modules.update(task.modules)
        if task.env is not None:
            self._saved_env = dict(os.environ)
            os.environ.clear()
            os.environ.update(task.env)
        self._saved_stdout = sys.stdout
        sys.stdout = task.stdout

    def _leave(self, task):
        sys.stdout = self._saved_stdout
        if task.env is not None:
            os.environ.clear()
            os.environ.update(self._saved_env)

    def sleep(self, seconds):
        """Called from a task: give control back until now + seconds.  Elsewhere: no virtual wait."""
        task = self.current
        if task is None or threading.current_thread() is not task.thread:
            return
        if task.killed:
            raise Killed()
        task.resume.clear()
        self.after(max(float(seconds), 0.0), lambda: self._switch_to(task))
        self._yielded.set()
        task.resume.wait()
        if task.killed:
            raise Killed()

    def park(self, timeout):
        """Called from a task: give control back until ``wake(task)`` or ``timeout`` seconds; True when woken."""
        task = self.current
        if task is None or threading.current_thread() is not task.thread:
            raise RuntimeError("park() outside a task")
        if task.killed:
            raise Killed()
        task._park += 1
        token = task._park
        task.woken = False
        task.resume.clear()

        def timed_out():
            if task._park == token and not task.woken:
                task._park += 1
                self._switch_to(task)
        self.after(timeout, timed_out)
        self._yielded.set()
        task.resume.wait()
        if task.killed:
            raise Killed()
        return task.woken

    def wake(self, task):
        """Resume a parked task now (from the simulator's loop)."""
        token = task._park

        def resume():
            if task._park == token and not task.killed and not task.done:
                task.woken = True
                task._park += 1
                self._switch_to(task)
        self.at(self.now, resume)

    def kill(self, task):
        """A Lambda timeout or the loss of its region: the task never runs again."""
        if task.done or task.killed:
            return
        task.killed = True
        task.ended = self.now
        self._tasks.discard(task)
        for child in task.children:
            self.kill(child)

    def die(self):
        """Called from a killed task's own thread: give control back and never run again."""
        self._yielded.set()
        threading.Event().wait()

    def in_task(self):
        task = self.current
        return task is not None and threading.current_thread() is task.thread
