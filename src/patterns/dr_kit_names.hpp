// The physical names of the DR kit's pieces (internal), one table for both
// systems: each row a pattern with {sys} (the system's tag: "rds",
// "aurora"), {x} and {s} (site words: the site that runs the piece, the
// site it is about) and {suffix} (the environment suffix), and AWS's length
// limit. {resource-type}-{purpose}-{environmentSuffix}, as the Aurora
// system's requirement asks; the tag keeps the two systems apart in one
// account. Each pattern's longest suffix takes these rows into account
// (kit_suffix_room).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace drsynth::patterns::detail {

enum class KitName : std::uint8_t {
  probe_function,
  probe_role,
  probe_security_group,
  view_alarm,      // W_X(S): {x}'s probe's view of {s}
  hold_alarm,      // H_X(Y)
  fence_alarm,     // F(S), in the region that would fence S
  lag_guard_alarm, // L(S)
  guard_applies_alarm,  // G(S): S fences nothing, DNS applies S's lag guard
  unreachable_alarm,    // U_X(S): {x}'s probe reaches no PostgreSQL server at {s}
  probe_silent_alarm,
  probe_fault_alarm,
  failover_silent_alarm,
  notifications_failed_alarm,
  failover_function,
  failover_role,
  failover_dlq,
  failover_dlq_alarm,
  lock_parameter,
  state_parameter,
  witness_function,
  witness_role,
  witness_grant_parameter,
  lease_parameter,         // {x}'s lease, in the witness's and the other site's region
  lease_record_parameter,  // {x}'s own record of its last renewal and its self-fence, in {x}'s region
};

struct KitNameRow {
  KitName name;
  std::string_view what;     // for messages
  std::string_view pattern;  // {sys}, {x}, {s}, {suffix}
  std::size_t max_length;
};

inline constexpr std::array kit_name_rules{
    KitNameRow{KitName::probe_function, "probe function name", "lambda-probe-{sys}-{x}-{suffix}", 64},
    KitNameRow{KitName::probe_role, "probe role name", "role-probe-{sys}-{x}-{suffix}", 64},
    KitNameRow{KitName::probe_security_group, "probe security group name", "secgroup-probe-{sys}-{x}-{suffix}", 255},
    KitNameRow{KitName::view_alarm, "view alarm name", "alarm-writer-{sys}-{s}-seen-from-{x}-{suffix}", 255},
    KitNameRow{KitName::hold_alarm, "hold alarm name", "alarm-writer-held-{sys}-{s}-seen-from-{x}-{suffix}", 255},
    KitNameRow{KitName::fence_alarm, "fence alarm name", "alarm-fence-{sys}-{s}-{suffix}", 255},
    KitNameRow{KitName::lag_guard_alarm, "lag guard alarm name", "alarm-lag-guard-{sys}-{s}-{suffix}", 255},
    KitNameRow{KitName::guard_applies_alarm, "lag guard applies alarm name", "alarm-lag-guard-applies-{sys}-{s}-{suffix}", 255},
    KitNameRow{KitName::unreachable_alarm, "unreachable alarm name", "alarm-unreachable-{sys}-{s}-from-{x}-{suffix}", 255},
    KitNameRow{KitName::probe_silent_alarm, "probe silence alarm name", "alarm-probe-silent-{sys}-{x}-{suffix}", 255},
    KitNameRow{KitName::probe_fault_alarm, "probe fault alarm name", "alarm-probe-fault-{sys}-{x}-{suffix}", 255},
    KitNameRow{KitName::failover_silent_alarm, "failover silence alarm name", "alarm-failover-silent-{sys}-{x}-{suffix}", 255},
    KitNameRow{KitName::notifications_failed_alarm, "failed notifications alarm name",
               "alarm-notifications-failed-{sys}-{x}-{suffix}", 255},
    KitNameRow{KitName::failover_function, "failover function name", "lambda-failover-{sys}-{x}-{suffix}", 64},
    KitNameRow{KitName::failover_role, "failover role name", "role-failover-{sys}-{x}-{suffix}", 64},
    KitNameRow{KitName::failover_dlq, "failover dead-letter queue name", "sqs-failover-dlq-{sys}-{x}-{suffix}", 80},
    KitNameRow{KitName::failover_dlq_alarm, "failover dead-letter alarm name", "alarm-failover-dlq-{sys}-{x}-{suffix}", 255},
    KitNameRow{KitName::lock_parameter, "failover lock parameter", "/drsynth/{sys}-{suffix}/failover-lock-{x}", 1011},
    KitNameRow{KitName::state_parameter, "failover state parameter", "/drsynth/{sys}-{suffix}/failover-state-{x}", 1011},
    KitNameRow{KitName::witness_function, "witness function name", "lambda-witness-{sys}-{suffix}", 64},
    KitNameRow{KitName::witness_role, "witness role name", "role-witness-{sys}-{suffix}", 64},
    KitNameRow{KitName::witness_grant_parameter, "witness grant parameter", "/drsynth/{sys}-{suffix}/witness-grant", 1011},
    KitNameRow{KitName::lease_parameter, "lease parameter", "/drsynth/{sys}-{suffix}/lease-{x}", 1011},
    KitNameRow{KitName::lease_record_parameter, "lease record parameter", "/drsynth/{sys}-{suffix}/lease-record-{x}", 1011},
};

constexpr bool kit_rows_in_order() {
  for (std::size_t i = 0; i < kit_name_rules.size(); ++i)
    if (static_cast<std::size_t>(kit_name_rules[i].name) != i) return false;
  return static_cast<std::size_t>(KitName::lease_record_parameter) + 1 == kit_name_rules.size();
}
static_assert(kit_rows_in_order(), "kit_name_rules: one row per KitName, in the enum's order");

// How often a placeholder occurs in a pattern, and the pattern's length without placeholders.
constexpr std::size_t count_of(std::string_view pattern, std::string_view placeholder) {
  std::size_t n = 0;
  for (std::size_t at = pattern.find(placeholder); at != std::string_view::npos; at = pattern.find(placeholder, at + 1)) ++n;
  return n;
}
constexpr std::size_t literal_length(std::string_view pattern) {
  return pattern.size() - 5 * count_of(pattern, "{sys}") - 3 * count_of(pattern, "{x}") - 3 * count_of(pattern, "{s}") -
         8 * count_of(pattern, "{suffix}");
}

// The longest suffix every kit name can take for a system tag and its
// longest site word, and the row that sets it.
struct KitSuffixRoom {
  std::size_t max_length;
  const KitNameRow* binding;
};
constexpr KitSuffixRoom kit_suffix_room(std::string_view system, std::size_t longest_word) {
  KitSuffixRoom room{SIZE_MAX, &kit_name_rules.front()};
  for (const auto& r : kit_name_rules) {
    const std::size_t fixed = literal_length(r.pattern) + count_of(r.pattern, "{sys}") * system.size() +
                              (count_of(r.pattern, "{x}") + count_of(r.pattern, "{s}")) * longest_word;
    const std::size_t left = r.max_length > fixed ? r.max_length - fixed : 0;
    if (left < room.max_length) room = {left, &r};
  }
  return room;
}

// The kit's names for one system, its two site words (A, B) and a suffix.
class KitNames {
 public:
  KitNames(std::string system, std::array<std::string, 2> words, std::string suffix)
      : system_(std::move(system)), words_(std::move(words)), suffix_(std::move(suffix)) {}
  // `x`: the site that runs the piece; `s`: the site it is about (0: A, 1: B).
  [[nodiscard]] std::string operator()(KitName n, int x = 0, int s = 0) const {
    const std::string_view pattern = kit_name_rules[static_cast<std::size_t>(n)].pattern;
    std::string out;
    for (std::size_t i = 0; i < pattern.size();) {
      auto take = [&](std::string_view placeholder, const std::string& value) {
        if (pattern.substr(i, placeholder.size()) != placeholder) return false;
        out += value;
        i += placeholder.size();
        return true;
      };
      if (take("{sys}", system_) || take("{x}", words_[x]) || take("{s}", words_[s]) || take("{suffix}", suffix_)) continue;
      out += pattern[i++];
    }
    return out;
  }
  [[nodiscard]] const std::string& word(int site) const noexcept { return words_[site]; }
  [[nodiscard]] const std::string& suffix() const noexcept { return suffix_; }

 private:
  std::string system_;
  std::array<std::string, 2> words_;
  std::string suffix_;
};

}  // namespace drsynth::patterns::detail
