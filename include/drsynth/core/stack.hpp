// Stack: one CloudFormation template, deployed to one account and region.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "drsynth/core/construct.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth {

class Asset;
class CfnCondition;
class CfnElement;
class CfnParameter;
class CfnResource;

struct Environment {
  std::string region;                   // required, e.g. "us-east-1"
  std::optional<std::string> account{};  // unknown: the stack is account-agnostic
};

struct StackProps {
  // Defaults to the construct id. <= 128 chars, ^[a-zA-Z][-a-zA-Z0-9]*$.
  std::optional<std::string> stack_name{};
  Environment env{};
  std::optional<std::string> description{};
  // Role that Fn::GetStackOutput assumes to read outputs of stacks in other
  // (known) accounts. Without it such a reference is an error (E304).
  std::optional<std::string> cross_account_reader_role_arn{};
};

class Stack : public Construct {
 public:
  using Props = StackProps;
  Stack(Construct& scope, std::string id, StackProps props);

  [[nodiscard]] const std::string& stack_name() const noexcept { return name_; }
  [[nodiscard]] const std::string& region() const noexcept { return props_.env.region; }
  [[nodiscard]] const std::optional<std::string>& account() const noexcept { return props_.env.account; }
  [[nodiscard]] const StackProps& props() const noexcept { return props_; }
  // "aws://123456789012/us-east-1" or "aws://unknown-account/us-east-1".
  [[nodiscard]] std::string environment_uri() const;

  // The account as a template value: the literal when known, else ${AWS::AccountId}.
  [[nodiscard]] Value account_value() const;
  // arn:${AWS::Partition}:<service>:<region>:<account>:<resource>, the region
  // and account of this stack unless given. Use region "" for global services.
  [[nodiscard]] Value format_arn(std::string_view service, Value resource, std::optional<std::string> region = std::nullopt) const;

  // An explicit ordering dependency on another stack.
  void add_dependency(const Stack& other, std::string reason = {});
  struct Dependency {
    const Stack* stack;
    std::string reason;
  };
  [[nodiscard]] const std::vector<Dependency>& explicit_dependencies() const noexcept { return dependencies_; }

  // The S3 bucket of this stack's asset zips: the template parameter
  // "AssetsBucket" (the bucket in this stack's region that deploy.sh uploads
  // them to) or, when it is empty as `cdk deploy` leaves it, the CDK bootstrap
  // bucket cdk-hnb659fds-assets-ACCOUNT-REGION that cdk deploy publishes them
  // to (the stack's <stack>.assets.json). Created on first use, with the
  // condition "AssetsBucketGiven".
  [[nodiscard]] Value assets_bucket();
  [[nodiscard]] bool uses_assets() const noexcept { return assets_bucket_ != nullptr; }

  // A step destroy.sh runs around the stack deletes, for what CloudFormation
  // cannot delete as it is (typed, so that no construct writes free shell
  // text into the script). destroy.sh runs the steps of every stack in this
  // order of kinds, then deletes the stacks in reverse dependency order:
  //   disarm_function      sets the function's reserved concurrency to 0 (no
  //                        invocation runs after it), then waits until its lock
  //                        parameter is gone, at most the function's timeout
  //                        (a run that started before still finishes)
  //   reset_weighted_record  UPSERTs the record with the template's weight,
  //                        TTL and health check (zone and check ids read from
  //                        this stack; the value read from Route 53): a
  //                        failover's flip is undone, so that CloudFormation's
  //                        DELETE matches the record
  //   remove_global_secondaries  when the global cluster's writer is not the
  //                        cluster the templates made its primary, removes
  //                        every other member from it and waits until each is a
  //                        standalone, available cluster
  //   empty_bucket         (just before this stack's delete) deletes every
  //                        object version and delete marker of the bucket (its
  //                        physical name read from the stack), since
  //                        CloudFormation deletes only empty buckets
  //   delete_parameters    (after every stack is gone) deletes every SSM
  //                        parameter under `path` in each of `regions`: the
  //                        state the functions created at run time
  struct DisarmFunction {
    std::string function_name;
    int timeout_seconds = 0;
    std::string lock_parameter;  // in this stack's region; empty: no wait
  };
  struct ResetWeightedRecord {
    const CfnResource* zone = nullptr;          // AWS::Route53::HostedZone of this stack
    const CfnResource* health_check = nullptr;  // AWS::Route53::HealthCheck of this stack
    std::string record_name;
    std::string set_identifier;
    int weight = 0;
    int ttl = 0;
  };
  struct RemoveGlobalSecondaries {
    std::string global_cluster_id;
    std::string primary_cluster_id;  // the writer the templates create
  };
  struct DeleteParameters {
    std::string path;  // the hierarchy, "/drsynth/rds-dev" (GetParametersByPath, recursive)
    std::vector<std::string> regions;
  };
  struct PreDestroyStep {
    enum class Kind { empty_bucket, disarm_function, reset_weighted_record, remove_global_secondaries, delete_parameters };
    Kind kind;
    const CfnResource* resource;  // the bucket, function, record or global cluster; null for delete_parameters
    std::string reason;  // printed as a comment above the step
    std::variant<std::monostate, DisarmFunction, ResetWeightedRecord, RemoveGlobalSecondaries, DeleteParameters>
        detail{};
  };
  void add_pre_destroy_step(PreDestroyStep step) { pre_destroy_steps_.push_back(std::move(step)); }
  [[nodiscard]] const std::vector<PreDestroyStep>& pre_destroy_steps() const noexcept { return pre_destroy_steps_; }

  // A check deploy.sh makes, for every stack, before it uploads or deploys
  // anything (typed, like the pre-destroy steps):
  //   engine_version  asks RDS of this stack's region whether it creates `engine`
  //                   `version` today (describe-db-engine-versions --include-all:
  //                   Status "available", and SupportsGlobalDatabases for a member
  //                   of a global cluster); otherwise the script stops, naming the
  //                   version, the region, `what` and `hint`.
  struct PreDeployCheck {
    enum class Kind { engine_version };
    Kind kind;
    std::string engine;   // "postgres", "aurora-postgresql"
    std::string version;  // "15.17"
    bool global = false;
    std::string what;  // the construct path
    std::string hint;  // what to set instead
    // The resource whose EngineVersion the version is: an override of it
    // (CfnResource::property_after_overrides) is what the script asks about.
    const CfnResource* resource = nullptr;
  };
  void add_pre_deploy_check(PreDeployCheck check) { pre_deploy_checks_.push_back(std::move(check)); }
  [[nodiscard]] const std::vector<PreDeployCheck>& pre_deploy_checks() const noexcept { return pre_deploy_checks_; }

  // Every element (resource, output, parameter) and asset in this stack, in
  // the order they were completed: what the renderer writes, without a walk
  // over the whole tree.
  [[nodiscard]] const std::vector<const CfnElement*>& elements() const noexcept { return elements_; }
  [[nodiscard]] const std::vector<const Asset*>& assets() const noexcept { return assets_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.Stack"; }

 private:
  friend class CfnElement;
  friend class Asset;

  StackProps props_;
  std::string name_;
  std::vector<Dependency> dependencies_;
  std::vector<PreDestroyStep> pre_destroy_steps_;
  std::vector<PreDeployCheck> pre_deploy_checks_;
  CfnParameter* assets_bucket_ = nullptr;
  CfnCondition* assets_bucket_given_ = nullptr;
  std::vector<const CfnElement*> elements_;
  std::vector<const Asset*> assets_;
};

}  // namespace drsynth
