#include "drsynth/core/cfn_mapping.hpp"

#include "drsynth/core/entry_writer.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth {

CfnMapping::CfnMapping(Construct& scope, std::string id, CfnMappingProps props)
    : CfnElement(scope, std::move(id)), props_(std::move(props)) {}

Value CfnMapping::find_in_map(Value top_level_key, Value second_level_key) const {
  return Value::fn("Fn::FindInMap",
                   Value(Value::Array{Value::name_of(*this), std::move(top_level_key), std::move(second_level_key)}));
}

void CfnMapping::write(EntryWriter& w) const {
  w.begin_entry();
  for (const auto& [key, attributes] : props_.mapping) {
    if (!w.member(key, true)) continue;
    w.begin_object();
    for (const auto& [name, value] : attributes)
      if (w.member(name)) w.value(value);
    w.end_object();
  }
  w.end_entry();
}

namespace {

bool valid_key(const std::string& k) {
  if (k.empty() || k.size() > 255) return false;
  for (const char c : k)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
      return false;
  return true;
}

bool literal(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::string:
    case Value::Kind::integer:
    case Value::Kind::number:
    case Value::Kind::boolean: return true;
    case Value::Kind::array:
      for (const auto& e : v.as_array())
        if (!e.is_string()) return false;
      return true;
    default: return false;
  }
}

}  // namespace

void CfnMapping::validate(Validation& v) const {
  if (props_.mapping.empty()) v.error(codes::E214, *this, "a mapping without entries", "{}", "at least one top-level key");
  for (const auto& [key, attributes] : props_.mapping) {
    if (!valid_key(key)) v.error(codes::E215, *this, "invalid mapping key", "\"" + key + "\"", "1-255 characters of A-Za-z0-9 - . _");
    if (attributes.empty())
      v.error(codes::E214, *this, "mapping entry " + key + " has no attributes", "{}", "at least one second-level key");
    for (const auto& [name, value] : attributes) {
      if (!valid_key(name))
        v.error(codes::E215, *this, "invalid mapping key", "\"" + key + "." + name + "\"", "1-255 characters of A-Za-z0-9 - . _");
      if (!literal(value))
        v.error(codes::E216, *this, "mapping value " + key + "." + name + " is not a literal", value.describe(),
                "a string, number, boolean or list of strings");
    }
  }
}

}  // namespace drsynth
