#include "synth/interrupt.hpp"

#include <signal.h>

#include <array>
#include <atomic>
#include <mutex>

namespace drsynth::detail {

namespace {

constexpr std::array<int, 3> watched = {SIGINT, SIGTERM, SIGHUP};

// Written by the handler: a lock-free atomic is safe to touch there.
std::atomic<int> recorded{0};
static_assert(std::atomic<int>::is_always_lock_free);

// The installation, shared by nested or concurrent scopes.
std::mutex mutex;
int depth = 0;
std::array<struct sigaction, watched.size()> previous{};
std::array<bool, watched.size()> installed{};

extern "C" void on_signal(int sig) {
  int none = 0;
  if (recorded.compare_exchange_strong(none, sig)) return;
  // A second signal while cleaning up: stop cleaning and end now (a later
  // run removes what is left, it carries drsynth's marker).
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

InterruptScope::InterruptScope() {
  std::lock_guard lock(mutex);
  if (depth++ > 0) return;
  recorded = 0;
  for (std::size_t i = 0; i < watched.size(); ++i) {
    installed[i] = false;
    if (::sigaction(watched[i], nullptr, &previous[i]) != 0 || previous[i].sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    ::sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;  // a write() in progress completes; the check comes after it
    installed[i] = ::sigaction(watched[i], &sa, nullptr) == 0;
  }
}

InterruptScope::~InterruptScope() { restore_and_reraise(); }

int InterruptScope::pending() noexcept { return recorded.load(); }

void InterruptScope::restore_and_reraise() noexcept {
  if (restored_) return;
  restored_ = true;
  int sig = 0;
  {
    std::lock_guard lock(mutex);
    if (--depth > 0) return;
    for (std::size_t i = 0; i < watched.size(); ++i)
      if (installed[i]) ::sigaction(watched[i], &previous[i], nullptr);
    sig = recorded.exchange(0);
  }
  if (sig != 0) ::raise(sig);
}

void throw_if_interrupted() {
  if (recorded.load(std::memory_order_relaxed) != 0) throw WriteInterrupted{};
}

}  // namespace drsynth::detail
