// An app written against the include paths before the layer folders
// (<drsynth/app.hpp>, ...): the installed package forwards each of them to
// its new path for one release. Compiled with -Werror by
// tests/tools/consumer.sh, once as is and once with
// DRSYNTH_WARN_DEPRECATED_HEADERS, which makes each old path say its new one.
#include <drsynth/app.hpp>
#include <drsynth/assertions.hpp>
#include <drsynth/asset.hpp>
#include <drsynth/cfn_condition.hpp>
#include <drsynth/cfn_element.hpp>
#include <drsynth/cfn_mapping.hpp>
#include <drsynth/cfn_output.hpp>
#include <drsynth/cfn_resource.hpp>
#include <drsynth/cli.hpp>
#include <drsynth/construct.hpp>
#include <drsynth/diff.hpp>
#include <drsynth/entry_writer.hpp>
#include <drsynth/error.hpp>
#include <drsynth/graph.hpp>
#include <drsynth/link.hpp>
#include <drsynth/logical_id.hpp>
#include <drsynth/removal_policy.hpp>
#include <drsynth/safety_review.hpp>
#include <drsynth/settings.hpp>
#include <drsynth/sns/topic.hpp>
#include <drsynth/stack.hpp>
#include <drsynth/synth.hpp>
#include <drsynth/tags.hpp>
#include <drsynth/value.hpp>
#include <drsynth/version.hpp>

int main() {
  drsynth::App app({.read_environment = false});
  auto& stack = app.add<drsynth::Stack>("Old", drsynth::StackProps{.env = {.region = "eu-west-1"}});
  stack.add<drsynth::sns::Topic>("Topic", drsynth::sns::TopicProps{.topic_name = "old-paths"});
  drsynth::assertions::Template::from_app(app, "Old").resource_count_is("AWS::SNS::Topic", 1);
  return 0;
}
