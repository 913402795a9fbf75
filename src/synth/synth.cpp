// Phases 1, 2 and the checks after rendering, plus the shared helpers.
#include <algorithm>
#include <map>
#include <cstdint>

#include "drsynth/app.hpp"
#include "drsynth/cfn_element.hpp"
#include "drsynth/cfn_resource.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"
#include "synth/internal.hpp"
#include "synth/json_text.hpp"

namespace drsynth {

namespace internal {

TagFormat tag_format(std::string_view type) noexcept {
  // From the CloudFormation resource schemas (cfn-lint 1.51): the types
  // drsynth creates that take tags.
  static constexpr std::string_view list_tagged[] = {
      "AWS::CloudWatch::Alarm",       "AWS::EC2::FlowLog",         "AWS::EC2::RouteTable",      "AWS::EC2::SecurityGroup",
      "AWS::EC2::Subnet",             "AWS::EC2::VPC",             "AWS::EC2::VPCEndpoint",
      "AWS::EC2::VPCPeeringConnection", "AWS::Events::Rule",       "AWS::IAM::Role",
      "AWS::KMS::Key",                "AWS::Lambda::Function",     "AWS::Logs::LogGroup",
      "AWS::RDS::DBCluster",          "AWS::RDS::DBClusterParameterGroup", "AWS::RDS::DBInstance",
      "AWS::RDS::DBParameterGroup",   "AWS::RDS::DBSubnetGroup",   "AWS::RDS::EventSubscription", "AWS::RDS::GlobalCluster",
      "AWS::S3::Bucket",              "AWS::SNS::Topic",           "AWS::SQS::Queue",
      "AWS::SecretsManager::Secret",
  };
  if (std::find(std::begin(list_tagged), std::end(list_tagged), type) != std::end(list_tagged)) return {"Tags", false};
  if (type == "AWS::Route53::HostedZone") return {"HostedZoneTags", false};
  if (type == "AWS::Route53::HealthCheck") return {"HealthCheckTags", false};
  if (type == "AWS::SSM::Parameter") return {"Tags", true};
  return {};
}

namespace {

// Appends j exactly as nlohmann::json::dump(2) writes it (same key order,
// spacing, escapes and numbers), into one growing buffer.
void write_json(JsonText& w, const nlohmann::json& j, std::size_t indent) {
  using t = nlohmann::json::value_t;
  switch (j.type()) {
    case t::object: {
      bool first = true;
      w.open('{');
      for (const auto& [k, v] : j.get_ref<const nlohmann::json::object_t&>()) {
        w.key(k, indent + 2, first);
        write_json(w, v, indent + 2);
      }
      w.close('}', indent, first);
      return;
    }
    case t::array: {
      bool first = true;
      w.open('[');
      for (const auto& v : j.get_ref<const nlohmann::json::array_t&>()) {
        w.item(indent + 2, first);
        write_json(w, v, indent + 2);
      }
      w.close(']', indent, first);
      return;
    }
    case t::string: w.string(j.get_ref<const std::string&>()); return;
    case t::boolean: w.boolean(j.get<bool>()); return;
    case t::null: w.null(); return;
    case t::number_integer: w.integer(j.get<std::int64_t>()); return;
    case t::number_unsigned: w.unsigned_integer(j.get<std::uint64_t>()); return;
    default: w.raw(j.dump(2)); return;  // floats, binary
  }
}

}  // namespace

std::string dump_checked(const nlohmann::json& j, const std::string& path) {
  try {
    std::string s;
    {
      JsonText w(s);
      write_json(w, j, 0);
      w.put('\n');
    }
    return s;
  } catch (const nlohmann::json::type_error& e) {
    fail("E401", path, "a value is not valid UTF-8", e.what(), "UTF-8 text");
  }
}

namespace {
nlohmann::json tree_node(const Construct& c) {
  nlohmann::json n = nlohmann::json::object();
  n["id"] = c.id();
  n["path"] = c.path();
  nlohmann::json info = nlohmann::json::object();
  info["fqn"] = std::string(c.type_name());
  n["constructInfo"] = std::move(info);
  if (const auto* r = dynamic_cast<const CfnResource*>(&c)) {
    nlohmann::json attributes = nlohmann::json::object();
    attributes["aws:cdk:cloudformation:type"] = r->type();
    n["attributes"] = std::move(attributes);
  }
  if (!c.acknowledgements().empty()) {
    nlohmann::json acks = nlohmann::json::object();
    for (const auto& [rule, why] : c.acknowledgements()) acks[rule] = why;
    n["acknowledgements"] = std::move(acks);
  }
  if (!c.children().empty()) {
    nlohmann::json children = nlohmann::json::object();
    for (const auto& ch : c.children()) children[ch->id()] = tree_node(*ch);
    n["children"] = std::move(children);
  }
  return n;
}
}  // namespace

namespace {
// tree.json as text, exactly what dump_checked(tree_json(app)) gives, without
// building the nlohmann tree: members in key order (acknowledgements,
// attributes, children, constructInfo, id, path), children in id order.
void write_tree_node(JsonText& w, const Construct& c, std::size_t indent) {
  const std::size_t in = indent + 2;
  bool first = true;
  w.open('{');
  if (!c.acknowledgements().empty()) {
    // Sorted by rule, the last reason for a rule winning (as a json object would).
    std::map<std::string, std::string> acks;
    for (const auto& [rule, why] : c.acknowledgements()) acks[rule] = why;
    w.key("acknowledgements", in, first);
    bool first_ack = true;
    w.open('{');
    for (const auto& [rule, why] : acks) {
      w.key(rule, in + 2, first_ack);
      w.string(why);
    }
    w.close('}', in, first_ack);
  }
  if (const auto* r = dynamic_cast<const CfnResource*>(&c)) {
    w.key("attributes", in, first);
    bool first_attr = true;
    w.open('{');
    w.key("aws:cdk:cloudformation:type", in + 2, first_attr);
    w.string(r->type());
    w.close('}', in, first_attr);
  }
  if (!c.children().empty()) {
    std::vector<const Construct*> children;
    children.reserve(c.children().size());
    for (const auto& ch : c.children()) children.push_back(ch.get());
    std::sort(children.begin(), children.end(), [](const Construct* a, const Construct* b) { return a->id() < b->id(); });
    w.key("children", in, first);
    bool first_child = true;
    w.open('{');
    for (const Construct* ch : children) {
      w.key(ch->id(), in + 2, first_child);
      write_tree_node(w, *ch, in + 2);
    }
    w.close('}', in, first_child);
  }
  w.key("constructInfo", in, first);
  bool first_info = true;
  w.open('{');
  w.key("fqn", in + 2, first_info);
  w.string(c.type_name());
  w.close('}', in, first_info);
  w.key("id", in, first);
  w.string(c.id());
  w.key("path", in, first);
  w.string(c.path());
  w.close('}', indent, first);
}
}  // namespace

std::string tree_text(const App& app, std::size_t expected_size) {
  try {
    std::string s;
    s.reserve(expected_size);
    {
      JsonText w(s);
      bool first = true;
      w.open('{');
      w.key("tree", 2, first);
      write_tree_node(w, app, 2);
      w.key("version", 2, first);
      w.string("tree-0.1");
      w.close('}', 0, first);
      w.put('\n');
    }
    return s;
  } catch (const nlohmann::json::type_error& e) {
    fail("E401", "", "a value is not valid UTF-8", e.what(), "UTF-8 text");
  }
}

// Built with moves only: the braced-list form copied every subtree once per
// level (an initializer_list of json is copied) and went through std::function.
nlohmann::json tree_json(const App& app) {
  nlohmann::json t = nlohmann::json::object();
  t["version"] = "tree-0.1";
  t["tree"] = tree_node(app);
  return t;
}

}  // namespace internal

std::string to_file_text(const nlohmann::json& j) { return internal::dump_checked(j, ""); }

void prepare(App& app) { app.lock(); }

namespace {
void collect_stacks(const Construct& c, std::vector<const Stack*>& out) {
  for (const auto& child : c.children()) {
    if (child->stack_or_null() == child.get())
      out.push_back(static_cast<const Stack*>(child.get()));
    else if (child->stack_or_null() == nullptr)
      collect_stacks(*child, out);
  }
}
}  // namespace

std::vector<const Stack*> internal::stacks_of(const App& app) {
  std::vector<const Stack*> out;
  collect_stacks(app, out);
  return out;
}

std::vector<Diagnostic> validate(const App& app) {
  Validation v;
  app.walk([&](const Construct& c) {
    c.validate(v);
    // CloudFormation: logical IDs (resources, outputs, parameters) are 1-255 alphanumerics.
    if (const auto* e = dynamic_cast<const CfnElement*>(&c); e != nullptr && e->stack_or_null() != nullptr) {
      const std::string& id = e->logical_id();
      const bool ok = !id.empty() && id.size() <= 255 && std::all_of(id.begin(), id.end(), [](char ch) {
                        return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
                      });
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
    auto limit = [&](const char* what, std::size_t n, std::size_t max, const char* code) {
      if (n > max)
        out.push_back({code, Severity::error, s.stack->path(), std::string("too many ") + what + " in one template",
                       std::to_string(n), "<= " + std::to_string(max)});
    };
    limit("resources", s.resource_count, 500, "E601");
    limit("outputs", s.output_count, 200, "E602");
    limit("parameters", s.parameter_count, 200, "E603");
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
