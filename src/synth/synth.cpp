// Phases 1, 2 and the checks after rendering, plus the shared helpers.
#include <algorithm>
#include <array>
#include <map>
#include <cctype>
#include <charconv>
#include <cstdint>

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

namespace {

// Appends j exactly as nlohmann::json::dump(2) writes it (same key order,
// spacing, escapes and numbers), into one growing buffer. Floats and strings
// with bytes above 0x7F (which need UTF-8 checks) go through nlohmann itself.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void value(const nlohmann::json& j, std::size_t indent) {
    using t = nlohmann::json::value_t;
    switch (j.type()) {
      case t::object: {
        const auto& o = j.get_ref<const nlohmann::json::object_t&>();
        if (o.empty()) {
          out_.append("{}");
          return;
        }
        out_.append("{\n");
        bool first = true;
        for (const auto& [k, v] : o) {
          if (!first) out_.append(",\n");
          first = false;
          out_.append(indent + 2, ' ');
          string(k);
          out_.append(": ");
          value(v, indent + 2);
        }
        out_.push_back('\n');
        out_.append(indent, ' ');
        out_.push_back('}');
        return;
      }
      case t::array: {
        const auto& a = j.get_ref<const nlohmann::json::array_t&>();
        if (a.empty()) {
          out_.append("[]");
          return;
        }
        out_.append("[\n");
        bool first = true;
        for (const auto& v : a) {
          if (!first) out_.append(",\n");
          first = false;
          out_.append(indent + 2, ' ');
          value(v, indent + 2);
        }
        out_.push_back('\n');
        out_.append(indent, ' ');
        out_.push_back(']');
        return;
      }
      case t::string: string(j.get_ref<const std::string&>()); return;
      case t::boolean: out_.append(j.get<bool>() ? "true" : "false"); return;
      case t::null: out_.append("null"); return;
      case t::number_integer: integer(j.get<std::int64_t>()); return;
      case t::number_unsigned: unsigned_integer(j.get<std::uint64_t>()); return;
      default: out_.append(j.dump(2)); return;  // floats, binary
    }
  }

 private:
  void integer(std::int64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  void unsigned_integer(std::uint64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
 public:
  // Bytes that need an escape (< 0x20, '"', '\\') or a UTF-8 check (>= 0x80).
  static constexpr std::array<bool, 256> special = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
    return t;
  }();

  void string(const std::string& s) {
    const std::size_t start = out_.size();
    out_.push_back('"');
    std::size_t run = 0;  // start of the bytes not yet copied
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (!special[c]) continue;
      if (c >= 0x80) {  // UTF-8 checks; throws type_error 316 like dump()
        out_.resize(start);
        out_.append(nlohmann::json(s).dump());
        return;
      }
      out_.append(s, run, i - run);
      run = i + 1;
      switch (c) {
        case '\b': out_.append("\\b"); break;
        case '\t': out_.append("\\t"); break;
        case '\n': out_.append("\\n"); break;
        case '\f': out_.append("\\f"); break;
        case '\r': out_.append("\\r"); break;
        case '"': out_.append("\\\""); break;
        case '\\': out_.append("\\\\"); break;
        default: {
          static constexpr char hex[] = "0123456789abcdef";
          const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
          out_.append(esc, sizeof esc);
        }
      }
    }
    out_.append(s, run, s.size() - run);
    out_.push_back('"');
  }

 private:

  std::string& out_;
};

}  // namespace

std::string dump_checked(const nlohmann::json& j, const std::string& path) {
  try {
    std::string s;
    Writer(s).value(j, 0);
    s.push_back('\n');
    return s;
  } catch (const nlohmann::json::type_error& e) {
    fail("E401", path, "a value is not valid UTF-8", e.what(), "UTF-8 text");
  }
}

std::string dump_checked(const nlohmann::ordered_json& j, const std::string& path) {
  try {
    std::string s = j.dump(2);
    s.push_back('\n');
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
class TreeWriter {
 public:
  explicit TreeWriter(std::string& out) : out_(out), w_(out) {}

  void node(const Construct& c, std::size_t indent) {
    const std::size_t in = indent + 2;
    out_.append("{\n");
    if (!c.acknowledgements().empty()) {
      // Sorted by rule, the last reason for a rule winning (as a json object would).
      std::map<std::string, std::string> acks;
      for (const auto& [rule, why] : c.acknowledgements()) acks[rule] = why;
      key("acknowledgements", in);
      out_.append("{\n");
      bool first = true;
      for (const auto& [rule, why] : acks) {
        if (!first) out_.append(",\n");
        first = false;
        key(rule, in + 2);
        w_.string(why);
      }
      close(in);
      out_.append(",\n");
    }
    if (const auto* r = dynamic_cast<const CfnResource*>(&c)) {
      key("attributes", in);
      out_.append("{\n");
      key("aws:cdk:cloudformation:type", in + 2);
      w_.string(r->type());
      close(in);
      out_.append(",\n");
    }
    if (!c.children().empty()) {
      key("children", in);
      std::vector<const Construct*> children;
      children.reserve(c.children().size());
      for (const auto& ch : c.children()) children.push_back(ch.get());
      std::sort(children.begin(), children.end(), [](const Construct* a, const Construct* b) { return a->id() < b->id(); });
      out_.append("{\n");
      for (std::size_t i = 0; i < children.size(); ++i) {
        if (i > 0) out_.append(",\n");
        out_.append(in + 2, ' ');
        w_.string(children[i]->id());
        out_.append(": ");
        node(*children[i], in + 2);
      }
      close(in);
      out_.append(",\n");
    }
    key("constructInfo", in);
    out_.append("{\n");
    key("fqn", in + 2);
    w_.string(std::string(c.type_name()));
    close(in);
    out_.append(",\n");
    key("id", in);
    w_.string(c.id());
    out_.append(",\n");
    key("path", in);
    w_.string(c.path());
    close(indent);
  }

  void key(const std::string& k, std::size_t indent) {
    out_.append(indent, ' ');
    w_.string(k);
    out_.append(": ");
  }
  // Ends an object whose opening brace is at `indent`.
  void close(std::size_t indent) {
    out_.push_back('\n');
    out_.append(indent, ' ');
    out_.push_back('}');
  }

 private:
  std::string& out_;
  Writer w_;
};
}  // namespace

std::string tree_text(const App& app) {
  try {
    std::string s;
    TreeWriter t(s);
    s.append("{\n");
    t.key("tree", 2);
    t.node(app, 2);
    s.append(",\n");
    t.key("version", 2);
    s.append("\"tree-0.1\"");
    t.close(0);
    s.push_back('\n');
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
