// The safety rules (S001-S006) over the rendered templates: what a security
// reviewer checks in every template, whatever code produced it (L2s, raw L1
// resources, overrides). Each finding is an error unless the resource or one
// of its ancestors acknowledged the rule with a reason (Construct::acknowledge);
// then it is a note that names the reason, so the exception stays auditable.
#include <algorithm>
#include <cctype>
#include <map>

#include "drsynth/app.hpp"
#include "drsynth/cfn_element.hpp"
#include "drsynth/iam/policy_statement.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"

namespace drsynth {

namespace {

using json = nlohmann::json;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A short, always-printable rendering of a value for the "got" part.
std::string shown(const json& v) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 120) s = s.substr(0, 117) + "...";
  return s;
}

// A value CloudFormation resolves at deploy time (an intrinsic function or
// a Ref), as opposed to a literal written into the template.
bool is_intrinsic(const json& v) {
  if (!v.is_object() || v.size() != 1) return false;
  const auto& k = v.begin().key();
  return k == "Ref" || k.starts_with("Fn::");
}

// The literal text of a value: a string, or an Fn::Join of only literal strings.
std::optional<std::string> literal_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.size() == 1 && v.contains("Fn::Join")) {
    const auto& args = v["Fn::Join"];
    if (!args.is_array() || args.size() != 2 || !args[0].is_string() || !args[1].is_array()) return std::nullopt;
    std::string out;
    for (const auto& part : args[1]) {
      if (!part.is_string()) return std::nullopt;
      if (!out.empty()) out += args[0].get<std::string>();
      out += part.get<std::string>();
    }
    return out;
  }
  return std::nullopt;
}

// The first string of a value (a Join's first part), to recognise dynamic references.
std::string leading_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.size() == 1 && v.contains("Fn::Join")) {
    const auto& args = v["Fn::Join"];
    if (args.is_array() && args.size() == 2 && args[1].is_array() && !args[1].empty()) return leading_text(args[1][0]);
  }
  if (v.is_object() && v.size() == 1 && v.contains("Fn::Sub")) {
    const auto& a = v["Fn::Sub"];
    if (a.is_string()) return a.get<std::string>();
    if (a.is_array() && !a.empty() && a[0].is_string()) return a[0].get<std::string>();
  }
  return {};
}

bool is_dynamic_reference(std::string_view s) { return s.starts_with("{{resolve:"); }

bool contains_nocase(std::string_view hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         }) != hay.end();
}

bool names_a_password(std::string_view key) {
  // Most keys name no secret: decide that without allocating (this runs on every key).
  if (!contains_nocase(key, "password") && !contains_nocase(key, "secret")) return false;
  const std::string k = lower(key);
  if (k.find("password") == std::string::npos && k != "secretstring" && k.find("secret_value") == std::string::npos &&
      k.find("secretvalue") == std::string::npos)
    return false;
  // Settings about passwords rather than passwords.
  for (std::string_view not_a_secret : {"passwordlength", "managemasteruserpassword", "excludecharacters",
                                        "generatesecretstring", "secretstringtemplate", "passwordpolicy"})
    if (k == not_a_secret) return false;
  return true;
}

bool mentions_secret_value(const json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return s.find("{{resolve:secretsmanager:") != std::string::npos || s.find("{{resolve:ssm-secure:") != std::string::npos;
  }
  if (v.is_array() || v.is_object())
    for (const auto& e : v)
      if (mentions_secret_value(e)) return true;
  return false;
}

std::vector<std::string> strings_of(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  if (v.is_array())
    for (const auto& e : v)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

class Checker {
 public:
  Checker(const StackArtifact& s, std::vector<Diagnostic>& out) : s_(s), out_(out) {
    if (const auto* ctx = s.stack->app().context("destroyable"); ctx != nullptr)
      destroyable_ = ctx->is_boolean() ? ctx->get<bool>() : (ctx->is_string() && ctx->get<std::string>() == "true");
  }

  void run() {
    const auto& t = s_.template_json;
    if (t.contains("Resources") && t["Resources"].is_object())
      for (const auto& [id, r] : t["Resources"].items()) resource(id, r);
    if (t.contains("Outputs") && t["Outputs"].is_object())
      for (const auto& [id, o] : t["Outputs"].items())
        if (o.is_object() && o.contains("Value") && mentions_secret_value(o["Value"]))
          report("S004", id, "output " + id + " exposes a secret's value (outputs are readable by anyone who can "
                             "describe the stack)", shown(o["Value"]), "no secret values in outputs; pass the secret's ARN");
    if (t.contains("Parameters") && t["Parameters"].is_object())
      for (const auto& [id, p] : t["Parameters"].items())
        if (names_a_password(id) && !(p.contains("NoEcho") && p["NoEcho"] == true))
          report("S004", id, "parameter " + id + " holds a secret but is echoed", "NoEcho unset", "NoEcho: true");
  }

 private:
  void resource(const std::string& id, const json& r) {
    if (!r.is_object()) return;
    const std::string type = r.value("Type", "");
    static const json no_properties = json::object();
    // A reference, not a copy: this runs for every resource of every stack.
    const json& props = r.contains("Properties") && r["Properties"].is_object() ? r["Properties"] : no_properties;

    // S001: open ingress.
    auto ingress = [&](const json& rule) {
      if (!rule.is_object()) return;
      for (const char* k : {"CidrIp", "CidrIpv6"})
        if (rule.contains(k) && rule[k].is_string() && (rule[k] == "0.0.0.0/0" || rule[k] == "::/0"))
          report("S001", id, "ingress open to the whole internet", rule[k].get<std::string>(),
                 "the CIDRs or security groups that need access");
    };
    if (type == "AWS::EC2::SecurityGroup" && props.contains("SecurityGroupIngress") &&
        props["SecurityGroupIngress"].is_array())
      for (const auto& rule : props["SecurityGroupIngress"]) ingress(rule);
    if (type == "AWS::EC2::SecurityGroupIngress") ingress(props);

    // S002: IAM wildcards.
    if (type == "AWS::IAM::Policy" || type == "AWS::IAM::ManagedPolicy") policy(id, props.value("PolicyDocument", json()));
    if (type == "AWS::IAM::Role" && props.contains("Policies") && props["Policies"].is_array())
      for (const auto& p : props["Policies"])
        if (p.is_object()) policy(id, p.value("PolicyDocument", json()));

    // S003: storage encryption.
    if (type == "AWS::RDS::DBInstance" || type == "AWS::RDS::DBCluster") {
      const bool encrypted = props.value("StorageEncrypted", json(false)) == json(true) || props.contains("KmsKeyId");
      const bool replica_of_cluster = props.contains("DBClusterIdentifier");  // storage belongs to the cluster
      // A read replica inherits the source's encryption (E734 requires an encrypted source).
      const bool read_replica = props.contains("SourceDBInstanceIdentifier");
      if (!encrypted && !replica_of_cluster && !read_replica)
        report("S003", id, "database storage is not encrypted", shown(props.value("StorageEncrypted", json(false))),
               "StorageEncrypted: true (or a KmsKeyId)");
    }

    // S004: plaintext secrets anywhere in the properties.
    std::vector<Step> where;
    scan_secrets(id, props, where);

    // S005: kept resources in a destroyable app.
    if (destroyable_) {
      for (const char* k : {"DeletionPolicy", "UpdateReplacePolicy"})
        if (r.contains(k) && r[k].is_string() && r[k] != "Delete")
          report("S005", id, std::string(k) + " keeps the resource although the app is destroyable",
                 r[k].get<std::string>(), "Delete (context destroyable=true)");
      if (props.value("DeletionProtection", json(false)) == json(true))
        report("S005", id, "deletion protection blocks destroying the app", "DeletionProtection: true",
               "false (context destroyable=true)");
    }

    // S006: log retention.
    if (type == "AWS::Logs::LogGroup" && !props.contains("RetentionInDays"))
      report("S006", id, "log group keeps its logs forever", "no RetentionInDays",
             "RetentionInDays set (e.g. 30)");
  }

  void policy(const std::string& id, const json& doc) {
    if (!doc.is_object() || !doc.contains("Statement")) return;
    json statements = doc["Statement"].is_array() ? doc["Statement"] : json::array({doc["Statement"]});
    for (const auto& st : statements) {
      if (!st.is_object() || st.value("Effect", "Allow") != "Allow") continue;
      const auto actions = strings_of(st.value("Action", json()));
      const auto resources = strings_of(st.value("Resource", json()));
      for (const auto& a : actions)
        if (a == "*" || (a.size() > 2 && a.ends_with(":*")))
          report("S002", id, "IAM statement allows every action of a service", "\"" + a + "\"",
                 "the actions the principal needs");
      if (std::find(resources.begin(), resources.end(), "*") == resources.end()) continue;
      std::string narrowable;
      for (const auto& a : actions)
        if (a != "*" && !(a.size() > 2 && a.ends_with(":*")) && !iam::action_requires_star_resource(a))
          narrowable += (narrowable.empty() ? "" : ", ") + a;
      if (!narrowable.empty())
        report("S002", id, "IAM resource \"*\" for actions that support resource-level permissions (" + narrowable + ")",
               "\"*\"", "the ARNs of the resources the actions need");
    }
  }

  // One step of the path to a value: an object key or an array index.
  struct Step {
    const std::string* key;  // nullptr: index
    std::size_t index;
  };
  static std::string path_text(const std::vector<Step>& where) {
    std::string at = "Properties";
    for (const auto& st : where) at += st.key != nullptr ? "." + *st.key : "[" + std::to_string(st.index) + "]";
    return at;
  }

  // Walks a resource's properties; `where` holds the path to v and becomes
  // text only when something is reported (this runs on every value).
  void scan_secrets(const std::string& id, const json& v, std::vector<Step>& where) {
    if (v.is_object()) {
      if (is_intrinsic(v)) return;
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string& k = it.key();
        const json& e = it.value();
        if (names_a_password(k)) {
          const auto text = literal_text(e);
          if (text && !text->empty() && !is_dynamic_reference(leading_text(e)))
            report("S004", id, "plaintext secret in " + path_text(where) + "." + k,
                   "a literal of " + std::to_string(text->size()) + " characters",
                   "a dynamic reference {{resolve:secretsmanager:...}} or a generated secret");
          continue;
        }
        if (!e.is_structured()) continue;
        where.push_back({&k, 0});
        scan_secrets(id, e, where);
        where.pop_back();
      }
      // Environment variables: {"Variables": {"DB_PASSWORD": "..."}} is covered by the key check above.
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_structured()) continue;
        where.push_back({nullptr, i});
        scan_secrets(id, v[i], where);
        where.pop_back();
      }
    }
  }

  void report(const std::string& rule, const std::string& logical_id, std::string message, std::string got,
              std::string expected) {
    if (!elements_indexed_) {  // findings are rare: index the stack's elements only when one is reported
      s_.stack->walk([&](const Construct& c) {
        if (const auto* el = dynamic_cast<const CfnElement*>(&c)) elements_[el->logical_id()] = el;
      });
      elements_indexed_ = true;
    }
    const CfnElement* e = elements_.contains(logical_id) ? elements_.at(logical_id) : nullptr;
    const std::string path = e != nullptr ? e->path() : s_.stack->path() + "/" + logical_id;
    Diagnostic d{rule, Severity::error, path, std::move(message), std::move(got), std::move(expected)};
    if (e != nullptr) {
      if (const std::string* why = e->acknowledgement(rule)) {
        d.severity = Severity::note;
        d.message += " [acknowledged: " + *why + "]";
      }
    }
    out_.push_back(std::move(d));
  }

  const StackArtifact& s_;
  std::vector<Diagnostic>& out_;
  std::map<std::string, const CfnElement*> elements_;
  bool elements_indexed_ = false;
  bool destroyable_ = false;
};

}  // namespace

std::vector<Diagnostic> check_safety(const Assembly& assembly) {
  std::vector<Diagnostic> out;
  for (const auto& s : assembly.stacks)
    if (s.stack != nullptr) Checker(s, out).run();
  sort_diagnostics(out);
  return out;
}

}  // namespace drsynth
