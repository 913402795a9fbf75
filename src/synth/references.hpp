// The references pass: before anything is written, every reference between
// stacks is found and settled, so that each template can then be written
// once, top to bottom. Not part of the public API.
//
// How a Ref/GetAtt used in stack B to an element of stack A resolves:
//   A is B                          Ref / Fn::GetAtt
//   same account and region         Fn::ImportValue of an exported output of A
//   another region (or account)     Fn::GetStackOutput of an output of A
// and in the last two cases B depends on A.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "drsynth/core/error.hpp"
#include "core/reference_kind.hpp"

namespace drsynth {
class CfnElement;
class Stack;
}  // namespace drsynth

namespace drsynth::detail {

// reference_kind() and other_account(): core/reference_kind.hpp.
// "<producer stack name>:<output id>", cut from the left to 255 characters.
[[nodiscard]] std::string export_name(const Stack& producer, const std::string& output_id);

// One use, in an element of one stack, of an element of another stack.
struct FoundReference {
  const CfnElement* target = nullptr;
  // "" for Ref. A copy: an element may write a Value it builds for the
  // occasion (an output read from another region is wrapped in Fn::Join).
  std::string attribute{};
  const CfnElement* at = nullptr;          // the element whose entry holds the reference
};

// Runs the writer of every element of `s` without writing anything, and
// returns the references to other stacks it meets. A reference that cannot
// be made is E302 (target in no stack of this app) or E304 (another known
// account without a reader role), appended to `errors`.
[[nodiscard]] std::vector<FoundReference> find_references(const Stack& s, std::vector<Diagnostic>& errors);

// Why a stack depends on another: the construct that refers and the target.
struct Reason {
  std::string from;
  std::string to;
  bool operator<(const Reason& o) const { return std::tie(from, to) < std::tie(o.from, o.to); }
};

// An output the engine adds to a producer for its consumers in other stacks.
struct Export {
  const CfnElement* target = nullptr;
  std::string attribute;    // "" for Ref
  std::string export_name;  // when `exported`
  bool exported = false;    // a consumer in the same account and region imports it
};

// What the pass settled for one stack.
struct StackLinks {
  std::map<std::string, Export> exports;                    // by output id
  std::map<const Stack*, std::set<Reason>> depends_on;      // the stacks it needs first
};

struct References {
  std::vector<StackLinks> stacks;  // one per stack, in the order given to link_stacks
  std::unordered_map<const Stack*, std::size_t> index;  // a stack's place in `stacks`
  [[nodiscard]] const StackLinks& of(const Stack* s) const { return stacks[index.at(s)]; }
  // The output that carries a target's attribute to other stacks, named like
  // aws-cdk-lib: Exports/Output{"Ref":"X"} -> ExportsOutputRefX<hash>.
  std::map<std::pair<const CfnElement*, std::string>, std::string, std::less<>> output_ids;
  [[nodiscard]] const std::string& output_id(const CfnElement& target, const std::string& attribute) const;
};

// Settles what find_references found, in stack order (so the result does not
// depend on which thread found what): each reference gives the producer an
// output (exported when a consumer in the same account and region imports
// it) and the consumer a dependency; explicit stack dependencies (and
// DependsOn across stacks) join them. An engine output whose id an output of
// the producer already has is E301.
[[nodiscard]] References link_stacks(const std::vector<const Stack*>& stacks,
                                     const std::vector<std::vector<FoundReference>>& found,
                                     std::vector<Diagnostic>& errors);

}  // namespace drsynth::detail
