// The machinery of a pattern's table of physical names (internal): one row per
// name (enumerator, what it is for messages, prefix, tail, AWS's length
// limit), rows in the enumerator's order, the longest suffix every name can
// take, and a spelling of the names for one suffix. dr_names.hpp and
// aurora_names.hpp each hold one table.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "patterns/dr_kit_names.hpp"

namespace drsynth::patterns::detail {

template <class E>
struct NameRow {
  E name;
  std::string_view what;  // for messages: "primary DB instance identifier"
  std::string_view prefix;
  std::string_view tail;
  std::size_t max_length;  // of prefix + suffix + tail, as AWS limits it
};

// Row i describes enumerator i, and `last` is the last row's.
template <class E, std::size_t N>
constexpr bool rows_in_enum_order(const std::array<NameRow<E>, N>& rows, E last) {
  for (std::size_t i = 0; i < N; ++i)
    if (static_cast<std::size_t>(rows[i].name) != i) return false;
  return static_cast<std::size_t>(last) + 1 == N;
}

// The longest suffix every name can take, and the name that sets it.
template <class E>
struct SuffixLimitOf {
  std::size_t max_length;
  const NameRow<E>* binding;
};
template <class E, std::size_t N>
constexpr SuffixLimitOf<E> suffix_limit_of(const std::array<NameRow<E>, N>& rows) {
  SuffixLimitOf<E> limit{SIZE_MAX, &rows.front()};
  for (const auto& r : rows) {
    const std::size_t room = r.max_length - r.prefix.size() - r.tail.size();
    if (room < limit.max_length) limit = {room, &r};
  }
  return limit;
}

// The same, when a pattern's names include the DR kit's (dr_kit_names.hpp):
// the binding row is the table's (`own`) or the kit's (`kit`).
template <class E>
struct SuffixLimitWithKit {
  std::size_t max_length;
  const NameRow<E>* own;
  const KitNameRow* kit;
  [[nodiscard]] constexpr std::string_view what() const { return own != nullptr ? own->what : kit->what; }
};
template <class E>
constexpr SuffixLimitWithKit<E> with_kit(SuffixLimitOf<E> own, KitSuffixRoom kit) {
  if (kit.max_length < own.max_length) return {kit.max_length, nullptr, kit.binding};
  return {own.max_length, own.binding, nullptr};
}

// The kit's names for a system's tag and site words.
template <const std::string_view& System, const std::array<std::string_view, 2>& Words>
[[nodiscard]] KitNames kit_names_of(const std::string& suffix) {
  return KitNames(std::string(System), {std::string(Words[0]), std::string(Words[1])}, suffix);
}
// The name that binds the suffix, spelled with `suffix`: the table's (`Names`)
// or the kit's, with the longer site word (`longest`: 0 or 1).
template <class Names, class E>
[[nodiscard]] std::string spelled_with_kit(const SuffixLimitWithKit<E>& limit, const std::string& suffix,
                                           const KitNames& kit, int longest) {
  return limit.own != nullptr ? Names(suffix)(limit.own->name) : kit(limit.kit->name, longest, longest);
}

// The names of a table for one environment suffix.
template <class E, const auto& Rows>
class NamesOf {
 public:
  explicit NamesOf(std::string suffix) : suffix_(std::move(suffix)) {}
  [[nodiscard]] std::string operator()(E n) const {
    const auto& r = Rows[static_cast<std::size_t>(n)];
    std::string s;
    s.reserve(r.prefix.size() + suffix_.size() + r.tail.size());
    return s.append(r.prefix).append(suffix_).append(r.tail);
  }
  [[nodiscard]] const std::string& suffix() const noexcept { return suffix_; }

 private:
  std::string suffix_;
};

}  // namespace drsynth::patterns::detail
