// libFuzzer target: bytes as a drsynth.json text, as CDK_CONTEXT_JSON and as
// -c values, through the settings module the CLI uses (settings::Context),
// then the DR system built from those settings and synthesized in memory.
// Anything but a drsynth::Error is a finding. Build: scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drsynth/drsynth.hpp"

namespace {

void synthesize_with(drsynth::settings::Context context, std::string_view c_args) {
  // Each line of the second part is one -c argument.
  while (!c_args.empty()) {
    const auto nl = c_args.find('\n');
    context.add_argument(c_args.substr(0, nl));
    c_args = nl == std::string_view::npos ? std::string_view{} : c_args.substr(nl + 1);
  }
  drsynth::App app({.context = std::move(context), .read_environment = false});
  drsynth::patterns::define_default_system(app);
  const auto assembly = drsynth::synthesize(app);
  (void)drsynth::deploy_script(assembly);
}

void formatted(const drsynth::Error& e) {
  for (const auto& d : e.diagnostics()) (void)d.format();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // "<settings file text>\0<-c lines>"; without a NUL all of it is the file.
  const auto split = input.find('\0');
  const std::string_view file = input.substr(0, split);
  const std::string_view args = split == std::string_view::npos ? std::string_view{} : input.substr(split + 1);
  try {
    drsynth::settings::Context context;
    context.add_file(file, "drsynth.json");
    synthesize_with(std::move(context), args);
  } catch (const drsynth::Error& e) {
    formatted(e);
  }
  // The same text as CDK_CONTEXT_JSON: the same scanner, so the same verdict.
  try {
    drsynth::settings::Context context;
    context.add_environment(file);
  } catch (const drsynth::Error& e) {
    formatted(e);
  }
  // The whole input as one -c value, too.
  try {
    synthesize_with({}, "environmentSuffix=" + std::string(file.substr(0, 200)));
  } catch (const drsynth::Error& e) {
    formatted(e);
  }
  return 0;
}
