// The environment contract of the ready-made handlers (internal):
// runtime/drsynth_failover/contract.json lists, per function ("failover",
// "witness", "probe"), every variable the handler reads, whether it is
// required (always, or for one engine) and the values it accepts. The
// handlers read the same file; the constructs check against it that every
// required variable is set and nothing outside it is, so that the two cannot
// drift apart.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "drsynth/core/construct.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::lambda::detail {

struct ContractVariable {
  std::string name;
  std::string required;  // "always", "optional", or an engine ("rds", "aurora"): required for that engine
  std::string type;      // "int", "number", "bool"; empty: any string
  std::vector<std::string> values;  // empty: any string
};

// The contract as the shipped handler code holds it: <DRSYNTH_RUNTIME_DIR>/
// drsynth_failover/contract.json when that file exists, else the copy
// compiled into the library. Parsed once per file. `problem` is set (and the
// result empty) when it cannot be read or parsed, or has no such function.
[[nodiscard]] std::vector<ContractVariable> contract_variables(std::string_view function, std::string& problem);

// E769 at `c`: the contract cannot be read; a variable it requires (always,
// or for `engine`) that `env` lacks; a variable `env` sets that it does not
// list; a literal value outside a variable's values or not of its type.
void check_environment(Validation& v, const Construct& c, std::string_view function, std::string_view engine,
                       const std::map<std::string, Value>& env);

}  // namespace drsynth::lambda::detail
