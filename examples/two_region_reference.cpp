// Two regions, three stacks: an SNS topic in us-east-1 with one queue
// subscribed from the same region and one from eu-west-1. drsynth turns the
// references to the topic into Fn::ImportValue + Export (same region) and
// Fn::GetStackOutput (across regions), and orders the stacks in manifest.json.
// The west stack also outputs the topic's ARN: an output read from another
// region is written inside Fn::Join (docs/architecture.md).
#include <drsynth/drsynth.hpp>

using namespace drsynth;

namespace {
// A queue in `stack` subscribed to `topic` (which may live in another stack).
void subscribe_queue(Stack& stack, const CfnResource& topic, const std::string& name) {
  auto& queue = stack.add<CfnResource>(
      "Queue", CfnResourceProps{.type = "AWS::SQS::Queue", .properties = {{"QueueName", Value(name)}}});
  auto& sub = stack.add<CfnResource>("Subscription", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", topic.ref());
  sub.set_property("Protocol", "sqs");
  sub.set_property("Endpoint", queue.get_att("Arn"));
  sub.set_property("Region", "us-east-1");  // the topic's region
}
}  // namespace

int main(int argc, char** argv) {
  return cli::run(argc, argv, [](App& app) {
    auto& east = app.add<Stack>("East", StackProps{.stack_name = "ExampleEast", .env = {.region = "us-east-1"}});
    auto& topic = east.add<CfnResource>(
        "Topic", CfnResourceProps{.type = "AWS::SNS::Topic", .properties = {{"TopicName", "example-topic"}}});
    east.add<CfnOutput>("TopicArn", CfnOutputProps{.value = topic.ref(), .description = "the topic"});

    auto& consumer =
        app.add<Stack>("EastConsumer", StackProps{.stack_name = "ExampleEastConsumer", .env = {.region = "us-east-1"}});
    subscribe_queue(consumer, topic, "example-east-queue");  // Fn::ImportValue

    auto& west = app.add<Stack>("West", StackProps{.stack_name = "ExampleWest", .env = {.region = "eu-west-1"}});
    subscribe_queue(west, topic, "example-west-queue");  // Fn::GetStackOutput
    west.add<CfnOutput>("TopicArn", CfnOutputProps{.value = topic.ref(), .description = "the topic, read from us-east-1"});
    Tags::of(app).add("Project", "drsynth-example");
  });
}
