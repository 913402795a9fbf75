// Conditions and mappings: one template that deploys differently by
// parameter and by region. A CfnMapping holds each region's retention, read
// with Fn::FindInMap; a CfnCondition on the Env parameter decides whether the
// archive topic exists (Condition) and how the log group is named (Fn::If).
#include <drsynth/drsynth.hpp>

using namespace drsynth;

int main(int argc, char** argv) {
  return cli::run(argc, argv, [](App& app) {
    for (const char* region : {"us-east-1", "eu-west-1"}) {
      auto& s = app.add<Stack>(std::string("Logs-") + region,
                               StackProps{.env = {.region = region}, .description = "conditions and mappings example"});
      auto& env = s.add<CfnParameter>("Env", CfnParameterProps{.default_value = Value("dev"),
                                                                .description = "dev or prod",
                                                                .allowed_values = {"dev", "prod"}});
      auto& is_prod = s.add<CfnCondition>("IsProd", {.expression = condition_equals(env.ref(), "prod")});
      auto& retention = s.add<CfnMapping>(
          "Retention", {.mapping = {{"us-east-1", {{"Days", 30}}}, {"eu-west-1", {{"Days", 90}}}}});

      auto& logs = s.add<CfnResource>("Logs", CfnResourceProps{.type = "AWS::Logs::LogGroup"});
      logs.set_property("RetentionInDays", retention.find_in_map(Value::pseudo(Pseudo::region), "Days"));
      logs.set_property("LogGroupName", fn_if(is_prod, "/example/prod", "/example/dev"));
      logs.apply_removal_policy(RemovalPolicy::destroy);

      auto& archive = s.add<CfnResource>("Archive", CfnResourceProps{.type = "AWS::SNS::Topic"});
      archive.set_property("KmsMasterKeyId", "alias/aws/sns");
      archive.set_condition(is_prod);
      s.add<CfnOutput>("LogsArn", CfnOutputProps{.value = logs.get_att("Arn")});
    }
    Tags::of(app).add("Project", "drsynth-example");
  });
}
