// sqs::Queue, the sns::Topic additions (customer-managed key, TLS-only policy,
// SQS subscriptions) and rds::EventSubscription: template JSON and validation.
#include <catch2/catch.hpp>

#include "aurora_fixture.hpp"
#include "drsynth/drsynth.hpp"
#include "net_test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::Template;
using json = nlohmann::json;

namespace {
json get_att(const std::string& id, const std::string& attr) { return {{"Fn::GetAtt", json::array({id, attr})}}; }
json tls_deny(const std::string& action, const json& resource) {
  return {{"Sid", "EnforceTLS"},
          {"Effect", "Deny"},
          {"Principal", "*"},
          {"Action", action},
          {"Resource", resource},
          {"Condition", {{"Bool", {{"aws:SecureTransport", "false"}}}}}};
}
}  // namespace

TEST_CASE("sns::Topic defaults are unchanged: aws/sns, no topic policy", "[sns]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<sns::Topic>("T", {.topic_name = "plain"});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::SNS::Topic", {{"TopicName", "plain"}, {"KmsMasterKeyId", "alias/aws/sns"}});
  t.resource_count_is("AWS::SNS::TopicPolicy", 0);
}

TEST_CASE("Aurora events: a topic under a customer-managed key, TLS-only, that alarms, RDS and SNS-to-SQS may use",
          "[sns][sqs][events][aurora]") {
  App app({.read_environment = false});
  const auto a = aurora_test::build_aurora_app(app);
  const auto t = Template::from_app(app, "AuroraPrimary-dev");
  const auto& e = a.east_events;
  const std::string key = e.key->resource().logical_id();
  const std::string topic = e.topic->resource().logical_id();
  const std::string queue = e.queue->resource().logical_id();
  const std::string dlq = e.dlq->resource().logical_id();

  t.has_resource_properties("AWS::SNS::Topic", {{"TopicName", "sns-db-events-east-dev"}, {"KmsMasterKeyId", get_att(key, "Arn")}});
  const json account = {{"Ref", "AWS::AccountId"}};
  t.has_resource_properties(
      "AWS::SNS::TopicPolicy",
      {{"Topics", json::array({{{"Ref", topic}}})},
       {"PolicyDocument",
        {{"Statement",
          json::array(
              {tls_deny("sns:Publish", {{"Ref", topic}}),
               {{"Effect", "Allow"},
                {"Principal", {{"Service", "events.rds.amazonaws.com"}}},
                {"Action", "sns:Publish"},
                {"Resource", {{"Ref", topic}}},
                {"Condition",
                 {{"ArnLike", {{"aws:SourceArn", {{"Fn::Sub", "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:*"}}}}},
                  {"StringEquals", {{"aws:SourceAccount", account}}}}}},
               {{"Effect", "Allow"},
                {"Principal", {{"Service", "cloudwatch.amazonaws.com"}}},
                {"Action", "sns:Publish"},
                {"Resource", {{"Ref", topic}}},
                {"Condition",
                 {{"ArnLike", {{"aws:SourceArn", {{"Fn::Sub", "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"}}}}},
                  {"StringEquals", {{"aws:SourceAccount", account}}}}}}})}}}});

  // The key admits exactly the publishers: SNS for this topic only (the SQS subscription),
  // RDS events (the event subscription), CloudWatch (the DLQ alarm's action).
  const json statements = t.resource(key)["Properties"]["KeyPolicy"]["Statement"];
  std::vector<std::string> principals;
  for (const auto& st : statements) principals.push_back(st["Principal"].dump());
  CHECK(principals == std::vector<std::string>{
                          json{{"AWS", {{"Fn::Sub", "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}}}.dump(),
                          json{{"AWS", "*"}}.dump(),  // the Deny of grants but AWS services' (CT.KMS.PR.3)
                          json{{"Service", "sns.amazonaws.com"}}.dump(),
                          json{{"Service", "events.rds.amazonaws.com"}}.dump(),
                          json{{"Service", "cloudwatch.amazonaws.com"}}.dump()});
  // The topic's ARN spelled out from its name: a Ref would make key -> topic -> key a cycle.
  const json topic_arn = {{"Fn::Sub", "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:sns-db-events-east-dev"}};
  CHECK(statements[2]["Condition"] == json{{"ArnEquals", {{"aws:SourceArn", topic_arn}}}});

  // Queue and DLQ: SSE-KMS, redrive after 3 receives, TLS-only, SNS of this topic may send.
  t.has_resource("AWS::SQS::Queue", {{"DeletionPolicy", "Delete"},
                                     {"Properties",
                                      {{"QueueName", "sqs-db-events-east-dev"},
                                       {"KmsMasterKeyId", get_att(key, "Arn")},
                                       {"KmsDataKeyReusePeriodSeconds", 300},
                                       {"SqsManagedSseEnabled", absent()},
                                       {"MessageRetentionPeriod", 345600},
                                       {"RedrivePolicy", {{"deadLetterTargetArn", get_att(dlq, "Arn")},
                                                          {"maxReceiveCount", 3}}}}}});
  t.has_resource_properties("AWS::SQS::Queue", {{"QueueName", "sqs-db-events-dlq-east-dev"},
                                                {"MessageRetentionPeriod", 1209600},
                                                {"RedrivePolicy", absent()}});
  t.has_resource_properties(
      "AWS::SQS::QueuePolicy",
      {{"Queues", json::array({{{"Ref", queue}}})},
       {"PolicyDocument",
        {{"Statement", json::array({tls_deny("sqs:*", get_att(queue, "Arn")),
                                    {{"Effect", "Allow"},
                                     {"Principal", {{"Service", "sns.amazonaws.com"}}},
                                     {"Action", "sqs:SendMessage"},
                                     {"Resource", get_att(queue, "Arn")},
                                     {"Condition", {{"ArnEquals", {{"aws:SourceArn", topic_arn}}}}}}})}}}});
  const std::string sub = t.find_resources("AWS::SNS::Subscription", {{"Protocol", "sqs"}}).at(0);
  CHECK(t.resource(sub)["Properties"] == json{{"TopicArn", {{"Ref", topic}}},
                                              {"Protocol", "sqs"},
                                              {"Endpoint", get_att(queue, "Arn")},
                                              {"RawMessageDelivery", true}});
  CHECK(t.resource(sub)["DependsOn"] == json::array({e.queue->policy()->logical_id()}));

  // RDS cluster events into the topic, once the topic policy admits RDS.
  t.has_resource("AWS::RDS::EventSubscription",
                 {{"DependsOn", json::array({e.topic->policy()->logical_id()})},
                  {"Properties", {{"SnsTopicArn", {{"Ref", topic}}},
                                  {"SourceType", "db-cluster"},
                                  {"EventCategories", {"failover", "failure", "global-failover", "notification"}},
                                  {"SourceIds", json::array({{{"Ref", a.primary_cluster->resource().logical_id()}}})},
                                  {"SubscriptionName", "rds-cluster-events-east-dev"},
                                  {"Enabled", true}}}});
  // DLQ depth alarm (Queue::metric_approximate_number_of_messages_visible), notifying the topic.
  t.has_resource_properties("AWS::CloudWatch::Alarm",
                            {{"AlarmName", "alarm-db-events-dlq-east-dev"},
                             {"Namespace", "AWS/SQS"},
                             {"MetricName", "ApproximateNumberOfMessagesVisible"},
                             {"Dimensions", json::array({{{"Name", "QueueName"}, {"Value", get_att(dlq, "QueueName")}}})},
                             {"Statistic", "Maximum"},
                             {"Threshold", 0},
                             {"ComparisonOperator", "GreaterThanThreshold"},
                             {"AlarmActions", json::array({{{"Ref", topic}}})}});
}

TEST_CASE("sqs::Queue without a key uses SQS-managed SSE; enforce_tls can be turned off", "[sqs]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& q = s.add<sqs::Queue>("Q", {.enforce_tls = false});
  auto t = Template::from_app(app, "S");
  t.has_resource_properties("AWS::SQS::Queue", {{"SqsManagedSseEnabled", true}, {"KmsMasterKeyId", absent()}});
  t.resource_count_is("AWS::SQS::QueuePolicy", 0);
  CHECK(q.policy() == nullptr);
  CHECK(q.metric_approximate_age_of_oldest_message().unit == "Seconds");
}

TEST_CASE("sqs, sns and event subscription validation", "[sqs][sns][events][validation]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& w = app.add<Stack>("W", StackProps{.env = {.region = "eu-west-1"}});
  auto& west_key = w.add<kms::Key>("Key", {});
  auto& west_dlq = w.add<sqs::Queue>("Dlq", {});
  auto& short_dlq = s.add<sqs::Queue>("ShortDlq", {.message_retention_seconds = 60});
  s.add<sqs::Queue>("Bad", {.queue_name = "bad.name.fifo", .kms_key = west_key, .kms_data_key_reuse_seconds = 10,
                            .visibility_timeout_seconds = 50000, .dead_letter_queue = west_dlq, .max_receive_count = 0,
                            .removal_policy = RemovalPolicy::snapshot});
  auto& q = s.add<sqs::Queue>("Short", {.dead_letter_queue = short_dlq});
  q.allow_send_from("sns", Value("arn:aws:sns:us-east-1:123456789012:t"));
  auto& topic = s.add<sns::Topic>("Topic", {.kms_master_key_id = "alias/other", .kms_key = west_key});
  topic.allow_publish_from("not-a-principal");
  auto& plain = s.add<sns::Topic>("Plain", {});
  auto& shared_key = s.add<kms::Key>("SharedKey", {});
  auto& unnamed = s.add<sns::Topic>("Unnamed", {.kms_key = shared_key});
  unnamed.add_sqs_subscription(s.add<sqs::Queue>("SharedQueue", {.kms_key = shared_key}));
  auto& west_topic = w.add<sns::Topic>("WestTopic", {.kms_key = west_key});
  s.add<rds::EventSubscription>("Events", {.topic = plain,
                                           .source_type = "db-cluster",
                                           .event_categories = {"backup", "failover", "failover"},
                                           .source_ids = {Value("a"), Value("a"), Value("")},
                                           .subscription_name = "-bad"});
  s.add<rds::EventSubscription>("Far", {.topic = west_topic, .source_type = "db-proxy-endpoint"});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E925", "S/Bad", "bad.name.fifo"));
  CHECK(net_test::has_diagnostic(ds, "E926", "S/Bad", "50000 s"));
  CHECK(net_test::has_diagnostic(ds, "E926", "S/Bad", "10 s"));
  CHECK(net_test::has_diagnostic(ds, "E927", "S/Bad", "eu-west-1"));
  CHECK(net_test::has_diagnostic(ds, "E927", "S/Bad", "0"));
  CHECK(net_test::has_diagnostic(ds, "E927", "S/Short", "60 s"));
  CHECK(net_test::has_diagnostic(ds, "E928", "S/Bad", "eu-west-1"));
  CHECK(net_test::has_diagnostic(ds, "E928", "S/Bad", "snapshot"));
  CHECK(net_test::has_diagnostic(ds, "E929", "S/Short", "sns"));
  CHECK(net_test::has_diagnostic(ds, "E961", "S/Topic", "eu-west-1"));
  CHECK(net_test::has_diagnostic(ds, "E961", "S/Topic", "alias/other"));
  CHECK(net_test::has_diagnostic(ds, "E961", "S/Topic", "not-a-principal"));
  CHECK(net_test::has_diagnostic(ds, "E961", "S/Unnamed", "topic_name empty"));
  CHECK(net_test::has_diagnostic(ds, "E946", "S/Events", "backup"));
  CHECK(net_test::has_diagnostic(ds, "E946", "S/Events", "failover"));
  CHECK(net_test::has_diagnostic(ds, "E949", "S/Events", "\"a\""));
  CHECK(net_test::has_diagnostic(ds, "E949", "S/Events", "\"\""));
  CHECK(net_test::has_diagnostic(ds, "E947", "S/Events", "-bad"));
  CHECK(net_test::has_diagnostic(ds, "E948", "S/Events", "alias/aws/sns"));
  CHECK(net_test::has_diagnostic(ds, "E945", "S/Far", "db-proxy-endpoint"));
  CHECK(net_test::has_diagnostic(ds, "E948", "S/Far", "eu-west-1"));
  CHECK(rds::event_categories_of("db-cluster").size() == 10);
}
