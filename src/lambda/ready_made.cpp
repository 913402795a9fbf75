#include "lambda/ready_made.hpp"

#include <filesystem>
#include <utility>

#include "core/char_rules.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::lambda::detail {

void use_handler(FunctionProps& p, const HandlerCode& code) {
  namespace fs = std::filesystem;
  const fs::path dir = runtime_dir();
  if (dir.empty()) {
    p.code_files = embedded_handler(code);
    return;
  }
  p.code_asset = dir / code.handler;
  for (const auto package : code.packages) {
    const fs::path root = dir / package;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
      if (!e.is_regular_file()) continue;
      const std::string rel = e.path().lexically_relative(root).generic_string();
      // Byte-code caches differ from machine to machine; they are not code.
      if (rel.find("__pycache__") != std::string::npos || rel.ends_with(".pyc")) continue;
      p.code_extra_files[std::string(package) + "/" + rel] = e.path();
    }
  }
  if (code.rds_ca) p.code_extra_files[std::string(rds_ca_bundle_name)] = dir / "probe" / rds_ca_bundle_name;
}

Value ssm_parameter_arn(const Stack& stack, const std::string& name, const std::string& region) {
  return stack.format_arn("ssm", name.starts_with("/") ? "parameter" + name : "parameter/" + name, region);
}

void check_parameter_name(Validation& v, const Construct& c, std::string_view what, const std::string& name) {
  if (name.empty()) return;
  if (!drsynth::detail::is_ssm_parameter_name(name) || name.starts_with("/aws") || name.starts_with("aws") ||
      name.starts_with("ssm") || name.starts_with("/ssm"))
    v.error(codes::E769, c, "invalid SSM parameter name for the " + std::string(what), "\"" + name + "\"",
            "[a-zA-Z0-9_.-/], not starting with aws or ssm");
}

}  // namespace drsynth::lambda::detail
