// Links between constructs in props: which props are required is visible in
// the header, and a missing or wrong link is a compile error that names the field.
//
//   struct DatabaseInstanceProps {
//     Required<ec2::Vpc, "vpc"> vpc;                                    // must be given: .vpc = my_vpc
//     RequiredList<ec2::SecurityGroup, "security_groups"> security_groups;  // one or more: .security_groups = {sg}
//     Link<ParameterGroup> parameter_group{};                           // may be left out
//   };
//   stack.add<rds::DatabaseInstance>("Db", {.vpc = vpc, .security_groups = {sg}, ...});
//
// Leaving `.vpc` out fails with "use of deleted function
// drsynth::Required<...Vpc, "vpc">::Required()"; passing `&vpc` (a pointer) or
// an object of another kind fails with a deleted constructor of the same
// Required<..., "vpc">. RequiredList is a list that must not be empty: leaving
// it out or writing `{}` is a compile error naming the field, and so is any
// element that is a pointer or of another kind. Its elements are written in
// the source ({a, b}); a list assembled at run time is not supported. A link
// refers to a construct owned by the tree; it never owns it.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <type_traits>
#include <vector>

namespace drsynth {

namespace detail {
// A string literal as a template argument: the field's name, shown in the
// compiler's message when the link is missing or of the wrong kind.
template <std::size_t N>
struct FieldName {
  char text[N]{};
  consteval FieldName(const char (&s)[N]) { std::copy_n(s, N, text); }  // NOLINT(google-explicit-constructor)
};

// U& binds to a link to T: U is T or derives from it, and constness is kept.
template <class U, class T>
concept linkable_to = std::convertible_to<std::remove_reference_t<U>*, T*>;
}  // namespace detail

// A link that must be given. T may be const-qualified.
template <class T, detail::FieldName Name>
class Required {
 public:
  // A required link has no default: omitting the field is a compile error.
  Required() = delete;
  // Constructs derived from T bind too (e.g. a ReadReplica where a DatabaseInstance is expected).
  template <class U>
    requires detail::linkable_to<U, T>
  Required(U& target) noexcept : target_(&target) {}  // NOLINT(google-explicit-constructor)
  // Pass the construct itself, not its address.
  template <class U>
  Required(U* pointer) = delete;
  // Anything else (another kind of construct, a value) is the wrong kind of link.
  template <class U>
    requires(!std::is_pointer_v<std::remove_cvref_t<U>> && !std::same_as<std::remove_cvref_t<U>, Required> &&
             !(std::is_lvalue_reference_v<U> && detail::linkable_to<U, T>))
  Required(U&& wrong_kind) = delete;

  [[nodiscard]] T& get() const noexcept { return *target_; }
  [[nodiscard]] T& operator*() const noexcept { return *target_; }
  [[nodiscard]] T* operator->() const noexcept { return target_; }
  [[nodiscard]] T* pointer() const noexcept { return target_; }

 private:
  T* target_;
};

// One or more links, all written in the source: .security_groups = {a, b}.
// T may be const-qualified.
template <class T, detail::FieldName Name>
class RequiredList {
 public:
  // Omitting the field, or `{}`, is a compile error: the list must not be empty.
  RequiredList() = delete;
  template <class... U>
    requires(sizeof...(U) >= 1 && (detail::linkable_to<U, T> && ...))
  RequiredList(U&... targets) : targets_{static_cast<T*>(&targets)...} {}  // NOLINT(google-explicit-constructor)
  // Any element that is a pointer (`{&sg}`), a temporary or another kind of
  // construct makes the whole list the wrong kind.
  template <class... U>
    requires(!(sizeof...(U) == 1 && (std::same_as<std::remove_cvref_t<U>, RequiredList> && ...)) &&
             !((std::is_lvalue_reference_v<U> && detail::linkable_to<U, T>) && ...))
  RequiredList(U&&... wrong_kind) = delete;

  // Never empty; no element is null.
  [[nodiscard]] auto begin() const noexcept { return targets_.begin(); }
  [[nodiscard]] auto end() const noexcept { return targets_.end(); }
  [[nodiscard]] std::size_t size() const noexcept { return targets_.size(); }

 private:
  std::vector<T*> targets_;
};

// A link that may be left out (empty when not given). T may be const-qualified.
template <class T>
class Link {
 public:
  Link() noexcept = default;
  template <class U>
    requires detail::linkable_to<U, T>
  Link(U& target) noexcept : target_(&target) {}  // NOLINT(google-explicit-constructor)
  template <class U>
  Link(U* pointer) = delete;

  [[nodiscard]] explicit operator bool() const noexcept { return target_ != nullptr; }
  [[nodiscard]] T& operator*() const noexcept { return *target_; }
  [[nodiscard]] T* operator->() const noexcept { return target_; }
  // nullptr when not given.
  [[nodiscard]] T* pointer() const noexcept { return target_; }

 private:
  T* target_ = nullptr;
};

}  // namespace drsynth
