#include <algorithm>
#include <catch2/catch.hpp>

#include "drsynth/drsynth.hpp"
#include "drsynth/ec2/security_group.hpp"
#include "drsynth/ec2/vpc.hpp"
#include "drsynth/ec2/vpc_peering.hpp"
#include "net_test_support.hpp"

using namespace drsynth;
using assertions::absent;
using assertions::array_with;
using assertions::Template;
using json = nlohmann::json;

namespace {
Stack& east(App& app, const std::string& name = "Net") {
  return app.add<Stack>(name, StackProps{.env = {.region = "us-east-1"}});
}
}  // namespace

TEST_CASE("Vpc enables DNS support and DNS hostnames on the given CIDR", "[ec2][vpc]") {
  App app({.read_environment = false});
  auto& s = east(app);
  s.add<ec2::Vpc>("Vpc", {.cidr = "10.4.0.0/16", .name = "dr-primary-dev"});
  auto t = Template::from_app(app, "Net");
  t.resource_count_is("AWS::EC2::VPC", 1);
  t.has_resource_properties("AWS::EC2::VPC", {{"CidrBlock", "10.4.0.0/16"},
                                              {"EnableDnsSupport", true},
                                              {"EnableDnsHostnames", true},
                                              {"Tags", array_with({{{"Key", "Name"}, {"Value", "dr-primary-dev"}}})}});
  CHECK(t.find_resources("AWS::EC2::VPC") == std::vector<std::string>{"Vpc8378EB38"});
}

TEST_CASE("Vpc has only private isolated subnets, one per AZ from Fn::GetAZs, carved deterministically", "[ec2][vpc]") {
  App app({.read_environment = false});
  auto& s = east(app);
  auto& vpc = s.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16", .max_azs = 3, .subnet_prefix_length = 20});
  auto t = Template::from_app(app, "Net");
  t.resource_count_is("AWS::EC2::Subnet", 3);
  t.resource_count_is("AWS::EC2::InternetGateway", 0);
  t.resource_count_is("AWS::EC2::NatGateway", 0);
  t.resource_count_is("AWS::EC2::Route", 0);
  const char* blocks[] = {"10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"};
  for (int i = 0; i < 3; ++i) {
    t.has_resource_properties("AWS::EC2::Subnet",
                              {{"CidrBlock", blocks[i]},
                               {"MapPublicIpOnLaunch", false},
                               {"VpcId", {{"Ref", "Vpc8378EB38"}}},
                               {"AvailabilityZone", {{"Fn::Select", json::array({i, {{"Fn::GetAZs", ""}}})}}}});
  }
  CHECK(vpc.subnet_ids().size() == 3);
  CHECK(vpc.region() == "us-east-1");
}

TEST_CASE("Vpc has a route table and an association per subnet, with aws-cdk-lib logical IDs", "[ec2][vpc]") {
  App app({.read_environment = false});
  auto& s = east(app);
  auto& vpc = s.add<ec2::Vpc>("Vpc", {.subnet_name = "db"});
  auto t = Template::from_app(app, "Net");
  t.resource_count_is("AWS::EC2::RouteTable", 2);
  t.resource_count_is("AWS::EC2::SubnetRouteTableAssociation", 2);
  CHECK_NOTHROW(t.resource("VpcdbSubnet1Subnet1B82B149"));
  CHECK_NOTHROW(t.resource("VpcdbSubnet2RouteTable7BBEF14D"));
  t.has_resource_properties("AWS::EC2::SubnetRouteTableAssociation",
                            {{"RouteTableId", {{"Ref", "VpcdbSubnet1RouteTable04184FDD"}}},
                             {"SubnetId", {{"Ref", "VpcdbSubnet1Subnet1B82B149"}}}});
  CHECK(vpc.route_table_ids().size() == 2);
}

TEST_CASE("Vpc interface endpoints are private-DNS interface endpoints in every subnet behind HTTPS from the VPC only",
          "[ec2][vpc]") {
  App app({.read_environment = false});
  auto& s = east(app);
  s.add<ec2::Vpc>("Vpc", {.cidr = "10.2.0.0/16", .interface_endpoints = {"secretsmanager", "monitoring"}});
  auto t = Template::from_app(app, "Net");
  t.resource_count_is("AWS::EC2::VPCEndpoint", 2);
  auto subnets = t.find_resources("AWS::EC2::Subnet");
  std::sort(subnets.begin(), subnets.end());
  REQUIRE(subnets.size() == 2);
  t.has_resource_properties("AWS::EC2::VPCEndpoint",
                            {{"ServiceName", {{"Fn::Sub", "com.amazonaws.${AWS::Region}.secretsmanager"}}},
                             {"VpcEndpointType", "Interface"},
                             {"PrivateDnsEnabled", true},
                             {"SubnetIds", json::array({{{"Ref", subnets[0]}}, {{"Ref", subnets[1]}}})}});
  t.has_resource_properties("AWS::EC2::SecurityGroup",
                            {{"SecurityGroupIngress", json::array({{{"CidrIp", "10.2.0.0/16"},
                                                                    {"FromPort", 443},
                                                                    {"ToPort", 443},
                                                                    {"IpProtocol", "tcp"}}})}});
}

TEST_CASE("Vpc validation reports bad CIDR, prefix, AZ count, subnet fit and endpoint names", "[ec2][vpc][validation]") {
  App app({.read_environment = false});
  auto& s = east(app);
  s.add<ec2::Vpc>("BadCidr", {.cidr = "10.0.0/16"});
  s.add<ec2::Vpc>("HostBits", {.cidr = "10.0.0.1/16"});
  s.add<ec2::Vpc>("TooBig", {.cidr = "10.0.0.0/8"});
  s.add<ec2::Vpc>("OneAz", {.cidr = "10.1.0.0/16", .max_azs = 1});
  s.add<ec2::Vpc>("NoFit", {.cidr = "10.2.0.0/24", .max_azs = 3, .subnet_prefix_length = 25});
  s.add<ec2::Vpc>("Endpoints", {.cidr = "10.3.0.0/16", .interface_endpoints = {"Secrets Manager", "sqs", "sqs"}});
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E700", "Net/BadCidr", "10.0.0/16"));
  CHECK(net_test::has_diagnostic(ds, "E700", "Net/HostBits", "10.0.0.1/16"));
  CHECK(net_test::has_diagnostic(ds, "E701", "Net/TooBig", "10.0.0.0/8"));
  CHECK(net_test::has_diagnostic(ds, "E702", "Net/OneAz", "1"));
  CHECK(net_test::has_diagnostic(ds, "E703", "Net/NoFit", "/25"));
  CHECK(net_test::has_diagnostic(ds, "E704", "Net/Endpoints", "Secrets Manager"));
  CHECK(net_test::has_diagnostic(ds, "E704", "Net/Endpoints", "sqs"));
}

TEST_CASE("SecurityGroup egress rules: each allow_to_cidr in order, none with allow_all_outbound", "[ec2][security-group]") {
  App app({.read_environment = false});
  auto& s = east(app);
  auto& vpc = s.add<ec2::Vpc>("Vpc", {});
  auto& two = s.add<ec2::SecurityGroup>("Two", {.vpc = vpc, .description = "two"});
  two.allow_to_cidr("10.0.0.0/16", 5432, "db").allow_to_cidr("10.1.0.0/16", 443, "api");
  two.allow_from_cidr("10.2.0.0/16", "a").allow_from_cidr("10.3.0.0/16", "b", 6432);
  auto& all = s.add<ec2::SecurityGroup>("All", {.vpc = vpc, .description = "all", .allow_all_outbound = true});
  all.allow_to_cidr("10.0.0.0/16", 5432, "ignored");
  auto t = Template::from_app(app, "Net");
  const auto& props = [&](const char* description) -> const json& {
    return t.json()["Resources"][t.find_resources("AWS::EC2::SecurityGroup", {{"GroupDescription", description}}).at(0)]["Properties"];
  };
  const auto& p2 = props("two");
  REQUIRE(p2["SecurityGroupEgress"].size() == 2);
  CHECK(p2["SecurityGroupEgress"][0]["CidrIp"] == "10.0.0.0/16");
  CHECK(p2["SecurityGroupEgress"][1]["CidrIp"] == "10.1.0.0/16");
  CHECK(p2["SecurityGroupEgress"][1]["FromPort"] == 443);
  REQUIRE(p2["SecurityGroupIngress"].size() == 2);
  CHECK(p2["SecurityGroupIngress"][1]["FromPort"] == 6432);
  const auto& pa = props("all");
  CHECK(pa["SecurityGroupEgress"] ==
        json::array({{{"CidrIp", "0.0.0.0/0"}, {"Description", "Allow all outbound traffic"}, {"IpProtocol", "-1"}}}));
}

TEST_CASE("SecurityGroup admits the default port from named CIDRs and groups, and denies egress unless allowed",
          "[ec2][security-group]") {
  App app({.read_environment = false});
  auto& s = east(app);
  auto& vpc = s.add<ec2::Vpc>("Vpc", {});
  auto& db = s.add<ec2::SecurityGroup>("DbSg", {.vpc = vpc, .description = "database", .group_name = "db-dev"});
  auto& client = s.add<ec2::SecurityGroup>("ClientSg", {.vpc = vpc, .description = "clients"});
  db.allow_from_cidr("10.1.0.0/16", "replica VPC");
  db.allow_from(client, std::nullopt, "clients");
  client.allow_to_cidr("10.0.0.0/16", 5432, "to the database");
  auto t = Template::from_app(app, "Net");
  t.has_resource_properties("AWS::EC2::SecurityGroup",
                            {{"GroupName", "db-dev"},
                             {"VpcId", {{"Ref", "Vpc8378EB38"}}},
                             {"SecurityGroupIngress", json::array({{{"CidrIp", "10.1.0.0/16"},
                                                                    {"Description", "replica VPC"},
                                                                    {"FromPort", 5432},
                                                                    {"ToPort", 5432},
                                                                    {"IpProtocol", "tcp"}}})},
                             {"SecurityGroupEgress", json::array({{{"CidrIp", "255.255.255.255/32"}}})}});
  t.has_resource_properties("AWS::EC2::SecurityGroupIngress",
                            {{"GroupId", {{"Fn::GetAtt", {"DbSg495F8305", "GroupId"}}}},
                             {"SourceSecurityGroupId", {{"Fn::GetAtt", json::array({t.find_resources("AWS::EC2::SecurityGroup", {{"GroupDescription", "clients"}}).at(0), "GroupId"})}}},
                             {"FromPort", 5432}});
  t.has_resource_properties("AWS::EC2::SecurityGroup",
                            {{"GroupDescription", "clients"},
                             {"SecurityGroupIngress", absent()},
                             {"SecurityGroupEgress", json::array({{{"CidrIp", "10.0.0.0/16"}, {"FromPort", 5432}}})}});
}

TEST_CASE("SecurityGroup validation rejects world-open ingress, bad CIDRs and names",
          "[ec2][security-group][validation]") {
  App app({.read_environment = false});
  auto& s = east(app);
  auto& vpc = s.add<ec2::Vpc>("Vpc", {});
  auto& open = s.add<ec2::SecurityGroup>("Open", {.vpc = vpc, .group_name = "sg-open"});
  open.allow_from_cidr("0.0.0.0/0", "everyone").allow_from_cidr("::/0", "everyone v6").allow_from_cidr("10.0.0/8", "typo");
  open.allow_from_cidr("10.0.0.0/16", "bad port", 70000);
  const auto ds = net_test::synth_errors(app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E710", "Net/Open", "0.0.0.0/0"));
  CHECK(net_test::has_diagnostic(ds, "E710", "Net/Open", "::/0"));
  CHECK(net_test::has_diagnostic(ds, "E709", "Net/Open", "10.0.0/8"));
  CHECK(net_test::has_diagnostic(ds, "E711", "Net/Open", "70000"));
  CHECK(net_test::has_diagnostic(ds, "E708", "Net/Open", "sg-open"));
}

namespace {
struct PeeredApp {
  App app{{.read_environment = false}};
  Stack& primary = app.add<Stack>("Primary", StackProps{.env = {.region = "us-east-1"}});
  Stack& replica = app.add<Stack>("Replica", StackProps{.env = {.region = "eu-west-1"}});
  Stack& routes = app.add<Stack>("PrimaryRoutes", StackProps{.env = {.region = "us-east-1"}});
  ec2::Vpc& pvpc = primary.add<ec2::Vpc>("Vpc", {.cidr = "10.0.0.0/16"});
  ec2::Vpc& rvpc = replica.add<ec2::Vpc>("Vpc", {.cidr = "10.1.0.0/16", .max_azs = 3});
};
}  // namespace

TEST_CASE("VpcPeering lives in the requester stack and references the accepter VPC across regions", "[ec2][peering]") {
  PeeredApp p;
  p.replica.add<ec2::VpcPeering>("Peering", {.requester = p.rvpc, .accepter = p.pvpc, .accepter_routes_stack = p.routes});
  auto a = synthesize(p.app);
  auto t = Template::from_assembly(a, "Replica");
  t.has_resource_properties(
      "AWS::EC2::VPCPeeringConnection",
      {{"VpcId", {{"Ref", "Vpc8378EB38"}}},
       {"PeerRegion", "us-east-1"},
       {"PeerOwnerId", absent()},
       {"PeerVpcId", {{"Fn::GetStackOutput", {{"StackName", "Primary"}, {"Region", "us-east-1"}, {"OutputName", assertions::any_value()}}}}}});
  t.resource_count_is("AWS::EC2::Route", 3);
  t.all_resources_match("AWS::EC2::Route", {{"DestinationCidrBlock", "10.0.0.0/16"},
                                            {"VpcPeeringConnectionId", {{"Ref", "Peering3EBF733F"}}}});
}

TEST_CASE("VpcPeering routes back on every accepter route table from a stack in the accepter's region, without a cycle",
          "[ec2][peering]") {
  PeeredApp p;
  p.replica.add<ec2::VpcPeering>("Peering", {.requester = p.rvpc, .accepter = p.pvpc, .accepter_routes_stack = p.routes});
  auto a = synthesize(p.app);
  auto t = Template::from_assembly(a, "PrimaryRoutes");
  t.resource_count_is("AWS::EC2::Route", 2);
  t.all_resources_match("AWS::EC2::Route",
                        {{"DestinationCidrBlock", "10.1.0.0/16"},
                         {"RouteTableId", {{"Fn::ImportValue", assertions::string_like("^Primary:")}}},
                         {"VpcPeeringConnectionId", {{"Fn::GetStackOutput", {{"StackName", "Replica"}, {"Region", "eu-west-1"}}}}}});
  std::vector<std::string> order;
  for (const auto& s : a.stacks) order.push_back(s.name);
  CHECK(order == std::vector<std::string>{"Primary", "Replica", "PrimaryRoutes"});
  CHECK(a.find("PrimaryRoutes")->dependencies == std::vector<std::string>{"Primary", "Replica"});
}

TEST_CASE("VpcPeering validation rejects a cycle-making routes stack, a wrong region, overlapping CIDRs and a VPC peered with itself",
          "[ec2][peering][validation]") {
  PeeredApp p;
  auto& eu_routes = p.app.add<Stack>("EuRoutes", StackProps{.env = {.region = "eu-west-1"}});
  auto& overlap = p.replica.add<ec2::Vpc>("Overlap", {.cidr = "10.0.128.0/17"});
  p.replica.add<ec2::VpcPeering>("Cycle", {.requester = p.rvpc, .accepter = p.pvpc, .accepter_routes_stack = p.primary});
  p.replica.add<ec2::VpcPeering>("WrongRegion", {.requester = p.rvpc, .accepter = p.pvpc, .accepter_routes_stack = eu_routes});
  p.replica.add<ec2::VpcPeering>("Overlapping", {.requester = overlap, .accepter = p.pvpc, .accepter_routes_stack = p.routes,
                                                 .peer_owner_id = "12345"});
  p.replica.add<ec2::VpcPeering>("Itself", {.requester = p.rvpc, .accepter = p.rvpc, .accepter_routes_stack = eu_routes});
  const auto ds = net_test::synth_errors(p.app);
  INFO(net_test::dump(ds));
  CHECK(net_test::has_diagnostic(ds, "E715", "Replica/Cycle", "Primary"));
  CHECK(net_test::has_diagnostic(ds, "E715", "Replica/WrongRegion", "eu-west-1"));
  CHECK(net_test::has_diagnostic(ds, "E716", "Replica/Overlapping", "10.0.128.0/17"));
  CHECK(net_test::has_diagnostic(ds, "E717", "Replica/Overlapping", "12345"));
  CHECK(net_test::has_diagnostic(ds, "E713", "Replica/Itself", "Replica/Vpc"));
}
