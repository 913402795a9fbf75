// What the fuzz targets that read an assembly back share: a small app
// synthesized once, and a folder of this process to write the input's files to.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "drsynth/drsynth.hpp"

namespace fuzz {

// Base-dev (us-east-1): a KMS key and an output of its ARN; with `use`, a
// second stack Use-dev (eu-west-1) whose topic reads the key's ARN.
inline drsynth::Assembly synthesize_base(drsynth::App& app, bool use) {
  auto& s = app.add<drsynth::Stack>("Base", drsynth::StackProps{.stack_name = "Base-dev", .env = {.region = "us-east-1"}});
  auto& key = s.add<drsynth::CfnResource>("Key", drsynth::CfnResourceProps{.type = "AWS::KMS::Key"});
  key.apply_removal_policy(drsynth::RemovalPolicy::destroy);
  s.add<drsynth::CfnOutput>("KeyArn", drsynth::CfnOutputProps{.value = key.get_att("Arn")});
  if (use) {
    auto& other = app.add<drsynth::Stack>("Use", drsynth::StackProps{.stack_name = "Use-dev", .env = {.region = "eu-west-1"}});
    other.add<drsynth::CfnResource>("Topic", drsynth::CfnResourceProps{.type = "AWS::SNS::Topic",
                                                                       .properties = {{"KmsMasterKeyId", key.get_att("Arn")}}});
  }
  return drsynth::synthesize(app);
}

// An empty folder of this process (the same one each call).
inline const std::filesystem::path& fresh_folder(std::string_view name) {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / (std::string(name) + "-" + std::to_string(::getpid()));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void put(const std::filesystem::path& p, std::string_view text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

// Both ways against `current`: the diff, its text (with and without colour)
// and JSON, and the replacement guard's check.
inline void compare(const drsynth::Assembly& before, const drsynth::Assembly& current) {
  for (const bool forward : {true, false}) {
    const auto d = forward ? drsynth::diff_assemblies(before, current) : drsynth::diff_assemblies(current, before);
    (void)drsynth::format_diff(d, {.color = true});
    (void)drsynth::format_diff(d, {.color = false});
    (void)drsynth::diff_to_json(d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const auto& diag : drsynth::check_replacements(d, forward ? current : before)) (void)diag.format();
  }
}

}  // namespace fuzz
