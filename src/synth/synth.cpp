// Phases 1, 2 and the checks after rendering, plus the shared helpers.
#include <algorithm>
#include <cctype>

#include "drsynth/app.hpp"
#include "drsynth/cfn_element.hpp"
#include "drsynth/cfn_resource.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"
#include "synth/internal.hpp"

namespace drsynth {

namespace internal {

TagFormat tag_format(std::string_view type) noexcept {
  // From the CloudFormation resource schemas (cfn-lint 1.51): the types
  // drsynth creates that take tags.
  static constexpr std::string_view list_tagged[] = {
      "AWS::CloudWatch::Alarm",       "AWS::EC2::RouteTable",      "AWS::EC2::SecurityGroup",
      "AWS::EC2::Subnet",             "AWS::EC2::VPC",             "AWS::EC2::VPCEndpoint",
      "AWS::EC2::VPCPeeringConnection", "AWS::Events::Rule",       "AWS::IAM::Role",
      "AWS::KMS::Key",                "AWS::Lambda::Function",     "AWS::Logs::LogGroup",
      "AWS::RDS::DBCluster",          "AWS::RDS::DBClusterParameterGroup", "AWS::RDS::DBInstance",
      "AWS::RDS::DBParameterGroup",   "AWS::RDS::DBSubnetGroup",   "AWS::RDS::GlobalCluster",
      "AWS::S3::Bucket",              "AWS::SNS::Topic",           "AWS::SQS::Queue",
      "AWS::SecretsManager::Secret",
  };
  if (std::find(std::begin(list_tagged), std::end(list_tagged), type) != std::end(list_tagged)) return {"Tags", false};
  if (type == "AWS::Route53::HostedZone") return {"HostedZoneTags", false};
  if (type == "AWS::Route53::HealthCheck") return {"HealthCheckTags", false};
  if (type == "AWS::SSM::Parameter") return {"Tags", true};
  return {};
}

std::string dump_checked(const nlohmann::json& j, const std::string& path) {
  try {
    std::string s = j.dump(2);
    s.push_back('\n');
    return s;
  } catch (const nlohmann::json::type_error& e) {
    fail("E401", path, "a value is not valid UTF-8", e.what(), "UTF-8 text");
  }
}

nlohmann::json tree_json(const App& app) {
  std::function<nlohmann::json(const Construct&)> node = [&](const Construct& c) {
    nlohmann::json n{{"id", c.id()}, {"path", c.path()}, {"constructInfo", {{"fqn", std::string(c.type_name())}}}};
    if (const auto* r = dynamic_cast<const CfnResource*>(&c))
      n["attributes"] = {{"aws:cdk:cloudformation:type", r->type()}};
    if (!c.acknowledgements().empty()) {
      nlohmann::json acks = nlohmann::json::object();
      for (const auto& [rule, why] : c.acknowledgements()) acks[rule] = why;
      n["acknowledgements"] = std::move(acks);
    }
    if (!c.children().empty()) {
      nlohmann::json children = nlohmann::json::object();
      for (const auto& ch : c.children()) children[ch->id()] = node(*ch);
      n["children"] = std::move(children);
    }
    return n;
  };
  return {{"version", "tree-0.1"}, {"tree", node(app)}};
}

}  // namespace internal

std::string to_file_text(const nlohmann::json& j) { return internal::dump_checked(j, ""); }

void prepare(App& app) { app.lock(); }

std::vector<Diagnostic> validate(const App& app) {
  Validation v;
  app.walk([&](const Construct& c) {
    c.validate(v);
    // CloudFormation: logical IDs (resources, outputs, parameters) are 1-255 alphanumerics.
    if (const auto* e = dynamic_cast<const CfnElement*>(&c); e != nullptr && e->stack_or_null() != nullptr) {
      const std::string& id = e->logical_id();
      const bool ok = !id.empty() && id.size() <= 255 &&
                      std::all_of(id.begin(), id.end(), [](unsigned char ch) { return std::isalnum(ch) != 0; });
      if (!ok)
        v.error("E201", c, std::string("invalid logical ID in ") + std::string(e->section()),
                "\"" + (id.size() > 40 ? id.substr(0, 37) + "..." : id) + "\" (" + std::to_string(id.size()) + " chars)",
                "1-255 characters of A-Za-z0-9");
    }
  });
  auto out = v.take();
  sort_diagnostics(out);
  return out;
}

std::vector<Diagnostic> check_assembly(const Assembly& assembly) {
  std::vector<Diagnostic> out;
  for (const auto& s : assembly.stacks) {
    const auto& t = s.template_json;
    auto count = [&](const char* section) { return t.contains(section) ? t[section].size() : 0U; };
    auto limit = [&](const char* what, std::size_t n, std::size_t max, const char* code) {
      if (n > max)
        out.push_back({code, Severity::error, s.stack->path(), std::string("too many ") + what + " in one template",
                       std::to_string(n), "<= " + std::to_string(max)});
    };
    limit("resources", count("Resources"), 500, "E601");
    limit("outputs", count("Outputs"), 200, "E602");
    limit("parameters", count("Parameters"), 200, "E603");
    const auto bytes = s.template_text.size();
    if (bytes > 1'000'000)
      out.push_back({"E604", Severity::error, s.stack->path(), "template is larger than CloudFormation accepts",
                     std::to_string(bytes) + " bytes", "<= 1,000,000 bytes"});
    else if (bytes > 51'200)
      out.push_back({"W605", Severity::warning, s.stack->path(),
                     "template is larger than an inline template body: deploying it needs an S3 bucket "
                     "(drsynth deploy-plan --s3-bucket)",
                     std::to_string(bytes) + " bytes", "<= 51,200 bytes for --template-body"});
  }
  auto safety = check_safety(assembly);
  out.insert(out.end(), safety.begin(), safety.end());
  return out;
}

Assembly synthesize(App& app, const SynthOptions& options) {
  prepare(app);
  auto diagnostics = validate(app);
  auto is_fatal = [&](const Diagnostic& d) {
    return d.severity == Severity::error || (options.strict && d.severity == Severity::warning);
  };
  if (std::any_of(diagnostics.begin(), diagnostics.end(), is_fatal)) throw Error(std::move(diagnostics));
  Assembly a = render(app, options);
  auto checks = check_assembly(a);
  diagnostics.insert(diagnostics.end(), checks.begin(), checks.end());
  sort_diagnostics(diagnostics);
  if (std::any_of(diagnostics.begin(), diagnostics.end(), is_fatal)) throw Error(std::move(diagnostics));
  a.warnings = std::move(diagnostics);
  return a;
}

}  // namespace drsynth
