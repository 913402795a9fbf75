#include "rds/aurora_class_hint.hpp"

#include <array>

#include "drsynth/rds/aurora_engine.hpp"

namespace drsynth::rds::detail {

std::string aurora_class_hint(std::string_view instance_class) {
  // "db.<family>.<size>"
  const auto first = instance_class.find('.');
  const auto second = first == std::string_view::npos ? std::string_view::npos : instance_class.find('.', first + 1);
  if (second == std::string_view::npos) return aurora_instance_classes_summary();
  const std::string family(instance_class.substr(0, second));
  constexpr std::array<std::string_view, 12> sizes{"medium",   "large",    "xlarge",   "2xlarge",  "4xlarge",  "8xlarge",
                                                   "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge", "metal"};
  std::string offered;
  for (const auto size : sizes) {
    const std::string c = family + "." + std::string(size);
    if (is_aurora_postgres_instance_class(c)) offered += (offered.empty() ? "" : ", ") + c;
  }
  if (offered.empty()) return "Aurora PostgreSQL offers no " + family + " class; " + aurora_instance_classes_summary();
  return "Aurora PostgreSQL offers " + family + " only as " + offered;
}

}  // namespace drsynth::rds::detail
