// Statements that resource policies (topic, queue and bucket policies) share (internal).
#pragma once

#include <string>

#include "drsynth/core/value.hpp"

namespace drsynth::iam::detail {

// "EnforceTLS": Deny `action` on `resources` to everyone when aws:SecureTransport is false.
[[nodiscard]] inline Value deny_insecure_transport(std::string action, Value resources) {
  return Value::object({{"Sid", "EnforceTLS"},
                        {"Effect", "Deny"},
                        {"Principal", "*"},
                        {"Action", std::move(action)},
                        {"Resource", std::move(resources)},
                        {"Condition", Value::object({{"Bool", Value::object({{"aws:SecureTransport", "false"}})}})}});
}

// Allow `action` on `resource` to a service principal, under `conditions`.
[[nodiscard]] inline Value allow_service(const std::string& service_principal, std::string action, Value resource,
                                         Value::Object conditions) {
  return Value::object({{"Effect", "Allow"},
                        {"Principal", Value::object({{"Service", service_principal}})},
                        {"Action", std::move(action)},
                        {"Resource", std::move(resource)},
                        {"Condition", Value(std::move(conditions))}});
}

// {"Version": "2012-10-17", "Statement": [...]}
[[nodiscard]] inline Value resource_policy(Value::Array statements) {
  return Value::object({{"Version", "2012-10-17"}, {"Statement", Value(std::move(statements))}});
}

}  // namespace drsynth::iam::detail
