// Helpers shared by the ready-made functions (internal).
#pragma once

#include <string>
#include <string_view>

#include "drsynth/lambda/function.hpp"
#include "drsynth/value.hpp"
#include "lambda/runtime_files.hpp"

namespace drsynth {
class Stack;
namespace events {
class Schedule;
}
}  // namespace drsynth

namespace drsynth::lambda::detail {

// Lambda environment values are strings: numbers are rendered as text.
inline Value env_string(const Value& v) {
  if (v.kind() == Value::Kind::integer) return Value(std::to_string(v.as_int()));
  if (v.kind() == Value::Kind::boolean) return Value(v.as_bool() ? "true" : "false");
  return v;
}

inline bool missing(const Value& v) { return v.is_null() || (v.is_string() && v.as_string().empty()); }

// prefix + v as one value: a literal when v is a literal, else Fn::Join.
inline Value concat(const std::string& prefix, const Value& v) {
  if (v.is_string()) return Value(prefix + v.as_string());
  return Value::join("", {Value(prefix), v});
}

// Sets the code of a ready-made function: runtime/<handler>/ as compiled into
// the library, or $DRSYNTH_RUNTIME_DIR/<handler> when that is set.
inline void use_handler(FunctionProps& p, std::string_view handler) {
  if (const auto dir = runtime_dir(); !dir.empty())
    p.code_asset = dir / handler;
  else
    p.code_files = embedded_handler(handler);
}

// As use_handler, with the Amazon RDS CA bundle of runtime/probe/ added to the
// code (a database client that verifies the server's certificate).
inline void use_handler_with_rds_ca(FunctionProps& p, std::string_view handler) {
  if (const auto dir = runtime_dir(); !dir.empty()) {
    p.code_asset = dir / handler;
    p.code_extra_files[std::string(rds_ca_bundle_name)] = dir / "probe" / rds_ca_bundle_name;
  } else {
    p.code_files = embedded_handler_with_rds_ca(handler);
  }
}

// The ARN of the SSM parameter `name` ("/drsynth/dev/x" or "x") of the
// stack's account in `region`, for IAM statements.
[[nodiscard]] Value ssm_parameter_arn(const Stack& stack, const std::string& name, const std::string& region);

// What both failover functions (the RDS replica's and the Aurora global
// database's) get after their own statements: CloudWatch metric reads (no
// resource-level permissions) and writes (pinned to the namespace), the lock
// and state parameters of `region`, the dead-letter queue, and the reconcile
// rule (none when `reconcile_schedule` is empty).
struct FailoverPlumbing {
  std::string metric_namespace;
  std::string lock_parameter;
  std::string state_parameter;
  std::string region;
  Value dead_letter_queue_arn;
  std::string reconcile_schedule;
  std::string reconcile_description;
};
// Returns the reconcile rule, or null.
events::Schedule* add_failover_plumbing(Function& f, const FailoverPlumbing& p);

// E769 at `c` for a failover function's lock or state parameter name that SSM
// refuses (or reserves: aws*, ssm*), or for the two being the same parameter.
void check_lock_and_state(Validation& v, const Construct& c, const std::string& lock, const std::string& state);

}  // namespace drsynth::lambda::detail
