// The safety rules (S001-S006) over what each element renders to: what a
// security reviewer checks in every template, whatever code produced it (L2s,
// raw L1 resources, overrides). The renderer applies them to each element
// right after writing it (its values are still in the cache), and keeps the
// findings in the stack's artifact. Each finding is an error unless the resource or one
// of its ancestors acknowledged the rule with a reason (Construct::acknowledge);
// then it is a note that names the reason, so the exception stays auditable.
#include <algorithm>
#include <cctype>
#include <map>

#include "drsynth/app.hpp"
#include "drsynth/cfn_element.hpp"
#include "drsynth/cfn_output.hpp"
#include "drsynth/cfn_resource.hpp"
#include "drsynth/iam/policy_statement.hpp"
#include "drsynth/stack.hpp"
#include "drsynth/synth.hpp"
#include "synth/internal.hpp"

namespace drsynth {

namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// A short, always-printable rendering of a value for the "got" part.
std::string shown(const Value& v) {
  std::string s = v.describe();
  if (s.size() > 120) s = s.substr(0, 117) + "...";
  return s;
}

// The argument of intrinsic `name` in either spelling: a Value::fn, or a
// literal {name: argument} object (from_json, overrides).
const Value* intrinsic_argument(const Value& v, std::string_view name) {
  if (v.kind() == Value::Kind::function) return v.function_name() == name ? &v.function_argument() : nullptr;
  if (v.is_object() && v.as_object().size() == 1 && v.as_object().begin()->first == name)
    return &v.as_object().begin()->second;
  return nullptr;
}

// A literal object that is an intrinsic ({"Ref": ...}, {"Fn::...": ...}):
// CloudFormation resolves it at deploy time, so it is no literal secret.
bool is_intrinsic_object(const Value::Object& o) {
  return o.size() == 1 && (o.begin()->first == "Ref" || o.begin()->first.starts_with("Fn::"));
}

// The delimiter and the parts of an Fn::Join, when it has that shape.
std::optional<std::pair<const Value*, const Value::Array*>> join_of(const Value& v) {
  const Value* args = intrinsic_argument(v, "Fn::Join");
  if (args == nullptr || !args->is_array() || args->as_array().size() != 2) return std::nullopt;
  const auto& a = args->as_array();
  if (!a[0].is_string() || !a[1].is_array()) return std::nullopt;
  return std::make_pair(&a[0], &a[1].as_array());
}

// The literal text of a value: a string, or an Fn::Join of only literal strings.
std::optional<std::string> literal_text(const Value& v) {
  if (v.is_string()) return v.as_string();
  const auto join = join_of(v);
  if (!join) return std::nullopt;
  std::string out;
  for (const auto& part : *join->second) {
    if (!part.is_string()) return std::nullopt;
    if (!out.empty()) out += join->first->as_string();
    out += part.as_string();
  }
  return out;
}

// The first string of a value (a Join's first part), to recognise dynamic references.
std::string leading_text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (const auto join = join_of(v); join && !join->second->empty()) return leading_text(join->second->front());
  if (const Value* a = intrinsic_argument(v, "Fn::Sub")) {
    if (a->is_string()) return a->as_string();
    if (a->is_array() && !a->as_array().empty() && a->as_array().front().is_string()) return a->as_array().front().as_string();
  }
  return {};
}

bool is_dynamic_reference(std::string_view s) { return s.starts_with("{{resolve:"); }

bool contains_nocase(std::string_view hay, std::string_view needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                     [](char a, char b) { return ascii_lower(a) == b; }) != hay.end();
}

bool names_a_password(std::string_view key) {
  // Most keys name no secret: decide that without allocating (this runs on every key).
  if (!contains_nocase(key, "password") && !contains_nocase(key, "secret")) return false;
  const std::string k = lower(key);
  if (k.find("password") == std::string::npos && k != "secretstring" && k.find("secret_value") == std::string::npos &&
      k.find("secretvalue") == std::string::npos)
    return false;
  // Settings about passwords rather than passwords.
  for (std::string_view not_a_secret : {"passwordlength", "password_length", "managemasteruserpassword", "excludecharacters",
                                        "generatesecretstring", "secretstringtemplate", "passwordpolicy"})
    if (k == not_a_secret) return false;
  return true;
}

bool mentions_secret_value(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::string: {
      const auto& s = v.as_string();
      return s.find("{{resolve:secretsmanager:") != std::string::npos ||
             s.find("{{resolve:ssm-secure:") != std::string::npos;
    }
    case Value::Kind::array:
      return std::any_of(v.as_array().begin(), v.as_array().end(), mentions_secret_value);
    case Value::Kind::object:
      return std::any_of(v.as_object().begin(), v.as_object().end(),
                         [](const auto& member) { return mentions_secret_value(member.second); });
    case Value::Kind::function: return mentions_secret_value(v.function_argument());
    default: return false;
  }
}

std::vector<std::string> strings_of(const Value* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (v->is_string()) out.push_back(v->as_string());
  if (v->is_array())
    for (const auto& e : v->as_array())
      if (e.is_string()) out.push_back(e.as_string());
  return out;
}

bool is_true(const Value* v) { return v != nullptr && v->kind() == Value::Kind::boolean && v->as_bool(); }

// A resource as its template entry shows it.
struct ResourceView {
  std::string_view type;
  const Value::Object* props = nullptr;
  const std::string* deletion_policy = nullptr;
  const std::string* update_replace_policy = nullptr;
};

// The rules applied to one element; findings go to out_.
class Checker {
 public:
  Checker(bool destroyable, std::vector<Diagnostic>& out) : out_(out), destroyable_(destroyable) {}

  void output(const CfnOutput& o) {
    if (mentions_secret_value(o.props().value))
      report("S004", o, "output " + o.logical_id() + " exposes a secret's value (outputs are readable by anyone who "
                        "can describe the stack)", shown(o.props().value), "no secret values in outputs; pass the secret's ARN");
  }

  void parameter(const CfnParameter& p) {
    if (names_a_password(p.logical_id()) && !p.props().no_echo)
      report("S004", p, "parameter " + p.logical_id() + " holds a secret but is echoed", "NoEcho unset", "NoEcho: true");
  }

  void resource(const CfnResource& r, const Value* entry) {
    static const Value::Object no_properties;
    if (entry == nullptr) {
      check(r, {.type = r.type(),
                .props = &r.properties(),
                .deletion_policy = r.deletion_policy() ? &*r.deletion_policy() : nullptr,
                .update_replace_policy = r.update_replace_policy() ? &*r.update_replace_policy() : nullptr});
      return;
    }
    // Overrides can change anything: check what the resource renders to.
    auto string_at = [&](std::string_view key) -> const std::string* {
      const Value* v = entry->find(key);
      return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
    };
    const Value* props = entry->find("Properties");
    const std::string* type = string_at("Type");
    check(r, {.type = type != nullptr ? std::string_view(*type) : std::string_view(),
              .props = props != nullptr && props->is_object() ? &props->as_object() : &no_properties,
              .deletion_policy = string_at("DeletionPolicy"),
              .update_replace_policy = string_at("UpdateReplacePolicy")});
  }

 private:
  void check(const CfnResource& r, const ResourceView& view) {
    const Value::Object& props = *view.props;
    auto prop = [&](std::string_view key) -> const Value* {
      const auto it = props.find(key);
      return it == props.end() ? nullptr : &it->second;
    };
    const auto type = view.type;

    // S001: open ingress.
    auto ingress = [&](const Value::Object& rule) {
      for (const char* k : {"CidrIp", "CidrIpv6"}) {
        const auto it = rule.find(std::string_view(k));
        if (it != rule.end() && it->second.is_string() &&
            (it->second.as_string() == "0.0.0.0/0" || it->second.as_string() == "::/0"))
          report("S001", r, "ingress open to the whole internet", it->second.as_string(),
                 "the CIDRs or security groups that need access");
      }
    };
    if (type == "AWS::EC2::SecurityGroup")
      if (const Value* rules = prop("SecurityGroupIngress"); rules != nullptr && rules->is_array())
        for (const auto& rule : rules->as_array())
          if (rule.is_object()) ingress(rule.as_object());
    if (type == "AWS::EC2::SecurityGroupIngress") ingress(props);

    // S002: IAM wildcards.
    if (type == "AWS::IAM::Policy" || type == "AWS::IAM::ManagedPolicy") policy(r, prop("PolicyDocument"));
    if (type == "AWS::IAM::Role")
      if (const Value* policies = prop("Policies"); policies != nullptr && policies->is_array())
        for (const auto& p : policies->as_array()) policy(r, p.find("PolicyDocument"));

    // S003: storage encryption.
    if (type == "AWS::RDS::DBInstance" || type == "AWS::RDS::DBCluster") {
      const bool encrypted = is_true(prop("StorageEncrypted")) || prop("KmsKeyId") != nullptr;
      const bool replica_of_cluster = prop("DBClusterIdentifier") != nullptr;  // storage belongs to the cluster
      // A read replica inherits the source's encryption (E734 requires an encrypted source).
      const bool read_replica = prop("SourceDBInstanceIdentifier") != nullptr;
      if (!encrypted && !replica_of_cluster && !read_replica)
        report("S003", r, "database storage is not encrypted",
               prop("StorageEncrypted") != nullptr ? shown(*prop("StorageEncrypted")) : "false",
               "StorageEncrypted: true (or a KmsKeyId)");
    }

    // S004: plaintext secrets anywhere in the properties.
    std::vector<Step> where;
    scan_object(r, props, where);

    // S005: kept resources in a destroyable app.
    if (destroyable_) {
      for (const auto& [k, policy] : {std::pair{"DeletionPolicy", view.deletion_policy},
                                      std::pair{"UpdateReplacePolicy", view.update_replace_policy}})
        if (policy != nullptr && *policy != "Delete")
          report("S005", r, std::string(k) + " keeps the resource although the app is destroyable", *policy,
                 "Delete (context destroyable=true)");
      if (is_true(prop("DeletionProtection")))
        report("S005", r, "deletion protection blocks destroying the app", "DeletionProtection: true",
               "false (context destroyable=true)");
    }

    // S006: log retention.
    if (type == "AWS::Logs::LogGroup" && prop("RetentionInDays") == nullptr)
      report("S006", r, "log group keeps its logs forever", "no RetentionInDays", "RetentionInDays set (e.g. 30)");
  }

  void policy(const CfnResource& r, const Value* doc) {
    if (doc == nullptr) return;
    const Value* statements = doc->find("Statement");
    if (statements == nullptr) return;
    if (!statements->is_array()) {
      statement(r, *statements);
      return;
    }
    for (const auto& st : statements->as_array()) statement(r, st);
  }

  void statement(const CfnResource& r, const Value& st) {
    if (!st.is_object()) return;
    if (const Value* effect = st.find("Effect"); effect != nullptr && !(effect->is_string() && effect->as_string() == "Allow"))
      return;
    const auto actions = strings_of(st.find("Action"));
    const auto resources = strings_of(st.find("Resource"));
    for (const auto& a : actions)
      if (a == "*" || (a.size() > 2 && a.ends_with(":*")))
        report("S002", r, "IAM statement allows every action of a service", "\"" + a + "\"",
               "the actions the principal needs");
    if (std::find(resources.begin(), resources.end(), "*") == resources.end()) return;
    std::string narrowable;
    for (const auto& a : actions)
      if (a != "*" && !(a.size() > 2 && a.ends_with(":*")) && !iam::action_requires_star_resource(a))
        narrowable += (narrowable.empty() ? "" : ", ") + a;
    if (!narrowable.empty())
      report("S002", r, "IAM resource \"*\" for actions that support resource-level permissions (" + narrowable + ")",
             "\"*\"", "the ARNs of the resources the actions need");
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

  static bool structured(const Value& v) { return v.is_object() || v.is_array(); }

  // Walks a resource's properties; `where` holds the path to the object and
  // becomes text only when something is reported (this runs on every value).
  void scan_object(const CfnResource& r, const Value::Object& o, std::vector<Step>& where) {
    if (is_intrinsic_object(o)) return;
    for (const auto& [k, e] : o) {
      if (names_a_password(k)) {
        const auto text = literal_text(e);
        if (text && !text->empty() && !is_dynamic_reference(leading_text(e)))
          report("S004", r, "plaintext secret in " + path_text(where) + "." + k,
                 "a literal of " + std::to_string(text->size()) + " characters",
                 "a dynamic reference {{resolve:secretsmanager:...}} or a generated secret");
        continue;
      }
      if (!structured(e)) continue;
      where.push_back({&k, 0});
      scan(r, e, where);
      where.pop_back();
    }
    // Environment variables: {"Variables": {"DB_PASSWORD": "..."}} is covered by the key check above.
  }

  void scan(const CfnResource& r, const Value& v, std::vector<Step>& where) {
    if (v.is_object()) {
      scan_object(r, v.as_object(), where);
      return;
    }
    const auto& items = v.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!structured(items[i])) continue;
      where.push_back({nullptr, i});
      scan(r, items[i], where);
      where.pop_back();
    }
  }

  void report(const std::string& rule, const CfnElement& e, std::string message, std::string got, std::string expected) {
    Diagnostic d{rule, Severity::error, e.path(), std::move(message), std::move(got), std::move(expected)};
    if (const std::string* why = e.acknowledgement(rule)) {
      d.severity = Severity::note;
      d.message += " [acknowledged: " + *why + "]";
    }
    out_.push_back(std::move(d));
  }

  std::vector<Diagnostic>& out_;
  bool destroyable_ = false;
};

}  // namespace

namespace internal {

SafetyRules::SafetyRules(const App& app) {
  if (const auto* ctx = app.context("destroyable"); ctx != nullptr)
    destroyable_ = ctx->is_boolean() ? ctx->get<bool>() : (ctx->is_string() && ctx->get<std::string>() == "true");
}

void SafetyRules::resource(const CfnResource& r, const Value* entry, std::vector<Diagnostic>& out) const {
  Checker(destroyable_, out).resource(r, entry);
}
void SafetyRules::output(const CfnOutput& o, std::vector<Diagnostic>& out) const { Checker(destroyable_, out).output(o); }
void SafetyRules::parameter(const CfnParameter& p, std::vector<Diagnostic>& out) const {
  Checker(destroyable_, out).parameter(p);
}

}  // namespace internal

std::vector<Diagnostic> check_safety(const Assembly& assembly) {
  std::vector<Diagnostic> out;
  for (const auto& s : assembly.stacks) out.insert(out.end(), s.findings.begin(), s.findings.end());
  sort_diagnostics(out);
  return out;
}

}  // namespace drsynth
