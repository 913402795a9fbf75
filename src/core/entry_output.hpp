// The engine side of an EntryWriter: where an element's entry goes. The
// stack writer's output writes text (stack_writer.cpp), the references
// pass's output only records references (references.cpp). A few virtual
// calls per element; the values themselves are walked by the inlined
// ValueWalker of each output. Not part of the public API.
#pragma once

#include <cstdint>
#include <string_view>

#include "drsynth/core/entry_writer.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::detail {

struct PatchNode;

class EntryOutput {
 public:
  explicit EntryOutput(const Stack& stack) noexcept : stack_(stack) {}
  virtual ~EntryOutput() = default;
  EntryOutput(const EntryOutput&) = delete;
  EntryOutput& operator=(const EntryOutput&) = delete;

  [[nodiscard]] const Stack& stack() const noexcept { return stack_; }
  // The element whose entry is being written: problems found in it name it.
  void start(const CfnElement& element) noexcept { element_ = &element; }
  [[nodiscard]] const CfnElement& element() const noexcept { return *element_; }

  // Tokens, in the layout of JsonText (indent = where the container's brace is).
  virtual void open(char brace) = 0;
  virtual void close(char brace, std::size_t indent, bool first) = 0;
  virtual void key(std::string_view k, std::size_t indent, bool& first) = 0;
  virtual void item(std::size_t indent, bool& first) = 0;
  virtual void string(std::string_view s) = 0;
  virtual void boolean(bool b) = 0;
  virtual void integer(std::int64_t i) = 0;
  // Values, with the overrides below them (a keep node, or null) merged in.
  virtual void value(const Value& v, std::size_t indent, const PatchNode* patch) = 0;
  virtual void object(const Value::Object& members, std::size_t indent, const PatchNode* patch) = 0;
  virtual void tagged_object(const Value::Object& members, std::size_t indent, const PatchNode* patch, TagFormat format,
                             const TagList& tags) = 0;
  virtual const TagList& inherited_tags(const Construct& c) = 0;

 private:
  const Stack& stack_;
  const CfnElement* element_ = nullptr;
};

// Where an entry's brace is: under its section ("Resources": {"Id": {...}}).
inline constexpr std::size_t entry_indent = 4;

}  // namespace drsynth::detail
