// Links between constructs in props: which props are required is visible in
// the header, and a missing or wrong link is a compile error that names the field.
//
//   struct SecurityGroupProps {
//     Required<Vpc, "vpc"> vpc;                 // must be given: .vpc = my_vpc
//     Link<ParameterGroup> parameter_group{};   // may be left out
//   };
//   stack.add<SecurityGroup>("Sg", {.vpc = vpc});
//
// Leaving `.vpc` out fails with "use of deleted function
// drsynth::Required<...Vpc, "vpc">::Required()"; passing `&vpc` (a pointer) or
// an object of another kind fails with a deleted constructor of the same
// Required<..., "vpc">. A link refers to a construct owned by the tree; it
// never owns it.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <type_traits>

namespace drsynth {

namespace detail {
// A string literal as a template argument: the field's name, shown in the
// compiler's message when the link is missing or of the wrong kind.
template <std::size_t N>
struct FieldName {
  char text[N]{};
  consteval FieldName(const char (&s)[N]) { std::copy_n(s, N, text); }  // NOLINT(google-explicit-constructor)
};
}  // namespace detail

// A link that must be given. T may be const-qualified.
template <class T, detail::FieldName Name>
class Required {
 public:
  // A required link has no default: omitting the field is a compile error.
  Required() = delete;
  Required(T& target) noexcept : target_(&target) {}  // NOLINT(google-explicit-constructor)
  // Constructs derived from T bind too (e.g. a ReadReplica where a DatabaseInstance is expected).
  template <class U>
    requires std::derived_from<U, std::remove_const_t<T>>
  Required(U& target) noexcept : target_(&target) {}  // NOLINT(google-explicit-constructor)
  // Pass the construct itself, not its address.
  template <class U>
  Required(U* pointer) = delete;
  // Anything else (another kind of construct, a value) is the wrong kind of link.
  template <class U>
    requires(!std::is_pointer_v<std::remove_cvref_t<U>> &&
             !std::derived_from<std::remove_cvref_t<U>, std::remove_const_t<T>>)
  Required(U&& wrong_kind) = delete;

  [[nodiscard]] T& get() const noexcept { return *target_; }
  [[nodiscard]] T& operator*() const noexcept { return *target_; }
  [[nodiscard]] T* operator->() const noexcept { return target_; }
  [[nodiscard]] T* pointer() const noexcept { return target_; }

 private:
  T* target_;
};

// A link that may be left out (empty when not given). T may be const-qualified.
template <class T>
class Link {
 public:
  Link() noexcept = default;
  Link(T& target) noexcept : target_(&target) {}  // NOLINT(google-explicit-constructor)
  template <class U>
    requires std::derived_from<U, std::remove_const_t<T>>
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
