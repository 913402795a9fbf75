// The thread pool of render() and write_assembly(): items taken in order
// from a shared counter, results in slots of their own, so the output does
// not depend on the schedule.
#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "synth/internal.hpp"

namespace drsynth::detail {

unsigned workers(std::size_t count, unsigned threads) noexcept {
  if (count < 16) return 1;  // starting threads costs more than a few items take
  // hardware_concurrency() reads /sys/devices/system/cpu/online each time.
  static const unsigned cores = std::clamp(std::thread::hardware_concurrency(), 1U, 8U);
  if (threads == 0) threads = cores;
  return static_cast<unsigned>(std::clamp<std::size_t>(std::min<std::size_t>(threads, count), 1, 8));
}

void parallel_for(std::size_t count, unsigned threads, const std::function<void(unsigned, std::size_t)>& fn) {
  const unsigned n = workers(count, threads);
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> failures(n);
  auto work = [&](unsigned worker) {
    try {
      for (std::size_t i = next++; i < count; i = next++) fn(worker, i);
    } catch (...) {
      failures[worker] = std::current_exception();
      next = count;  // the others stop after their current item
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(n - 1);
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  for (const auto& f : failures)
    if (f) std::rethrow_exception(f);
}

}  // namespace drsynth::detail
