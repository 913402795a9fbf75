// Helpers shared by the ready-made functions (internal).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "drsynth/lambda/function.hpp"
#include "drsynth/core/value.hpp"
#include "lambda/runtime_files.hpp"

namespace drsynth {
class Stack;
}

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

// The ready-made functions' code (runtime_files.hpp): each handler and the
// package folders it imports.
inline constexpr std::string_view failover_packages[] = {"drsynth_failover"};
inline constexpr std::string_view pgwire_packages[] = {"drsynth_pgwire"};
inline constexpr HandlerCode failover_code{.handler = "failover", .packages = failover_packages};
inline constexpr HandlerCode witness_code{.handler = "witness", .packages = failover_packages};
inline constexpr HandlerCode probe_code{.handler = "probe", .packages = pgwire_packages};
inline constexpr HandlerCode rotation_code{.handler = "rotation", .packages = pgwire_packages, .rds_ca = true};

// Sets the code of a ready-made function: `code` as compiled into the
// library, or, when $DRSYNTH_RUNTIME_DIR is set, the same composition from
// that folder (<dir>/<handler> plus <dir>/<package>/... as <package>/...;
// a package folder that is absent adds nothing).
void use_handler(FunctionProps& p, const HandlerCode& code);

// The props of a ready-made function from its own props (their
// function_name, timeout_seconds, memory_mb, log_retention_days,
// log_kms_key and role_name), with python3.12, index.handler and the handler's code.
template <class Props>
[[nodiscard]] FunctionProps ready_made_props(const Props& p, std::string description,
                                             std::map<std::string, Value> environment, const HandlerCode& code) {
  FunctionProps f{.function_name = p.function_name,
                  .description = std::move(description),
                  .runtime = "python3.12",
                  .handler = "index.handler",
                  .timeout_seconds = p.timeout_seconds,
                  .memory_mb = p.memory_mb,
                  .environment = std::move(environment),
                  .log_retention_days = p.log_retention_days,
                  .log_kms_key = p.log_kms_key,
                  .role_name = p.role_name};
  use_handler(f, code);
  return f;
}

// The ARN of the SSM parameter `name` ("/drsynth/dev/x" or "x") of the
// stack's account in `region`, for IAM statements.
[[nodiscard]] Value ssm_parameter_arn(const Stack& stack, const std::string& name, const std::string& region);

// E769 at `c` for an SSM parameter name (`what`: "lock", "state", "grant")
// that SSM refuses or reserves (aws*, ssm*); empty is left to the caller.
void check_parameter_name(Validation& v, const Construct& c, std::string_view what, const std::string& name);

}  // namespace drsynth::lambda::detail
