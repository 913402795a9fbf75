// drsynth diff: pairs of assemblies and the verdicts a user reads, plus the
// replacement guard (rule S007) on the API. The command line is in
// diff_cli_test.cpp.
#include <functional>

#include "drsynth/tools/diff.hpp"
#include "drsynth/drsynth.hpp"
#include "test_support.hpp"

using namespace drsynth;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using DrProps = patterns::PostgresDisasterRecoveryProps;
using Tweak = std::function<void(patterns::PostgresDisasterRecovery&)>;

// A synthesized DR system; the App stays alive with the assembly (its stacks point into it).
struct System {
  App app{AppProps{.read_environment = false}};
  Assembly assembly;
  explicit System(DrProps props = {}, const Tweak& tweak = {}) {
    auto& dr = app.add<patterns::PostgresDisasterRecovery>("DisasterRecovery", std::move(props));
    if (tweak) tweak(dr);
    assembly = synthesize(app);
  }
};

const StackDiff& stack(const AssemblyDiff& d, std::string_view name) {
  for (const auto& s : d.stacks)
    if (s.name == name) return s;
  FAIL("no stack " << name << " in the diff");
  throw std::logic_error("unreachable");
}

const ResourceChange& resource(const StackDiff& s, std::string_view logical_id) {
  for (const auto& r : s.resources)
    if (r.logical_id == logical_id) return r;
  FAIL("no change to " << logical_id << " in " << s.name);
  throw std::logic_error("unreachable");
}

const ValueChange& change(const ResourceChange& r, std::string_view path) {
  for (const auto& c : r.changes)
    if (c.path == path) return c;
  FAIL("no change at " << path << " in " << r.logical_id);
  throw std::logic_error("unreachable");
}

const std::string primary_db = "Primary503D6591";
const std::string replica_db = "ReplicaDDFB2A87";

// An alarm the README's example adds to the failover stack.
void extra_alarm(patterns::PostgresDisasterRecovery& dr) {
  dr.failover_stack().add<cloudwatch::Alarm>(
      "ReplicaConnections", {.alarm_name = "replica-connections-dev",
                             .metric = {.namespace_name = "AWS/RDS",
                                        .metric_name = "DatabaseConnections",
                                        .dimensions = {{"DBInstanceIdentifier", dr.replica().instance_identifier()}},
                                        .statistic = "Maximum"},
                             .threshold = 400,
                             .evaluation_periods = 3});
}

}  // namespace

TEST_CASE("diff: the default system against itself has no differences, in memory and from disk", "[diff]") {
  System a;
  System b;
  const AssemblyDiff d = diff_assemblies(a.assembly, b.assembly);
  CHECK(d.empty());
  CHECK(d.stacks.size() == 7);
  CHECK(format_diff(d) == "No differences.\n");
  CHECK(diff_to_json(d)["equal"] == true);
  CHECK(check_replacements(d, b.assembly).empty());

  test::TempDir dir;
  write_assembly(a.assembly, dir.path / "cdk.out");
  const Assembly read = read_assembly(dir.path / "cdk.out");
  REQUIRE(read.stacks.size() == 7);
  CHECK(read.stacks[0].name == "DrBase-dev");
  CHECK(read.stacks[1].name == "DrPrimary-dev");
  CHECK(read.stacks[1].dependencies == std::vector<std::string>{"DrBase-dev"});
  // The replica stack's probe may decrypt the secret's replica under the base stack's key.
  CHECK(read.stacks[2].dependencies == std::vector<std::string>{"DrBase-dev", "DrPrimary-dev"});
  CHECK(diff_assemblies(read, b.assembly).empty());
  CHECK(diff_assemblies(b.assembly, read).empty());
}

TEST_CASE("diff: an instance class change updates the databases in place with some interruption", "[diff]") {
  System a;
  System b(DrProps{.instance_class = "db.r6g.xlarge"});
  const AssemblyDiff d = diff_assemblies(a.assembly, b.assembly);
  const ResourceChange& db = resource(stack(d, "DrPrimary-dev"), primary_db);
  CHECK(db.kind == ChangeKind::modified);
  CHECK(db.type == "AWS::RDS::DBInstance");
  CHECK(db.path == "DisasterRecovery/Primary/Primary/Resource");
  CHECK(db.impact == UpdateImpact::interruption);
  const ValueChange& c = change(db, "Properties/DBInstanceClass");
  CHECK(c.before == json("db.r6g.large"));
  CHECK(c.after == json("db.r6g.xlarge"));
  // Not in the schema's createOnly lists; the User Guide says "Some interruptions".
  CHECK_THAT(c.reason, Catch::Contains("Update requires: Some interruptions"));
  CHECK(resource(stack(d, "DrReplica-dev"), replica_db).impact == UpdateImpact::interruption);
  CHECK(d.stateful_losses().empty());
  CHECK(check_replacements(d, b.assembly).empty());
  const std::string text = format_diff(d);
  CHECK_THAT(text, Catch::Contains("[~] AWS::RDS::DBInstance Primary503D6591") &&
                       Catch::Contains("DBInstanceClass: \"db.r6g.large\" -> \"db.r6g.xlarge\"  [some interruption]") &&
                       Catch::Contains("updated in place with some interruption") && !Catch::Contains("REPLACEMENT"));
}

TEST_CASE("diff: a DBInstanceIdentifier change replaces the primary database, and what uses it", "[diff]") {
  System a;
  System b({}, [](auto& dr) { dr.primary().resource().add_override("Properties.DBInstanceIdentifier", "postgres-primary-v2"); });
  const AssemblyDiff d = diff_assemblies(a.assembly, b.assembly);
  const ResourceChange& db = resource(stack(d, "DrPrimary-dev"), primary_db);
  CHECK(db.impact == UpdateImpact::replacement);
  CHECK(db.stateful);
  const ValueChange& c = change(db, "Properties/DBInstanceIdentifier");
  CHECK(c.after == json("postgres-primary-v2"));
  CHECK_THAT(c.reason, Catch::Contains("createOnly in the resource schema"));
  // The new instance has a new ARN and endpoint: the secret's attachment
  // points at it, the replica's source (a conditionalCreateOnly property)
  // and the failover stack's records take the new value.
  const ValueChange& target = change(resource(stack(d, "DrPrimary-dev"), "DbSecretAttachment0609CE05"), "Properties/TargetId");
  CHECK(target.indirect);
  CHECK_THAT(target.reason, Catch::Contains("Primary503D6591 is replaced"));
  const ResourceChange& replica = resource(stack(d, "DrReplica-dev"), replica_db);
  CHECK(replica.impact == UpdateImpact::may_replace);
  CHECK(change(replica, "Properties/SourceDBInstanceIdentifier").indirect);
  CHECK(resource(stack(d, "DrFailover-dev"), "PrimaryRecord78148A88").impact == UpdateImpact::no_interruption);
  REQUIRE(d.stateful_losses().size() == 2);
  const std::string text = format_diff(d);
  CHECK_THAT(text, Catch::Contains("REPLACEMENT: CloudFormation creates a new one and deletes this one") &&
                       Catch::Contains("!!! STATEFUL RESOURCE REPLACED") &&
                       Catch::Contains("DBInstanceIdentifier: \"postgres-primary-dev\" -> \"postgres-primary-v2\"  [replacement]"));
  const json j = diff_to_json(d);
  CHECK(j["equal"] == false);
  CHECK(j["summary"]["statefulLosses"] == 2);
}

TEST_CASE("diff: a replaced subnet group replaces the database that names it, though its text is the same", "[diff]") {
  System a;
  System b({}, [](auto& dr) {
    auto* group = dynamic_cast<CfnResource*>(dr.primary_stack().find_child("DbSubnets")->find_child("Default"));
    REQUIRE(group != nullptr);
    group->add_override("Properties.DBSubnetGroupName", "db-subnets-primary-dev-2");
  });
  const AssemblyDiff d = diff_assemblies(a.assembly, b.assembly);
  const StackDiff& primary = stack(d, "DrPrimary-dev");
  CHECK(resource(primary, "DbSubnets").impact == UpdateImpact::replacement);
  const ResourceChange& db = resource(primary, primary_db);
  CHECK(db.impact == UpdateImpact::replacement);
  const ValueChange& c = change(db, "Properties/DBSubnetGroupName");
  CHECK(c.indirect);
  CHECK(c.after == json{{"Ref", "DbSubnets"}});
  CHECK_THAT(c.reason, Catch::Contains("DbSubnets is replaced, so this value changes") && Catch::Contains("createOnly"));
  const auto refused = check_replacements(d, b.assembly);
  REQUIRE_FALSE(refused.empty());
  CHECK(refused.front().path == "DisasterRecovery/Primary/Primary/Resource");
  CHECK_THAT(refused.front().got, Catch::Contains("DBSubnetGroupName: same text, new value (DbSubnets is replaced"));
}

TEST_CASE("diff: an export whose value changes while another stack imports it is flagged", "[diff]") {
  System a;
  System b({}, [](auto& dr) { dr.replica().resource().add_override("Properties.DBInstanceIdentifier", "postgres-replica-v2"); });
  const AssemblyDiff d = diff_assemblies(a.assembly, b.assembly);
  const StackDiff& replica = stack(d, "DrReplica-dev");
  const EntryChange* export_change = nullptr;
  for (const auto& o : replica.outputs)
    if (o.id.rfind("ExportsOutputFnGetAttReplica", 0) == 0) export_change = &o;
  REQUIRE(export_change != nullptr);
  CHECK_THAT(export_change->note, Catch::Contains("exported and imported by DrFailover-dev") &&
                                      Catch::Contains("CloudFormation refuses to change an export"));
  CHECK(resource(stack(d, "DrFailover-dev"), "ReplicaRecord7DFEC069").changes.front().indirect);
}

TEST_CASE("diff: turning storage encryption off replaces the database", "[diff]") {
  System a;
  System b({}, [](auto& dr) {
    dr.primary().resource().add_override("Properties.StorageEncrypted", false);
    dr.primary().acknowledge("S003", "test: what the diff says about an unencrypted database");
  });
  const AssemblyDiff d = diff_assemblies(a.assembly, b.assembly);
  const ResourceChange& db = resource(stack(d, "DrPrimary-dev"), primary_db);
  CHECK(db.impact == UpdateImpact::replacement);
  const ValueChange& c = change(db, "Properties/StorageEncrypted");
  CHECK(c.before == json(true));
  CHECK(c.after == json(false));
  CHECK(c.impact == UpdateImpact::replacement);
}

TEST_CASE("diff: a renamed construct id changes the logical ID: a delete plus a create, with the cause", "[diff]") {
  // A small stack with one database.
  auto make = [](App& app, const std::string& db_id) {
    auto& stack = app.add<Stack>("Data", StackProps{.env = {.region = "us-east-1"}});
    auto& vpc = stack.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16", .subnet_name = "db"});
    auto& sg = stack.add<ec2::SecurityGroup>("DbSg", {.vpc = vpc, .description = "db"});
    auto& secret = stack.add<secrets::DatabaseSecret>("DbSecret", {});
    stack.add<rds::DatabaseInstance>(db_id, {.instance_identifier = "orders-db", .vpc = vpc, .security_groups = {sg},
                                             .secret = secret});
  };
  App old_app{AppProps{.read_environment = false}};
  make(old_app, "Orders");
  const Assembly before = synthesize(old_app);
  App new_app{AppProps{.read_environment = false}};
  make(new_app, "OrdersDb");
  const Assembly after = synthesize(new_app);

  const AssemblyDiff d = diff_assemblies(before, after);
  const StackDiff& s = stack(d, "Data");
  const ResourceChange* renamed = nullptr;
  for (const auto& r : s.resources)
    if (r.type == "AWS::RDS::DBInstance") renamed = &r;
  REQUIRE(renamed != nullptr);
  CHECK(renamed->kind == ChangeKind::renamed);
  CHECK(renamed->previous_logical_id.rfind("Orders", 0) == 0);
  CHECK(renamed->logical_id.rfind("OrdersDb", 0) == 0);
  CHECK(renamed->previous_path == "Data/Orders/Resource");
  CHECK(renamed->path == "Data/OrdersDb/Resource");
  CHECK(renamed->impact == UpdateImpact::replacement);
  CHECK(renamed->cause == "construct id \"Orders\" renamed to \"OrdersDb\" in Data");
  const std::string text = format_diff(d);
  CHECK_THAT(text, Catch::Contains("[-/+] AWS::RDS::DBInstance " + renamed->previous_logical_id + " -> " + renamed->logical_id) &&
                       Catch::Contains("REPLACEMENT: the logical ID changes, CloudFormation creates " + renamed->logical_id +
                                       " and deletes " + renamed->previous_logical_id) &&
                       Catch::Contains("because construct id \"Orders\" renamed to \"OrdersDb\" in Data"));
  // Every resource under the renamed construct is renamed the same way; nothing is left as a bare add or remove.
  for (const auto& r : s.resources) CHECK(r.kind != ChangeKind::added);

  // The guard: an error naming the construct and the cause, unless acknowledged.
  // (The database's log group is renamed with it, and is stateful too.)
  const auto refused = check_replacements(d, after);
  REQUIRE(refused.size() == 2);
  CHECK(refused[0].code == "S007");
  CHECK(refused[0].severity == Severity::error);
  CHECK(refused[0].path == "Data/OrdersDb/LogRetentionpostgresql/Resource");
  CHECK(refused[1].path == "Data/OrdersDb/Resource");
  CHECK_THAT(refused[1].format(), Catch::Contains("stateful resource AWS::RDS::DBInstance " + renamed->previous_logical_id) &&
                                      Catch::Contains("would be replaced: its logical ID becomes " + renamed->logical_id) &&
                                      Catch::Contains("construct id \"Orders\" renamed to \"OrdersDb\" in Data"));
  App acked_app{AppProps{.read_environment = false}};
  make(acked_app, "OrdersDb");
  acked_app.find_child("Data")->acknowledge("S007", "the orders database is empty until launch");
  const Assembly acked = synthesize(acked_app);
  const auto noted = check_replacements(diff_assemblies(before, acked), acked);
  REQUIRE(noted.size() == 2);
  for (const auto& n : noted) {
    CHECK(n.severity == Severity::note);
    CHECK_THAT(n.message, Catch::Contains("[acknowledged: the orders database is empty until launch]"));
  }
}

TEST_CASE("diff: a removed alarm is deleted, an added output is listed", "[diff]") {
  System with_alarm({}, extra_alarm);
  System plain;
  const AssemblyDiff removed = diff_assemblies(with_alarm.assembly, plain.assembly);
  const StackDiff& failover = stack(removed, "DrFailover-dev");
  REQUIRE(failover.resources.size() == 1);
  const ResourceChange& alarm = failover.resources[0];
  CHECK(alarm.kind == ChangeKind::removed);
  CHECK(alarm.type == "AWS::CloudWatch::Alarm");
  CHECK(alarm.path == "DisasterRecovery/Failover/ReplicaConnections/Resource");
  CHECK(alarm.cause == "deleted");
  CHECK_FALSE(alarm.stateful);
  CHECK(removed.stateful_losses().empty());
  CHECK_THAT(format_diff(removed), Catch::Contains("[-] AWS::CloudWatch::Alarm " + alarm.logical_id) &&
                                       Catch::Contains("1 stack with differences: 0 resources replaced or possibly replaced, "
                                                       "0 updated in place, 0 added, 1 removed."));

  System with_output({}, [](auto& dr) {
    dr.primary_stack().template add<CfnOutput>("PrimaryArn", CfnOutputProps{.value = dr.primary().arn(),
                                                                              .description = std::string("primary ARN")});
  });
  const AssemblyDiff added = diff_assemblies(plain.assembly, with_output.assembly);
  const StackDiff& primary = stack(added, "DrPrimary-dev");
  CHECK(primary.resources.empty());
  REQUIRE(primary.outputs.size() == 1);
  CHECK(primary.outputs[0].kind == ChangeKind::added);
  CHECK(primary.outputs[0].id == "PrimaryArn");
  CHECK(primary.outputs[0].path == "DisasterRecovery/Primary/PrimaryArn");
  CHECK_THAT(format_diff(added), Catch::Contains("[+] PrimaryArn") &&
                                     Catch::Contains("Value: (absent) -> {\"Fn::GetAtt\":[\"Primary503D6591\",\"DBInstanceArn\"]}"));
  for (const auto& s : added.stacks)
    if (s.name != "DrPrimary-dev") CHECK(s.empty());
}

TEST_CASE("diff: stacks that appear or disappear, and references between stacks", "[diff]") {
  System dev;
  System qa(DrProps{.environment_suffix = "qa"});
  const AssemblyDiff d = diff_assemblies(dev.assembly, qa.assembly);
  REQUIRE(d.stacks.size() == 14);
  CHECK(d.stacks[1].name == "DrPrimary-qa");
  CHECK(d.stacks[1].kind == ChangeKind::added);
  CHECK(d.stacks[8].name == "DrPrimary-dev");
  CHECK(d.stacks[8].kind == ChangeKind::removed);
  CHECK_THAT(d.stacks[8].note, Catch::Contains("deploying it does not delete the stack"));
  CHECK(d.stateful_losses().empty());  // a stack that is gone is not deleted by a deployment
  // The replica's source database is a reference across regions.
  bool source = false;
  for (const auto& r : stack(d, "DrReplica-qa").references)
    if (r.property == "Properties/SourceDBInstanceIdentifier") {
      source = true;
      CHECK(r.kind == ChangeKind::added);
      CHECK(r.producer_stack == "DrPrimary-qa");
      CHECK(r.via == "Fn::GetStackOutput");
    }
  CHECK(source);
  CHECK(diff_assemblies(dev.assembly, qa.assembly, {.stacks = {"DrReplica-qa"}}).stacks.size() == 1);
}

TEST_CASE("diff: the JSON form names every change with its path, values and impact", "[diff]") {
  System a;
  System b(DrProps{.instance_class = "db.r6g.xlarge"});
  const json j = diff_to_json(diff_assemblies(a.assembly, b.assembly));
  CHECK(j["equal"] == false);
  REQUIRE(j["stacks"].size() == 7);
  const json& primary = j["stacks"][1];
  CHECK(primary["name"] == "DrPrimary-dev");
  CHECK(primary["change"] == "modified");
  REQUIRE(primary["resources"].size() == 1);
  const json& db = primary["resources"][0];
  CHECK(db["logicalId"] == primary_db);
  CHECK(db["impact"] == "interruption");
  CHECK(db["stateful"] == true);
  CHECK(db["changes"][0]["path"] == "/Properties/DBInstanceClass");
  CHECK(db["changes"][0]["before"] == "db.r6g.large");
  CHECK(db["changes"][0]["after"] == "db.r6g.xlarge");
  CHECK(j["stacks"][3]["equal"] == true);  // the routes stack
  CHECK(j["stacks"][0]["equal"] == true);  // the base stack
  CHECK(j["summary"]["updatedInPlace"] == 2);
}

TEST_CASE("diff: colour only when asked for", "[diff]") {
  System a;
  System b({}, extra_alarm);
  const AssemblyDiff d = diff_assemblies(a.assembly, b.assembly);
  CHECK(format_diff(d).find('\x1b') == std::string::npos);
  CHECK_THAT(format_diff(d, {.color = true}), Catch::Contains("\x1b[32m[+] AWS::CloudWatch::Alarm"));
}

TEST_CASE("read_assembly: a missing folder is E450, a broken assembly E451", "[diff]") {
  test::TempDir dir;
  auto code_of = [](const fs::path& p) {
    try {
      (void)read_assembly(p);
    } catch (const Error& e) {
      return e.code();
    }
    return std::string("none");
  };
  CHECK(code_of(dir.path / "nope") == "E450");
  CHECK(code_of(dir.path) == "E450");
  System a;
  write_assembly(a.assembly, dir.path / "cdk.out");
  std::ofstream(dir.path / "cdk.out" / "DrReplica-dev.template.json") << "{ not json";
  CHECK(code_of(dir.path / "cdk.out") == "E451");
  std::ofstream(dir.path / "cdk.out" / "manifest.json") << R"({"artifacts": {"X": {"type": "aws:cloudformation:stack",
      "properties": {"templateFile": "../etc/passwd"}}}})";
  try {
    (void)read_assembly(dir.path / "cdk.out");
    FAIL("expected E451");
  } catch (const Error& e) {
    CHECK(e.code() == "E451");
    CHECK_THAT(e.what(), Catch::Contains("outside the assembly folder"));
  }
}

TEST_CASE("diff: a changed logical ID override is a delete plus a create too", "[diff]") {
  auto make = [](App& app, const std::string& id) {
    auto& s = app.add<Stack>("S", StackProps{.env = {.region = "us-east-1"}});
    auto& topic = s.add<CfnResource>("Topic", CfnResourceProps{.type = "AWS::SNS::Topic",
                                                               .properties = {{"KmsMasterKeyId", "alias/aws/sns"}}});
    topic.override_logical_id(id);
  };
  App old_app{AppProps{.read_environment = false}};
  make(old_app, "AlarmTopic");
  App new_app{AppProps{.read_environment = false}};
  make(new_app, "AlarmTopicV2");
  const AssemblyDiff d = diff_assemblies(synthesize(old_app), synthesize(new_app));
  const StackDiff& s = stack(d, "S");
  REQUIRE(s.resources.size() == 1);
  CHECK(s.resources[0].kind == ChangeKind::renamed);
  CHECK(s.resources[0].previous_logical_id == "AlarmTopic");
  CHECK(s.resources[0].logical_id == "AlarmTopicV2");
  CHECK_THAT(s.resources[0].cause, Catch::Contains("logical ID AlarmTopic became AlarmTopicV2"));
  CHECK_FALSE(s.resources[0].stateful);
}
