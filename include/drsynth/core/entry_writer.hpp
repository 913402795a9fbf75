// EntryWriter: how a template element (CfnElement) writes its entry, the JSON
// value under its logical ID. Each element kind implements
// CfnElement::write(EntryWriter&) once; the engine runs that same function
// twice: first to find the references the entry makes (the references pass,
// nothing is written), then to write the text. So there is exactly one
// description of what an element kind renders to.
//
//   void CfnThing::write(EntryWriter& w) const {
//     w.begin_entry(overrides());           // the entry object; overrides are merged into it
//     if (w.member("Name")) w.string(name_);
//     if (w.member("Spec", true)) w.object(spec_);   // an object: overrides below it are merged too
//     if (w.member("Value")) w.value(value_);        // Ref/GetAtt resolved for the stack being written
//     w.end_entry();
//   }
//
// Members are written in sorted key order (the order of every object in a
// template); writing them out of order throws Error E109. member() returns
// false when an override replaced or removed that member: the override has
// been written instead, so write nothing for it. A key must stay alive until
// the next member() of its object (a literal, or a string of the element).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drsynth/core/value.hpp"

namespace drsynth {

class CfnElement;
class Construct;
class Stack;

// An escape-hatch change to an element's entry: sets (or, without a value,
// removes) what sits at a dotted path, e.g. "Properties.VpcConfig.SubnetIds"
// ("\\." is a dot inside a key). Applied in order, after everything else, as a
// patch: setting a path creates the objects on the way (replacing what is not
// an object or a list); removing a path that does not exist changes nothing.
// A number indexes a list, as in aws-cdk-lib ("Properties.Targets.0.Arn"):
// indices count the list as the element renders it, the list's length
// appends, a removed element leaves no gap. Error E236 (at synthesis) for an
// index past the length, a number where there is no list (where aws-cdk-lib
// would write an object {"0": ...}), or a key that is not a number in a list.
struct Override {
  std::string path;
  std::optional<Value> value;  // nullopt: remove
};

// Where a resource type keeps its tags: the property ("" when the type takes
// none) and whether it is a map (SSM parameters) or a list of {Key, Value}.
struct TagFormat {
  std::string_view property;
  bool is_map = false;
};
// Tags as (key, value) pairs sorted by key.
using TagList = std::vector<std::pair<std::string, std::string>>;

namespace detail {
class EntryOutput;
struct PatchNode;
}  // namespace detail

class EntryWriter {
 public:
  // Made by the engine for one stack (see src/core/entry_output.hpp).
  explicit EntryWriter(detail::EntryOutput& out);
  ~EntryWriter();
  EntryWriter(const EntryWriter&) = delete;
  EntryWriter& operator=(const EntryWriter&) = delete;

  // The entry object, with `overrides` applied to whatever is written into it.
  void begin_entry(std::span<const Override> overrides = {});
  void end_entry();

  // Starts member `key` of the current object. `object`: the member is
  // written with begin_object(), object() or value(), so overrides below it
  // are merged into it (by index into a list value); any other member that an
  // override reaches into is replaced by the object the override builds.
  // False: an override replaced or removed the member; write nothing for it.
  [[nodiscard]] bool member(std::string_view key, bool object = false);
  void begin_object();
  void end_object();
  void begin_array();
  void item();  // starts the next array element
  void end_array();

  void string(std::string_view s);
  void boolean(bool b);
  void integer(std::int64_t i);
  // Any value. A Ref/GetAtt becomes a Ref/Fn::GetAtt in the same stack, an
  // Fn::ImportValue from another stack of the same account and region, or an
  // Fn::GetStackOutput from another region (see docs/architecture.md).
  void value(const Value& v);
  // An object value, member by member.
  void object(const Value::Object& members);
  // An object value with the tags `tags` merged into its member
  // `format.property` (explicit tags there win; a list stays sorted by Key).
  void tagged_object(const Value::Object& members, TagFormat format, const TagList& tags);

  // The tags inherited by `c` from the scopes above it (the closest scope
  // winning) with its own applied, sorted by key.
  [[nodiscard]] const TagList& inherited_tags(const Construct& c);
  // The stack whose template is being written.
  [[nodiscard]] const Stack& stack() const noexcept;

 private:
  struct Frame;
  detail::EntryOutput& out_;
  std::vector<Frame> frames_;
  [[nodiscard]] std::size_t indent() const noexcept;  // of the value about to be written
  void insert(const detail::PatchNode& node, std::string_view key);

  std::unique_ptr<detail::PatchNode> patch_;    // the overrides of the current entry
  const detail::PatchNode* pending_ = nullptr;  // the overrides for the value about to be written
};

}  // namespace drsynth
