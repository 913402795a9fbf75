// The safety rules (S001-S006) over what each element renders to: what a
// security reviewer checks in every template, whatever code produced it (L2s,
// raw L1 resources, overrides). Each element kind hands over the parts of its
// entry the rules look at (CfnElement::review); the rules know CloudFormation
// types and nothing of the services that create them. Each finding is an
// error unless the element or one of its ancestors acknowledged the rule with
// a reason (Construct::acknowledge); then it is a note that names the reason,
// so the exception stays auditable.
#include "synth/safety.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <optional>

#include "drsynth/core/app.hpp"
#include "drsynth/core/cfn_element.hpp"
#include "drsynth/synth/safety_review.hpp"
#include "drsynth/synth/synth.hpp"
#include "core/safety_rules.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::detail {

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

// Whether `hay` contains "password" or "secret", in any case: one pass that
// compares only where a 'p' or an 's' starts (this runs on every key).
bool mentions_password_or_secret(std::string_view hay) {
  auto at = [&](std::size_t i, std::string_view needle) {
    if (hay.size() - i < needle.size()) return false;
    for (std::size_t k = 1; k < needle.size(); ++k)
      if (ascii_lower(hay[i + k]) != needle[k]) return false;
    return true;
  };
  for (std::size_t i = 0; i < hay.size(); ++i) {
    const char c = ascii_lower(hay[i]);
    if ((c == 'p' && at(i, "password")) || (c == 's' && at(i, "secret"))) return true;
  }
  return false;
}

bool names_a_password(std::string_view key) {
  // Most keys name no secret: decide that without allocating.
  if (!mentions_password_or_secret(key)) return false;
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

// What the rules read of a resource entry.
struct ResourceView {
  std::string_view type;
  const Value::Object* props = nullptr;
  const std::string* deletion_policy = nullptr;
  const std::string* update_replace_policy = nullptr;
};

// The rules applied to one element; findings go to out_.
class Checker final : public SafetyReview {
 public:
  Checker(bool destroyable, std::string_view entry_text, std::vector<Diagnostic>& out)
      : out_(out), entry_text_(entry_text), destroyable_(destroyable) {}

  void output(const CfnElement& o, const Value& value) override {
    if (mentions_secret_value(value))
      report("S004", o, "output " + o.logical_id() + " exposes a secret's value (outputs are readable by anyone who "
                        "can describe the stack)", shown(value), "no secret values in outputs; pass the secret's ARN");
  }

  void parameter(const CfnElement& p, bool no_echo) override {
    if (names_a_password(p.logical_id()) && !no_echo)
      report("S004", p, "parameter " + p.logical_id() + " holds a secret but is echoed", "NoEcho unset", "NoEcho: true");
  }

  void resource(const CfnElement& r, std::string_view type, const Value::Object& properties,
                const std::string* deletion_policy, const std::string* update_replace_policy) override {
    check(r, {.type = type, .props = &properties, .deletion_policy = deletion_policy,
              .update_replace_policy = update_replace_policy});
  }

  void resource_entry(const CfnElement& r, const Value& entry) override {
    static const Value::Object no_properties;
    auto string_at = [&](std::string_view key) -> const std::string* {
      const Value* v = entry.find(key);
      return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
    };
    const Value* props = entry.find("Properties");
    const std::string* type = string_at("Type");
    check(r, {.type = type != nullptr ? std::string_view(*type) : std::string_view(),
              .props = props != nullptr && props->is_object() ? &props->as_object() : &no_properties,
              .deletion_policy = string_at("DeletionPolicy"),
              .update_replace_policy = string_at("UpdateReplacePolicy")});
  }

  Value rendered(const CfnElement&) override { return Value::from_json(nlohmann::json::parse(entry_text_)); }

 private:
  using Props = Value::Object;
  static const Value* prop(const Props& props, std::string_view key) {
    const auto it = props.find(key);
    return it == props.end() ? nullptr : &it->second;
  }

  // The rules that look at resources of one type, by CloudFormation type.
  using TypeRule = void (Checker::*)(const CfnElement&, const Props&);
  struct TypeRules {
    std::string_view type;
    TypeRule rule;
  };
  static const std::array<TypeRules, 8>& by_type() {
    static constexpr std::array<TypeRules, 8> rules{{
        {"AWS::EC2::SecurityGroup", &Checker::security_group},      // S001
        {"AWS::EC2::SecurityGroupIngress", &Checker::ingress_rule},  // S001
        {"AWS::IAM::Policy", &Checker::policy_document},             // S002
        {"AWS::IAM::ManagedPolicy", &Checker::policy_document},      // S002
        {"AWS::IAM::Role", &Checker::role_policies},                 // S002
        {"AWS::RDS::DBInstance", &Checker::database_storage},        // S003
        {"AWS::RDS::DBCluster", &Checker::database_storage},         // S003
        {"AWS::Logs::LogGroup", &Checker::log_retention},            // S006
    }};
    return rules;
  }

  void check(const CfnElement& r, const ResourceView& view) {
    const Props& props = *view.props;
    for (const auto& t : by_type())
      if (t.type == view.type) (this->*t.rule)(r, props);

    // S004: plaintext secrets anywhere in the properties.
    std::vector<Step> where;
    scan_object(r, props, where);

    // S005: kept resources in a destroyable app.
    if (destroyable_) {
      for (const auto& [k, policy] : {std::pair{"DeletionPolicy", view.deletion_policy},
                                      std::pair{"UpdateReplacePolicy", view.update_replace_policy}})
        if (policy != nullptr && *policy != "Delete")
          report("S005", r, std::string(k) + " keeps the resource although the app is destroyable", *policy,
                 "Delete (context destroyable=true; set destroyable=false to keep resources)");
      if (is_true(prop(props, "DeletionProtection")))
        report("S005", r, "deletion protection blocks destroying the app", "DeletionProtection: true",
               "false (context destroyable=true; set destroyable=false to keep deletion protection)");
    }
  }

  // S001: open ingress.
  void ingress_rule(const CfnElement& r, const Props& rule) {
    for (const char* k : {"CidrIp", "CidrIpv6"}) {
      const auto it = rule.find(std::string_view(k));
      if (it != rule.end() && it->second.is_string() &&
          (it->second.as_string() == "0.0.0.0/0" || it->second.as_string() == "::/0"))
        report("S001", r, "ingress open to the whole internet", it->second.as_string(),
               "the CIDRs or security groups that need access");
    }
  }
  void security_group(const CfnElement& r, const Props& props) {
    if (const Value* rules = prop(props, "SecurityGroupIngress"); rules != nullptr && rules->is_array())
      for (const auto& rule : rules->as_array())
        if (rule.is_object()) ingress_rule(r, rule.as_object());
  }

  // S002: IAM wildcards.
  void policy_document(const CfnElement& r, const Props& props) { policy(r, prop(props, "PolicyDocument")); }
  void role_policies(const CfnElement& r, const Props& props) {
    if (const Value* policies = prop(props, "Policies"); policies != nullptr && policies->is_array())
      for (const auto& p : policies->as_array()) policy(r, p.find("PolicyDocument"));
  }

  // S003: storage encryption.
  void database_storage(const CfnElement& r, const Props& props) {
    const bool encrypted = is_true(prop(props, "StorageEncrypted")) || prop(props, "KmsKeyId") != nullptr;
    const bool replica_of_cluster = prop(props, "DBClusterIdentifier") != nullptr;  // storage belongs to the cluster
    // A read replica inherits the source's encryption (E734 requires an encrypted source).
    const bool read_replica = prop(props, "SourceDBInstanceIdentifier") != nullptr;
    if (!encrypted && !replica_of_cluster && !read_replica)
      report("S003", r, "database storage is not encrypted",
             prop(props, "StorageEncrypted") != nullptr ? shown(*prop(props, "StorageEncrypted")) : "false",
             "StorageEncrypted: true (or a KmsKeyId)");
  }

  // S006: log retention.
  void log_retention(const CfnElement& r, const Props& props) {
    if (prop(props, "RetentionInDays") == nullptr)
      report("S006", r, "log group keeps its logs forever", "no RetentionInDays", "RetentionInDays set (e.g. 30)");
  }

  void policy(const CfnElement& r, const Value* doc) {
    if (doc == nullptr) return;
    const Value* statements = doc->find("Statement");
    if (statements == nullptr) return;
    if (!statements->is_array()) {
      statement(r, *statements);
      return;
    }
    for (const auto& st : statements->as_array()) statement(r, st);
  }

  void statement(const CfnElement& r, const Value& st) {
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
      if (a != "*" && !(a.size() > 2 && a.ends_with(":*")) && !action_requires_star_resource(a))
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
  void scan_object(const CfnElement& r, const Value::Object& o, std::vector<Step>& where) {
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

  void scan(const CfnElement& r, const Value& v, std::vector<Step>& where) {
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

  void report(std::string_view rule, const CfnElement& e, std::string message, std::string got, std::string expected) {
    const SafetyRule* known = find_safety_rule(rule);
    if (known == nullptr || known->checked_by != RuleCheckedBy::template_checker)
      throw Error(Diagnostic{codes::E111, Severity::error, e.path(), "the template checker reports a rule it does not own",
                             std::string(rule), "a rule of safety_rules.hpp checked by the template checker"});
    Diagnostic d{std::string(rule), Severity::error, e.path(), std::move(message), std::move(got), std::move(expected)};
    if (const std::string* why = e.acknowledgement(rule)) {
      d.severity = Severity::note;
      d.message += " [acknowledged: " + *why + "]";
    }
    out_.push_back(std::move(d));
  }

  std::vector<Diagnostic>& out_;
  std::string_view entry_text_;
  bool destroyable_ = false;
};

}  // namespace

SafetyChecker::SafetyChecker(const App& app) : destroyable_(app.context_bool("destroyable", false)) {}

void SafetyChecker::review(const CfnElement& e, std::string_view entry_text, std::vector<Diagnostic>& findings) const {
  Checker checker(destroyable_, entry_text, findings);
  e.review(checker);
}

}  // namespace drsynth::detail

namespace drsynth {

std::vector<Diagnostic> check_safety(const Assembly& assembly) {
  std::vector<Diagnostic> out;
  for (const auto& s : assembly.stacks) out.insert(out.end(), s.findings.begin(), s.findings.end());
  sort_diagnostics(out);
  return out;
}

}  // namespace drsynth
