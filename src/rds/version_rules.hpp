// The engine-version check every RDS construct that names a version makes
// (internal): an unknown or deprecated version is an error with the
// construct's code (E720 for RDS for PostgreSQL, E931 for Aurora), naming the
// prop and the versions that work; a version AWS stops creating within 90 days
// is warning E970 (only where `warn`: one construct per database, not each of
// its parameter groups).
#pragma once

#include <string>
#include <string_view>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/rds/engine_versions.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::rds::detail {

// deploy.sh asks RDS of the stack's region about `version` (or what an
// override sets `resource`'s EngineVersion to) before touching any stack.
inline void add_deploy_check(Stack& stack, const Construct& at, Engine e, const std::string& version, bool global,
                             const CfnResource& resource) {
  const std::string engine(engine_name(e));
  stack.add_pre_deploy_check(
      {.kind = Stack::PreDeployCheck::Kind::engine_version,
       .engine = engine,
       .version = version,
       .global = global,
       .what = at.path(),
       .hint = "Set engine_version of " + at.path() +
               " (the setting engineVersion of the built-in systems) to a version that `aws rds "
               "describe-db-engine-versions --engine " + engine + " --region " + stack.region() +
               " --query \"DBEngineVersions[?Status=='available'].EngineVersion\"` lists and drsynth accepts "
               "(docs/engine-versions.md), synthesize again and rerun deploy.sh.",
       .resource = &resource});
}

// `prop` is the construct's engine_version; where an override of
// `resource`'s EngineVersion replaces it, the override's text is checked
// instead (an intrinsic or a removal leaves nothing to check here).
inline void check_engine_version(Validation& v, const Construct& at, Engine e, const std::string& prop,
                                 const CfnResource& resource, ErrorCode code, bool warn) {
  std::string version = prop;
  std::string label = "engine_version";
  if (const auto after = resource.property_after_overrides("EngineVersion"); after.overridden) {
    if (!after.value || !after.value->is_string()) return;
    version = after.value->as_string();
    label = "EngineVersion (set by an override of " + resource.path() + ")";
  }
  const std::string day = today();
  const auto c = rds::check_engine_version(e, version, day);
  if (c.verdict == VersionVerdict::deprecated || c.verdict == VersionVerdict::unknown)
    v.error(code, at, label + ": " + version_problem(e, c, version), version,
            "a version AWS creates today: " + usable_versions_text(e, day));
  else if (warn && c.verdict == VersionVerdict::near_deprecation)
    v.warning(codes::E970, at, label + ": " + version_problem(e, c, version), version,
              "a version AWS keeps creating: " + usable_versions_text(e, day) +
                  " (pin the new one before that day: a deployment on a version AWS no longer creates fails)");
}

}  // namespace drsynth::rds::detail
