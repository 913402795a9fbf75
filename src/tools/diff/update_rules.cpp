#include "tools/diff/update_rules.hpp"

#include <algorithm>

namespace drsynth::detail {

namespace {
// The table is sorted by (type, property) by its generator.
bool less(const UpdateRule& r, std::pair<std::string_view, std::string_view> key) {
  return r.type != key.first ? r.type < key.first : r.property < key.second;
}
}  // namespace

const UpdateRule* find_update_rule(std::string_view type, std::string_view property_path) noexcept {
  const UpdateRule* begin = update_rules;
  const UpdateRule* end = update_rules + update_rule_count;
  // The property itself, then each enclosing property: "A/B/C", "A/B", "A".
  std::string_view p = property_path;
  while (!p.empty()) {
    const UpdateRule* it = std::lower_bound(begin, end, std::pair{type, p}, less);
    if (it != end && it->type == type && it->property == p) return it;
    const auto slash = p.rfind('/');
    if (slash == std::string_view::npos) break;
    p = p.substr(0, slash);
  }
  return nullptr;
}

bool known_resource_type(std::string_view type) noexcept {
  return std::binary_search(update_rule_types, update_rule_types + update_rule_type_count, type);
}

std::string describe(const UpdateRule& rule) {
  std::string out;
  if (rule.schema == "createOnly")
    out = "createOnly in the resource schema";
  else if (rule.schema == "conditionalCreateOnly")
    out = "conditionalCreateOnly in the resource schema";
  if (!rule.guide.empty()) {
    if (!out.empty()) out += "; ";
    out += "CloudFormation User Guide: \"Update requires: ";
    out += rule.guide_text;
    out += '"';
  }
  return out;
}

}  // namespace drsynth::detail
