// S3's bucket-name rules as one table (internal), read by the two places that
// check an asset bucket: `drsynth deploy-plan --s3-bucket` (E543, cli_checks.cpp)
// and deploy.sh, whose shell test of DRSYNTH_S3_BUCKET is generated from the
// same rows, so both accept exactly the same names. Besides S3's own rules, an
// app whose stacks need a bucket in more than one region must put "{region}" in
// the name: Lambda reads code only from a bucket of its own region.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace drsynth::detail {

// Why `name` (the name in one region, "{region}" already replaced) is not a
// valid S3 bucket name; empty when it is.
[[nodiscard]] std::string s3_bucket_problem(std::string_view name);
// Why `pattern` cannot serve the `regions` (missing "{region}" for two or more); empty when it can.
[[nodiscard]] std::string bucket_pattern_problem(std::string_view pattern, const std::set<std::string>& regions);
// `pattern` with every "{region}" replaced by `region`.
[[nodiscard]] std::string bucket_in_region(std::string pattern, std::string_view region);
// A bash function `drsynth_bucket_problem NAME` that prints s3_bucket_problem(NAME)
// (nothing for a valid name), generated from the same rules.
[[nodiscard]] std::string bucket_problem_shell_function();

}  // namespace drsynth::detail
