#include "drsynth/core/construct.hpp"

#include <algorithm>

#include "core/safety_rules.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth {

Construct::Construct(std::string id) : id_(std::move(id)) {}

Construct::Construct(Construct& scope, std::string id)
    : id_(std::move(id)), parent_(&scope), stack_(scope.stack_), app_(scope.app_) {
  path_ = scope.path_.empty() ? id_ : scope.path_ + "/" + id_;
  const std::string& where = scope.path_;
  if (scope.locked_) fail(codes::E104, where, "cannot add a construct after synthesis has started", id_);
  if (id_.empty()) fail(codes::E101, where, "construct id is empty", "\"\"", "a non-empty id");
  if (id_.find('/') != std::string::npos)
    fail(codes::E102, where, "construct id contains '/'", "\"" + id_ + "\"", "an id without '/'");
  // A bounded depth keeps every walk of the tree (validation, tree.json,
  // paths in messages) linear and its recursion shallow.
  std::size_t depth = 1;
  for (const Construct* c = &scope; c->parent_ != nullptr; c = c->parent_) ++depth;
  if (depth > max_construct_depth)
    fail(codes::E112, where.substr(0, 200) + (where.size() > 200 ? "..." : ""), "the construct tree is too deep",
         std::to_string(depth) + " levels", "at most " + std::to_string(max_construct_depth) + " levels below the App");
  if (scope.find_child(id_) != nullptr)
    fail(codes::E103, path_, "there is already a construct with this id in the same scope", "\"" + id_ + "\"",
         "ids unique among siblings");
}

Construct::~Construct() = default;

namespace {
constexpr std::size_t index_from = 16;  // children before find_child uses an index
}  // namespace

Construct* Construct::find_child(std::string_view id) const {
  if (!child_index_.empty()) {
    const auto it = child_index_.find(id);
    return it == child_index_.end() ? nullptr : it->second;
  }
  for (const auto& c : children_)
    if (c->id_ == id) return c.get();
  return nullptr;
}

Stack& Construct::stack() const {
  if (stack_ == nullptr) fail(codes::E105, path_, "this construct is not inside a stack", {}, "a Stack above it");
  return *stack_;
}

App& Construct::app() const {
  if (app_ == nullptr) fail(codes::E106, path_, "this construct is not inside an App");
  return *app_;
}

void Construct::validate(Validation& /*v*/) const {}
void Construct::summarize(std::vector<std::string>& /*lines*/) const {}
void Construct::tree_attributes(TreeAttributes& /*attributes*/) const {}

void Construct::set_tag(std::string key, std::string value) {
  auto it = std::find_if(tags_.begin(), tags_.end(), [&](const auto& t) { return t.first == key; });
  if (it != tags_.end())
    it->second = std::move(value);
  else
    tags_.emplace_back(std::move(key), std::move(value));
}

void Construct::acknowledge(std::string rule, std::string reason) {
  if (detail::find_safety_rule(rule) == nullptr)
    fail(codes::E108, path_, "acknowledges an unknown safety rule", "\"" + rule + "\"", "one of " + detail::safety_rule_ids());
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    fail(codes::E108, path_, "acknowledges safety rule " + rule + " without a reason", "\"" + reason + "\"",
         "a reason a reviewer can check");
  if (locked_) fail(codes::E104, path_, "cannot acknowledge a rule after synthesis has started", rule);
  auto it = std::find_if(acknowledgements_.begin(), acknowledgements_.end(), [&](const auto& a) { return a.first == rule; });
  if (it != acknowledgements_.end())
    it->second = std::move(reason);
  else
    acknowledgements_.emplace_back(std::move(rule), std::move(reason));
}

const std::string* Construct::acknowledgement(std::string_view rule) const noexcept {
  for (const Construct* c = this; c != nullptr; c = c->parent_)
    for (const auto& [r, why] : c->acknowledgements_)
      if (r == rule) return &why;
  return nullptr;
}

void Construct::lock() noexcept {
  locked_ = true;
  for (auto& c : children_) c->lock();
}

bool Construct::locked() const noexcept { return locked_; }

void Construct::adopt(std::unique_ptr<Construct> child) {
  // A construct's own constructor may have added a sibling with the same id
  // (it runs before this point); check again now that it is complete.
  if (find_child(child->id_) != nullptr)
    fail(codes::E103, child->path_, "there is already a construct with this id in the same scope", "\"" + child->id_ + "\"",
         "ids unique among siblings");
  Construct& adopted_child = *child;
  children_.push_back(std::move(child));
  if (children_.size() == index_from) {
    for (const auto& c : children_) child_index_.emplace(c->id_, c.get());
  } else if (children_.size() > index_from) {
    child_index_.emplace(adopted_child.id_, &adopted_child);
  }
  adopted_child.adopted();
}

void Validation::error(std::string code, const Construct& at, std::string message, std::string got,
                       std::string expected) {
  diagnostics_.push_back({std::move(code), Severity::error, at.path(), std::move(message), std::move(got),
                          std::move(expected)});
}

void Validation::warning(std::string code, const Construct& at, std::string message, std::string got,
                         std::string expected) {
  diagnostics_.push_back({std::move(code), Severity::warning, at.path(), std::move(message), std::move(got),
                          std::move(expected)});
}

bool Validation::has_errors() const noexcept {
  return std::any_of(diagnostics_.begin(), diagnostics_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace drsynth
