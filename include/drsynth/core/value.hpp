// Value: a JSON-like tree whose leaves can be CloudFormation intrinsics.
//
// A Ref or Fn::GetAtt keeps a pointer to the element it points at, so the
// resolver can tell which stack owns the target and turn the reference into a
// Ref, an Fn::ImportValue or an Fn::GetStackOutput depending on where the value
// is used. Everything else renders as written.
//
// Reading a value as the wrong kind (as_string() of a number, ...) throws
// Error E110 (ErrorKind::internal): a bug in the code that built the tree.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace drsynth {

class CfnElement;

// Pseudo parameters, rendered as {"Ref": "AWS::..."}.
enum class Pseudo { region, account_id, partition, url_suffix, stack_name, stack_id, no_value };
[[nodiscard]] std::string_view pseudo_name(Pseudo p);

class Value {
 public:
  using Array = std::vector<Value>;
  using Object = std::map<std::string, Value, std::less<>>;

  enum class Kind : std::uint8_t { null, boolean, integer, number, string, array, object, ref, get_att, pseudo, function, name };

  // Every constructor and the special members are defined in value.cpp: a
  // program that builds props with Values then compiles none of std::variant's
  // machinery for them (most of what an app's own file cost to compile).
  Value() noexcept;
  Value(std::nullptr_t) noexcept;  // NOLINT(google-explicit-constructor)
  Value(bool b) noexcept;  // NOLINT
  Value(int i) noexcept;  // NOLINT
  Value(long i) noexcept;  // NOLINT
  Value(long long i) noexcept;  // NOLINT
  Value(unsigned i) noexcept;  // NOLINT
  Value(unsigned long i) noexcept;  // NOLINT
  Value(double d) noexcept;  // NOLINT
  Value(const char* s);  // NOLINT
  Value(std::string s) noexcept;  // NOLINT
  Value(std::string_view s);  // NOLINT
  Value(Array a) noexcept;  // NOLINT
  Value(Object o) noexcept;  // NOLINT
  Value(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other);
  Value& operator=(Value&& other) noexcept;
  ~Value();

  static Value array(std::initializer_list<Value> items = {}) { return Value(Array(items)); }
  static Value object(std::initializer_list<Object::value_type> members = {}) { return Value(Object(members)); }
  static Value from_json(const nlohmann::json& j);

  // --- intrinsics -------------------------------------------------------
  static Value ref(const CfnElement& target);
  static Value get_att(const CfnElement& target, std::string attribute);
  static Value pseudo(Pseudo p);
  // The logical ID of an element of the same stack, as a plain string: the
  // name a Condition, Fn::If or Fn::FindInMap uses (an element of another
  // stack is E213).
  static Value name_of(const CfnElement& target);
  // Any intrinsic function: {name: argument}. Prefer the typed helpers below.
  static Value fn(std::string name, Value argument);
  static Value join(std::string delimiter, Array parts);
  // Fn::Sub; renders the short form when there are no variables.
  static Value sub(std::string text, Object variables = {});
  static Value select(int index, Value list);
  static Value get_azs(Value region = Value(std::string()));
  static Value import_value(Value export_name);
  static Value get_stack_output(Value stack_name, Value output_name, Value region,
                                std::optional<Value> role_arn = std::nullopt);
  // Dynamic references, e.g. {{resolve:secretsmanager:<id>:SecretString:password}}.
  // The id may itself be a reference; the result is then an Fn::Join.
  static Value resolve_secretsmanager(Value secret_id, std::string json_key = {});
  static Value resolve_ssm(Value parameter_name);

  // --- inspection ---------------------------------------------------------
  [[nodiscard]] Kind kind() const noexcept { return kind_of(data_.index()); }
  [[nodiscard]] bool is_null() const noexcept { return kind() == Kind::null; }
  [[nodiscard]] bool is_string() const noexcept { return kind() == Kind::string; }
  [[nodiscard]] bool is_object() const noexcept { return kind() == Kind::object; }
  [[nodiscard]] bool is_array() const noexcept { return kind() == Kind::array; }
  // True for anything that is not a plain literal (Ref, GetAtt, Fn::*, pseudo, name_of) at the top.
  [[nodiscard]] bool is_intrinsic() const noexcept;
  // True when this value or anything inside it is an intrinsic.
  [[nodiscard]] bool has_intrinsic() const;

  [[nodiscard]] bool as_bool() const;
  [[nodiscard]] std::int64_t as_int() const;
  [[nodiscard]] double as_number() const;
  [[nodiscard]] const std::string& as_string() const;
  [[nodiscard]] const Array& as_array() const;
  [[nodiscard]] Array& as_array();
  [[nodiscard]] const Object& as_object() const;
  [[nodiscard]] Object& as_object();

  // Object member access; turns a null value into an object first.
  Value& operator[](std::string_view key);
  [[nodiscard]] const Value* find(std::string_view key) const;
  // Array append; turns a null value into an array first.
  void push_back(Value v);

  // Ref / GetAtt / name_of
  [[nodiscard]] const CfnElement* target() const;
  [[nodiscard]] const std::string& attribute() const;  // empty for Ref
  // Fn::*
  [[nodiscard]] const std::string& function_name() const;
  [[nodiscard]] const Value& function_argument() const;
  [[nodiscard]] Pseudo pseudo_parameter() const;

  // A readable rendering for messages: literals as JSON, references as
  // "Ref(<path>)" / "GetAtt(<path>.<attr>)" / "Name(<path>)".
  [[nodiscard]] std::string describe() const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  struct Reference {
    const CfnElement* target = nullptr;
    std::string attribute;  // empty: Ref
    friend bool operator==(const Reference&, const Reference&) = default;
  };
  struct Function {
    std::string name;
    Array argument;  // exactly one element (indirection for the recursive type)
    friend bool operator==(const Function&, const Function&) = default;
  };
  struct PseudoRef {
    Pseudo which;
    friend bool operator==(const PseudoRef&, const PseudoRef&) = default;
  };
  struct AttRef : Reference {};
  struct NameRef : Reference {};

  using Data = std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object, Reference,
                            AttRef, PseudoRef, Function, NameRef>;
  static Kind kind_of(std::size_t index) noexcept { return static_cast<Kind>(index); }

  explicit Value(Data d) noexcept;

  Data data_;
};

}  // namespace drsynth
