// Comparing two JSON values of a template, and what a changed property of a
// resource means to CloudFormation.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drsynth/tools/diff.hpp"

namespace drsynth::detail {

// Appends the differences between `before` and `after` (nullptr: absent)
// below `path`. Objects are compared key by key; arrays of the same length
// element by element, others as the elements removed and added; an intrinsic
// function ({"Ref": ...}, {"Fn::...": ...}) is one value.
void diff_values(const nlohmann::json* before, const nlohmann::json* after, const std::string& path,
                 std::vector<ValueChange>& out);

// Sets c.impact and c.reason for a change inside a resource of `type`
// ("Properties/..." paths go through the update-rule table).
void classify(const std::string& type, ValueChange& c);

// The value at a '/'-joined path, nullptr when there is none.
[[nodiscard]] const nlohmann::json* value_at(const nlohmann::json& root, const std::string& path);

// A path for people: "Properties/Tags/2/Value" -> "Tags[2].Value" (the
// "Properties/" prefix dropped, indices in brackets, levels joined by '.').
[[nodiscard]] std::string display_path(const std::string& path);

// Compact JSON for messages, cut to `max` characters.
[[nodiscard]] std::string short_json(const nlohmann::json& v, std::size_t max = 120);

// The strongest of the changes' impacts (none for no changes).
[[nodiscard]] UpdateImpact strongest(const std::vector<ValueChange>& changes) noexcept;

}  // namespace drsynth::detail
