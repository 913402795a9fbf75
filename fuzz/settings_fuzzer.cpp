// libFuzzer target: bytes as a drsynth.json text and as -c values, through the
// same code the CLI uses (settings::load_text, settings::apply_argument), then
// the DR system built from those settings and synthesized in memory.
// Anything but a drsynth::Error is a finding. Build: scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drsynth/drsynth.hpp"
#include "settings_text.hpp"

namespace {

void synthesize_with(drsynth::AppProps props, std::string_view c_args) {
  props.read_environment = false;
  drsynth::App app(std::move(props));
  // Each line of the second part is one -c argument.
  while (!c_args.empty()) {
    const auto nl = c_args.find('\n');
    drsynth::settings::apply_argument(c_args.substr(0, nl), app);
    c_args = nl == std::string_view::npos ? std::string_view{} : c_args.substr(nl + 1);
  }
  drsynth::patterns::define_default_system(app);
  const auto assembly = drsynth::synthesize(app);
  (void)drsynth::deploy_script(assembly);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // "<settings file text>\0<-c lines>"; without a NUL all of it is the file.
  const auto split = input.find('\0');
  const std::string_view file = input.substr(0, split);
  const std::string_view args = split == std::string_view::npos ? std::string_view{} : input.substr(split + 1);
  try {
    drsynth::AppProps props;
    drsynth::settings::load_text(file, "drsynth.json", props);
    synthesize_with(std::move(props), args);
  } catch (const drsynth::Error& e) {
    for (const auto& d : e.diagnostics()) (void)d.format();
  }
  // The whole input as one -c value, too.
  try {
    synthesize_with({}, "environmentSuffix=" + std::string(file.substr(0, 200)));
  } catch (const drsynth::Error&) {
  }
  return 0;
}
