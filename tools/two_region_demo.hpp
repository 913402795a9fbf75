// Temporary built-in app until the disaster-recovery pattern lands: two
// stacks in two regions with a reference across them.
#pragma once

#include "drsynth/drsynth.hpp"

namespace drsynth_demo {

inline void define(drsynth::App& app) {
  using namespace drsynth;
  const std::string suffix = app.context_string("environmentSuffix", "dev");
  auto& primary = app.add<Stack>("Primary", StackProps{.stack_name = "DrPrimary-" + suffix, .env = {.region = "us-east-1"}});
  auto& topic = primary.add<CfnResource>(
      "Alarms", CfnResourceProps{.type = "AWS::SNS::Topic", .properties = {{"TopicName", Value("alarms-" + suffix)}}});
  auto& replica = app.add<Stack>("Replica", StackProps{.stack_name = "DrReplica-" + suffix, .env = {.region = "eu-west-1"}});
  replica.add<CfnOutput>("PrimaryTopic", CfnOutputProps{.value = topic.ref()});
}

}  // namespace drsynth_demo
