#include "drsynth/core/value.hpp"

#include <nlohmann/json.hpp>

#include "drsynth/core/cfn_element.hpp"
#include "drsynth/core/error.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth {

std::string_view pseudo_name(Pseudo p) {
  switch (p) {
    case Pseudo::region: return "AWS::Region";
    case Pseudo::account_id: return "AWS::AccountId";
    case Pseudo::partition: return "AWS::Partition";
    case Pseudo::url_suffix: return "AWS::URLSuffix";
    case Pseudo::stack_name: return "AWS::StackName";
    case Pseudo::stack_id: return "AWS::StackId";
    case Pseudo::no_value: return "AWS::NoValue";
  }
  return "AWS::NoValue";
}

Value::Value() noexcept = default;
Value::Value(std::nullptr_t) noexcept {}
Value::Value(bool b) noexcept : data_(b) {}
Value::Value(int i) noexcept : data_(static_cast<std::int64_t>(i)) {}
Value::Value(long i) noexcept : data_(static_cast<std::int64_t>(i)) {}
Value::Value(long long i) noexcept : data_(static_cast<std::int64_t>(i)) {}
Value::Value(unsigned i) noexcept : data_(static_cast<std::int64_t>(i)) {}
Value::Value(unsigned long i) noexcept : data_(static_cast<std::int64_t>(i)) {}
Value::Value(double d) noexcept : data_(d) {}
Value::Value(const char* s) : data_(std::string(s)) {}
Value::Value(std::string s) noexcept : data_(std::move(s)) {}
Value::Value(std::string_view s) : data_(std::string(s)) {}
Value::Value(Array a) noexcept : data_(std::move(a)) {}
Value::Value(Object o) noexcept : data_(std::move(o)) {}
Value::Value(Data d) noexcept : data_(std::move(d)) {}
Value::Value(const Value& other) = default;
Value::Value(Value&& other) noexcept = default;
Value& Value::operator=(const Value& other) = default;
Value& Value::operator=(Value&& other) noexcept = default;
Value::~Value() = default;

Value Value::from_json(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return {};
    case nlohmann::json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: return Value(static_cast<std::int64_t>(j.get<std::uint64_t>()));
    case nlohmann::json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      Array a;
      a.reserve(j.size());
      for (const auto& e : j) a.push_back(from_json(e));
      return Value(std::move(a));
    }
    case nlohmann::json::value_t::object: {
      Object o;
      for (const auto& [k, v] : j.items()) o.emplace(k, from_json(v));
      return Value(std::move(o));
    }
    default: return {};
  }
}

Value Value::ref(const CfnElement& target) { return Value(Data(Reference{&target, {}})); }
Value Value::get_att(const CfnElement& target, std::string attribute) {
  return Value(Data(AttRef{{&target, std::move(attribute)}}));
}
Value Value::pseudo(Pseudo p) { return Value(Data(PseudoRef{p})); }
Value Value::name_of(const CfnElement& target) { return Value(Data(NameRef{{&target, {}}})); }
Value Value::fn(std::string name, Value argument) {
  return Value(Data(Function{std::move(name), Array{std::move(argument)}}));
}
Value Value::join(std::string delimiter, Array parts) {
  return fn("Fn::Join", Value(Array{Value(std::move(delimiter)), Value(std::move(parts))}));
}
Value Value::sub(std::string text, Object variables) {
  if (variables.empty()) return fn("Fn::Sub", Value(std::move(text)));
  return fn("Fn::Sub", Value(Array{Value(std::move(text)), Value(std::move(variables))}));
}
Value Value::select(int index, Value list) { return fn("Fn::Select", Value(Array{Value(index), std::move(list)})); }
Value Value::get_azs(Value region) { return fn("Fn::GetAZs", std::move(region)); }
Value Value::import_value(Value export_name) { return fn("Fn::ImportValue", std::move(export_name)); }
Value Value::get_stack_output(Value stack_name, Value output_name, Value region, std::optional<Value> role_arn) {
  Object o{{"StackName", std::move(stack_name)}, {"OutputName", std::move(output_name)}, {"Region", std::move(region)}};
  if (role_arn) o.emplace("RoleArn", std::move(*role_arn));
  return fn("Fn::GetStackOutput", Value(std::move(o)));
}

namespace {
Value dynamic_reference(std::string_view service, Value id, std::string_view tail) {
  const std::string head = "{{resolve:" + std::string(service) + ":";
  if (id.is_string()) return Value(head + id.as_string() + std::string(tail) + "}}");
  return Value::join("", {Value(head), std::move(id), Value(std::string(tail) + "}}")});
}
}  // namespace

Value Value::resolve_secretsmanager(Value secret_id, std::string json_key) {
  return dynamic_reference("secretsmanager", std::move(secret_id),
                           json_key.empty() ? std::string() : ":SecretString:" + json_key);
}
Value Value::resolve_ssm(Value parameter_name) { return dynamic_reference("ssm", std::move(parameter_name), ""); }

bool Value::is_intrinsic() const noexcept {
  const Kind k = kind();
  return k == Kind::ref || k == Kind::get_att || k == Kind::pseudo || k == Kind::function || k == Kind::name;
}

bool Value::has_intrinsic() const {
  if (is_intrinsic()) return true;
  if (const auto* a = std::get_if<Array>(&data_)) {
    for (const auto& e : *a)
      if (e.has_intrinsic()) return true;
  } else if (const auto* o = std::get_if<Object>(&data_)) {
    for (const auto& [k, v] : *o)
      if (v.has_intrinsic()) return true;
  }
  return false;
}

namespace {
[[noreturn]] void wrong_kind(const char* want, const Value& v) {
  throw Error(Diagnostic{codes::E110, Severity::error, "", std::string("a value is read as ") + want + " but is not one",
                         v.describe(), want});
}
}  // namespace

bool Value::as_bool() const {
  if (const auto* b = std::get_if<bool>(&data_)) return *b;
  wrong_kind("a boolean", *this);
}
std::int64_t Value::as_int() const {
  if (const auto* i = std::get_if<std::int64_t>(&data_)) return *i;
  wrong_kind("an integer", *this);
}
double Value::as_number() const {
  if (const auto* d = std::get_if<double>(&data_)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&data_)) return static_cast<double>(*i);
  wrong_kind("a number", *this);
}
const std::string& Value::as_string() const {
  if (const auto* s = std::get_if<std::string>(&data_)) return *s;
  wrong_kind("a string", *this);
}
const Value::Array& Value::as_array() const {
  if (const auto* a = std::get_if<Array>(&data_)) return *a;
  wrong_kind("an array", *this);
}
Value::Array& Value::as_array() {
  if (auto* a = std::get_if<Array>(&data_)) return *a;
  wrong_kind("an array", *this);
}
const Value::Object& Value::as_object() const {
  if (const auto* o = std::get_if<Object>(&data_)) return *o;
  wrong_kind("an object", *this);
}
Value::Object& Value::as_object() {
  if (auto* o = std::get_if<Object>(&data_)) return *o;
  wrong_kind("an object", *this);
}

Value& Value::operator[](std::string_view key) {
  if (is_null()) data_ = Object{};
  auto& o = as_object();
  auto it = o.find(key);
  if (it == o.end()) it = o.emplace(std::string(key), Value()).first;
  return it->second;
}

const Value* Value::find(std::string_view key) const {
  const auto* o = std::get_if<Object>(&data_);
  if (o == nullptr) return nullptr;
  auto it = o->find(key);
  return it == o->end() ? nullptr : &it->second;
}

void Value::push_back(Value v) {
  if (is_null()) data_ = Array{};
  as_array().push_back(std::move(v));
}

const CfnElement* Value::target() const {
  if (const auto* r = std::get_if<Reference>(&data_)) return r->target;
  if (const auto* a = std::get_if<AttRef>(&data_)) return a->target;
  if (const auto* n = std::get_if<NameRef>(&data_)) return n->target;
  return nullptr;
}
const std::string& Value::attribute() const {
  static const std::string empty;
  if (const auto* a = std::get_if<AttRef>(&data_)) return a->attribute;
  return empty;
}
const std::string& Value::function_name() const {
  if (const auto* f = std::get_if<Function>(&data_)) return f->name;
  wrong_kind("a function", *this);
}
const Value& Value::function_argument() const {
  if (const auto* f = std::get_if<Function>(&data_)) return f->argument.front();
  wrong_kind("a function", *this);
}
Pseudo Value::pseudo_parameter() const {
  if (const auto* p = std::get_if<PseudoRef>(&data_)) return p->which;
  wrong_kind("a pseudo parameter", *this);
}

std::string Value::describe() const {
  switch (kind()) {
    case Kind::null: return "null";
    case Kind::boolean: return as_bool() ? "true" : "false";
    case Kind::integer: return std::to_string(as_int());
    case Kind::number: return nlohmann::json(std::get<double>(data_)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case Kind::string: return nlohmann::json(as_string()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case Kind::ref: return "Ref(" + target()->path() + ")";
    case Kind::get_att: return "GetAtt(" + target()->path() + "." + attribute() + ")";
    case Kind::pseudo: return "Ref(" + std::string(pseudo_name(pseudo_parameter())) + ")";
    case Kind::name: return "Name(" + target()->path() + ")";
    case Kind::function: return function_name() + "(" + function_argument().describe() + ")";
    case Kind::array: {
      std::string s = "[";
      for (const auto& e : as_array()) s += (s.size() > 1 ? "," : "") + e.describe();
      return s + "]";
    }
    case Kind::object: {
      std::string s = "{";
      for (const auto& [k, v] : as_object()) s += (s.size() > 1 ? "," : "") + nlohmann::json(k).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ":" + v.describe();
      return s + "}";
    }
  }
  return "?";
}

bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

}  // namespace drsynth
