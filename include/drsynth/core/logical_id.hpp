// Logical IDs, computed exactly as aws-cdk-lib does (makeUniqueId), so an app
// ported from the AWS CDK keeps its logical IDs and CloudFormation updates its
// resources in place instead of replacing them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace drsynth {

// components: the construct ids from below the stack down to the element.
// "Default" is dropped everywhere; one remaining component is its own ID
// (non-alphanumerics removed); otherwise the human part (consecutive
// suffix-duplicates and "Resource" dropped, non-alphanumerics removed, cut to
// 240) plus the first 8 hex digits, upper case, of the MD5 of the remaining
// components joined by '/'.
[[nodiscard]] std::string make_logical_id(const std::vector<std::string_view>& components);

// The hex MD5 of a string (lower case). Used for logical IDs.
[[nodiscard]] std::string md5_hex(std::string_view data);
// The hex SHA-256 of a string (lower case). Used for asset hashes.
[[nodiscard]] std::string sha256_hex(std::string_view data);

}  // namespace drsynth
