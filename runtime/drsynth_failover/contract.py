"""The environment contract (contract.json): the variables each function reads,
whether they are required (always, or for one ENGINE), their defaults and
types.  The C++ constructs build the functions' environments from the same
file, so a name spelled here and nowhere else cannot happen."""

import json
import os
from types import SimpleNamespace

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contract.json")

with open(PATH, encoding="utf-8") as _f:
    CONTRACT = json.load(_f)

# Names the Lambda runtime sets itself (and the tests' shells): never "unknown".
RESERVED_PREFIXES = ("AWS_", "LAMBDA_", "_")
RESERVED = frozenset(("TZ", "LANG", "PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "HOME", "PWD", "SHELL", "USER", "TERM"))


class ContractError(ValueError):
    """Missing or malformed environment: the function refuses to act."""


def entries(function):
    return CONTRACT["functions"][function]


def names(function):
    return [e["name"] for e in entries(function)]


def unknown(function, env_names):
    """Names in `env_names` that the contract does not know (reserved names aside)."""
    known = set(names(function))
    return sorted(n for n in env_names if n not in known and n not in RESERVED
                  and not n.startswith(RESERVED_PREFIXES))


def _convert(entry, text):
    kind = entry.get("type")
    if kind is None:
        return text
    try:
        if kind == "int":
            return int(text)
        if kind == "number":
            return float(text)
        if kind == "bool":
            value = text.strip().lower()
            if value not in ("true", "false"):
                raise ValueError(f"expected true or false, got {text!r}")
            return value == "true"
    except ValueError as exc:
        raise ContractError(f"{entry['name']}: {exc}") from None
    raise ContractError(f"{entry['name']}: unknown type {kind!r} in contract.json")


def load(function, env):
    """Settings of `function` from `env`: one attribute per variable (lower
    case), converted by its type.  Raises ContractError naming every missing
    variable and every bad value."""
    engine = env.get("ENGINE", "")
    values, missing, bad = {}, [], []
    for entry in entries(function):
        name = entry["name"]
        text = env.get(name, "")
        if text == "" and "default" in entry:
            text = entry["default"]
        required = entry["required"]
        if text == "" and (required == "always" or required == engine):
            missing.append(name)
            continue
        if text != "" and "values" in entry and text not in entry["values"]:
            bad.append(f"{name} must be one of {', '.join(entry['values'])}, got {text!r}")
            continue
        try:
            values[name.lower()] = _convert(entry, text) if text != "" else text
        except ContractError as exc:
            bad.append(str(exc))
    if missing or bad:
        raise ContractError("; ".join((["missing environment variables: " + ", ".join(missing)] if missing else [])
                                      + bad))
    return SimpleNamespace(**values)


def region_of_arn(arn):
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 5 and parts[0] == "arn" else ""


def failover_settings(env):
    """The failover function's settings, with the rules no single variable says."""
    s = load("failover", env)
    if s.local_region == s.remote_region or s.local_site == s.remote_site or s.local_db_arn == s.remote_db_arn:
        raise ContractError("LOCAL and REMOTE must be different regions, sites and databases")
    if s.arm_after_healthy_minutes < 1 or s.hold_minutes < 1:
        raise ContractError("ARM_AFTER_HEALTHY_MINUTES and HOLD_MINUTES must be >= 1")
    s.witness_region = region_of_arn(s.witness_function_arn)
    if s.witness_function_arn and (not s.witness_region or s.witness_region in (s.local_region, s.remote_region)):
        raise ContractError("WITNESS_FUNCTION_ARN must be a function ARN in a third region")
    if s.lease_parameter:
        from .lease import check_settings  # the inequality lives with the lease
        if not s.witness_function_arn or not s.lease_record_parameter or not s.fence_parameter_group:
            raise ContractError("LEASE_PARAMETER needs WITNESS_FUNCTION_ARN, LEASE_RECORD_PARAMETER and "
                                "FENCE_PARAMETER_GROUP (the lease exists only with a witness)")
        why = check_settings(s)
        if why:
            raise ContractError(why)
    s.fence_check_ids = [c.strip() for c in s.fence_check_ids.split(",") if c.strip()]
    s.topics = [t for t in (s.local_topic_arn, s.remote_topic_arn) if t]
    return s


def witness_settings(env):
    s = load("witness", env)
    if s.site_a == s.site_b or s.site_a_region == s.site_b_region:
        raise ContractError("SITE_A and SITE_B must be different sites in different regions")
    return s
