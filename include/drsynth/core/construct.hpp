// The construct tree: every resource, stack and pattern is a node.
//
// Children are owned by their parent and kept in insertion order. A node is
// created through its parent: `auto& vpc = stack.add<ec2::Vpc>("Vpc", {...});`.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <string_view>
#include <utility>
#include <vector>

#include "drsynth/core/error.hpp"

namespace drsynth {

class App;
class Stack;
class Validation;

// How deep a construct tree may be: constructs at most this many levels below
// the App (a deeper one is E112). Real apps are about ten deep; the bound keeps
// tree.json linear in the number of constructs.
inline constexpr std::size_t max_construct_depth = 128;

// Name/value attributes of a construct in tree.json ("aws:cdk:cloudformation:type", ...).
using TreeAttributes = std::vector<std::pair<std::string_view, std::string_view>>;

class Construct {
 public:
  // The root (an App) has no scope.
  explicit Construct(std::string id);
  // Checks the id (not empty, no '/', unique among the siblings) and throws
  // an Error naming the path otherwise.
  Construct(Construct& scope, std::string id);
  virtual ~Construct();

  Construct(const Construct&) = delete;
  Construct& operator=(const Construct&) = delete;

  // Creates a child of type T, constructed as T(*this, id, props) and owned by
  // this node; returns a reference to it. Constructs that take props declare
  // `using Props = ...;` so that designated initializers work in place:
  //   stack.add<CfnResource>("Topic", {.type = "AWS::SNS::Topic"});
  template <class T>
  T& add(std::string id, typename T::Props&& props) {
    return adopt_new(std::make_unique<T>(*this, std::move(id), std::move(props)));
  }
  // Props the caller keeps: passed on as they are, so a construct that takes
  // `const Props&` copies them in the library, not in the app's own code.
  template <class T>
  T& add(std::string id, const typename T::Props& props) {
    return adopt_new(std::make_unique<T>(*this, std::move(id), props));
  }
  // A construct without props: T(*this, id).
  template <class T>
  T& add(std::string id) {
    return adopt_new(std::make_unique<T>(*this, std::move(id)));
  }
  // A construct with one constructor argument but no Props alias.
  template <class T, class A>
    requires(!requires { typename T::Props; })
  T& add(std::string id, A&& a) {
    return adopt_new(std::make_unique<T>(*this, std::move(id), std::forward<A>(a)));
  }
  // Any other constructor: T(*this, id, a, b, ...).
  template <class T, class A, class B, class... Rest>
  T& add(std::string id, A&& a, B&& b, Rest&&... rest) {
    return adopt_new(
        std::make_unique<T>(*this, std::move(id), std::forward<A>(a), std::forward<B>(b), std::forward<Rest>(rest)...));
  }

  [[nodiscard]] const std::string& id() const noexcept { return id_; }
  // '/'-joined ids from the app down, without the app's own id.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] Construct* parent() const noexcept { return parent_; }
  [[nodiscard]] const std::vector<std::unique_ptr<Construct>>& children() const noexcept { return children_; }
  [[nodiscard]] Construct* find_child(std::string_view id) const;
  // The nearest enclosing stack (this node if it is one); throws E103 when there is none.
  [[nodiscard]] Stack& stack() const;
  [[nodiscard]] Stack* stack_or_null() const noexcept { return stack_; }
  [[nodiscard]] App& app() const;

  // Checks this node's own props; called for every node by validate(App&).
  virtual void validate(Validation& v) const;
  // Lines the CLI prints after a successful synthesis (for example a
  // pattern's recovery-time budget). Empty by default.
  virtual void summarize(std::vector<std::string>& lines) const;
  // The construct's type as shown in tree.json, e.g. "drsynth.rds.DatabaseInstance".
  [[nodiscard]] virtual std::string_view type_name() const noexcept { return "drsynth.Construct"; }
  // Adds what tree.json shows under "attributes" for this construct (none by default).
  virtual void tree_attributes(TreeAttributes& attributes) const;

  // Tags applied to this scope (see tags.hpp); inherited by taggable resources below.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& tags() const noexcept { return tags_; }
  void set_tag(std::string key, std::string value);

  // Acknowledges a safety rule (S001-S007, see docs/errors.md) for this
  // construct and everything below it, with the reason why it is acceptable.
  // A finding of that rule on a resource in the subtree becomes a note (it is
  // printed, does not fail the run) and the acknowledgement is recorded in
  // tree.json. An unknown rule id or an empty reason throws E108.
  void acknowledge(std::string rule, std::string reason);
  // This node's own acknowledgements (rule -> reason), in the order given.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& acknowledgements() const noexcept {
    return acknowledgements_;
  }
  // The reason given for `rule` on this node or its nearest ancestor that
  // acknowledged it; nullptr when none did.
  [[nodiscard]] const std::string* acknowledgement(std::string_view rule) const noexcept;

  // After synthesis starts the tree is locked: adding a child throws E104.
  void lock() noexcept;
  [[nodiscard]] bool locked() const noexcept;

  // Pre-order walk over this node and all descendants.
  template <class F>
  void walk(F&& f) const {
    f(*this);
    for (const auto& c : children_) c->walk(f);
  }

 protected:
  // Stacks set themselves as the stack of their subtree.
  void set_stack(Stack* s) noexcept { stack_ = s; }
  // The App sets itself as the app of the tree.
  void set_app(App* a) noexcept { app_ = a; }

 private:
  template <class T>
  T& adopt_new(std::unique_ptr<T> child) {
    T& ref = *child;
    adopt(std::move(child));
    return ref;
  }
  void adopt(std::unique_ptr<Construct> child);
  // Called once the construct is complete and in the tree (after its own
  // constructor): elements and assets register with their stack here.
  virtual void adopted() {}

  std::string id_;
  std::string path_;
  Construct* parent_ = nullptr;
  Stack* stack_ = nullptr;
  App* app_ = nullptr;
  std::vector<std::unique_ptr<Construct>> children_;
  // Children by id once there are many (an App with hundreds of systems):
  // keeps adding a child O(1) instead of a scan of its siblings.
  std::unordered_map<std::string_view, Construct*> child_index_;
  std::vector<std::pair<std::string, std::string>> tags_;
  std::vector<std::pair<std::string, std::string>> acknowledgements_;
  bool locked_ = false;
};

// Collects problems during validation. Every L2 construct reports each bad
// prop here instead of throwing, so a run reports everything at once.
class Validation {
 public:
  void error(std::string code, const Construct& at, std::string message, std::string got = {},
             std::string expected = {});
  void warning(std::string code, const Construct& at, std::string message, std::string got = {},
               std::string expected = {});
  void add(Diagnostic d) { diagnostics_.push_back(std::move(d)); }

  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }
  [[nodiscard]] std::vector<Diagnostic> take() { return std::move(diagnostics_); }
  [[nodiscard]] bool has_errors() const noexcept;

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace drsynth
