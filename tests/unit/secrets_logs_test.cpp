#include <catch2/catch.hpp>

#include "drsynth/drsynth.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/rds/database_instance.hpp"
#include "drsynth/secrets/database_secret.hpp"
#include "net_test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::Template;
using json = nlohmann::json;

TEST_CASE("DatabaseSecret generates a 32-character password without RDS-forbidden characters, replicated to other regions",
          "[secrets]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<secrets::DatabaseSecret>("DbSecret", {.name = "postgres-master-dev", .replica_regions = {"eu-west-1"}});
  auto t = Template::from_app(app, "S");
  t.has_resource("AWS::SecretsManager::Secret",
                 {{"DeletionPolicy", "Delete"},
                  {"UpdateReplacePolicy", "Delete"},
                  {"Properties",
                   {{"Name", "postgres-master-dev"},
                    {"GenerateSecretString", {{"SecretStringTemplate", "{\"username\":\"postgres\"}"},
                                              {"GenerateStringKey", "password"},
                                              {"PasswordLength", 32},
                                              {"ExcludeCharacters", " \"'/@\\"}}},
                    {"SecretString", absent()},
                    {"ReplicaRegions", json::array({{{"Region", "eu-west-1"}}})}}}});
  CHECK(t.find_resources("AWS::SecretsManager::Secret") == std::vector<std::string>{"DbSecret685A0FA5"});
}

TEST_CASE("DatabaseSecret exposes the ARN and dynamic references to username and password", "[secrets]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& secret = s.add<secrets::DatabaseSecret>("DbSecret", {.username = "dbadmin"});
  // The outputs below exist only to inspect the rendered references; a real app never outputs them (S004).
  s.acknowledge("S004", "test outputs the dynamic references to inspect how they render");
  s.add<CfnOutput>("Arn", CfnOutputProps{.value = secret.secret_arn()});
  s.add<CfnOutput>("User", CfnOutputProps{.value = secret.username_ref()});
  auto t = Template::from_app(app, "S");
  t.has_output("Arn", {{"Value", {{"Ref", "DbSecret685A0FA5"}}}});
  t.has_output("User", {{"Value", {{"Fn::Join", json::array({"", json::array({"{{resolve:secretsmanager:",
                                                                            {{"Ref", "DbSecret685A0FA5"}},
                                                                            ":SecretString:username}}"})})}}}});
  CHECK(secret.password_ref().describe().find("SecretString:password") != std::string::npos);
  t.has_resource_properties("AWS::SecretsManager::Secret",
                            {{"GenerateSecretString", {{"SecretStringTemplate", "{\"username\":\"dbadmin\"}"}}}});
}

TEST_CASE("DatabaseSecret validation reports bad names, usernames, lengths, exclusions and replica regions",
          "[secrets][validation]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<secrets::DatabaseSecret>("Bad", {.name = "bad name!",
                                         .username = "1admin",
                                         .replica_regions = {"us-east-1", "mars-1", "eu-west-1", "eu-west-1"},
                                         .exclude_characters = "@",
                                         .password_length = 4});
  s.add<secrets::DatabaseSecret>("Reserved", {.username = "rdsadmin"});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E740", "S/Bad", "bad name!"));
  CHECK(net_test::has_diagnostic(ds, "E741", "S/Bad", "1admin"));
  CHECK(net_test::has_diagnostic(ds, "E741", "S/Reserved", "rdsadmin"));
  CHECK(net_test::has_diagnostic(ds, "E742", "S/Bad", "4"));
  CHECK(net_test::has_diagnostic(ds, "E743", "S/Bad", "@"));
  CHECK(net_test::has_diagnostic(ds, "E744", "S/Bad", "us-east-1"));
  CHECK(net_test::has_diagnostic(ds, "E744", "S/Bad", "mars-1"));
  CHECK(net_test::has_diagnostic(ds, "E744", "S/Bad", "eu-west-1"));
}

TEST_CASE("DatabaseSecret attached to two instances is an error", "[secrets][validation]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  auto& vpc = s.add<ec2::Vpc>("Vpc", {});
  auto& sg = s.add<ec2::SecurityGroup>("Sg", {.vpc = vpc});
  auto& secret = s.add<secrets::DatabaseSecret>("DbSecret", {});
  s.add<rds::DatabaseInstance>("One", {.instance_identifier = "one", .vpc = vpc, .security_groups = {sg}, .secret = secret});
  s.add<rds::DatabaseInstance>("Two", {.instance_identifier = "two", .vpc = vpc, .security_groups = {sg}, .secret = secret});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E747", "S/DbSecret", "S/Two"));
}

TEST_CASE("LogGroup renders its name, retention and removal policy", "[logs]") {
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "eu-west-1"}});
  auto& lg = s.add<logs::LogGroup>("Logs", {.log_group_name = logs::rds_postgresql_log_group_name("postgres-replica-dev"),
                                            .retention_days = 7,
                                            .removal_policy = RemovalPolicy::retain});
  auto t = Template::from_app(app, "S");
  t.has_resource("AWS::Logs::LogGroup",
                 {{"DeletionPolicy", "Retain"},
                  {"UpdateReplacePolicy", "Retain"},
                  {"Properties", {{"LogGroupName", "/aws/rds/instance/postgres-replica-dev/postgresql"}, {"RetentionInDays", 7}}}});
  CHECK(lg.log_group_name() == "/aws/rds/instance/postgres-replica-dev/postgresql");
}

TEST_CASE("LogGroup validation accepts only CloudFormation's retention values and valid names", "[logs][validation]") {
  CHECK(logs::is_valid_retention(30));
  CHECK(logs::is_valid_retention(3653));
  CHECK_FALSE(logs::is_valid_retention(10));
  CHECK_FALSE(logs::is_valid_retention(0));
  App app({.read_environment = false});
  auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
  s.add<logs::LogGroup>("Bad", {.log_group_name = "bad name", .retention_days = 10, .removal_policy = RemovalPolicy::snapshot});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E745", "S/Bad", "bad name"));
  CHECK(net_test::has_diagnostic(ds, "E746", "S/Bad", "10"));
  CHECK(net_test::has_diagnostic(ds, "E748", "S/Bad", "snapshot"));
}
