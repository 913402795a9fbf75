// SIGINT, SIGTERM and SIGHUP while an assembly is being written: the handler
// only records the signal; the writer threads look at the record between
// files, stop, remove their temporary folder, and the signal is then raised
// again with the previous disposition (the default one ends the process with
// the conventional status, 128 + signal: 130, 143, 129).
#pragma once

#include <filesystem>

namespace drsynth::detail {

// Thrown by throw_if_interrupted(); write_assembly turns it into cleanup.
struct WriteInterrupted {};

// Installs the handlers for its lifetime (nested scopes share one
// installation); signals the process ignores stay ignored.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // The signal recorded since the scope began, 0 when none.
  [[nodiscard]] static int pending() noexcept;
  // Puts the previous handlers back (the destructor does it too) and raises the
  // recorded signal, if any. Returns only when the previous disposition lets
  // the process live on (an embedding app's own handler).
  void restore_and_reraise() noexcept;

 private:
  bool restored_ = false;
};

// Throws WriteInterrupted when a signal has been recorded.
void throw_if_interrupted();

// For tests: called with each file's path just before it is written (nullptr: nothing).
inline void (*before_write_hook)(const std::filesystem::path&) = nullptr;

}  // namespace drsynth::detail
