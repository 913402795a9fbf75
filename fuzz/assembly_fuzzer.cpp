// libFuzzer target: bytes as the files of a previous assembly on disk
// ("<manifest.json>\0<template>\0<tree.json>\0<marker>"), read back by
// read_assembly() (the bounded reader: caps, depth, artifacts, kept stacks)
// and, when it is accepted, compared both ways with an assembly synthesized in
// memory. Anything but a drsynth::Error is a finding. Build: scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

namespace {

std::string_view part(std::string_view& rest) {
  const auto nul = rest.find('\0');
  const std::string_view head = rest.substr(0, nul);
  rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
  return head;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static drsynth::App app;
  static const drsynth::Assembly current = fuzz::synthesize_base(app, false);
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const auto& dir = fuzz::fresh_folder("drsynth-assembly-fuzz");
  fuzz::put(dir / "manifest.json", part(rest));
  fuzz::put(dir / "Base-dev.template.json", part(rest));
  fuzz::put(dir / "tree.json", part(rest));
  if (!rest.empty()) fuzz::put(dir / ".drsynth-assembly.json", part(rest));
  try {
    fuzz::compare(drsynth::read_assembly(dir), current);
  } catch (const drsynth::Error& e) {
    for (const auto& d : e.diagnostics()) (void)d.format();
  }
  return 0;
}
