// rds::SubnetGroup: an AWS::RDS::DBSubnetGroup over every subnet of a Vpc.
//
// The L1 child is "Default" (as in aws-cdk-lib), so a subnet group that a
// DatabaseInstance creates for itself is Primary/SubnetGroup/Default.
//
// Error codes: E738 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::ec2 {
class Vpc;
}

namespace drsynth::rds {

struct SubnetGroupProps {
  Required<ec2::Vpc, "vpc"> vpc;
  std::string description{"drsynth database subnets"};
  std::optional<std::string> name{};
};

class SubnetGroup : public Construct {
 public:
  using Props = SubnetGroupProps;

  SubnetGroup(Construct& scope, std::string id, SubnetGroupProps props);

  // Ref: the subnet group name.
  [[nodiscard]] Value name() const { return resource_->ref(); }
  [[nodiscard]] const ec2::Vpc& vpc() const noexcept { return *props_.vpc; }
  [[nodiscard]] CfnResource& resource() noexcept { return *resource_; }
  [[nodiscard]] const CfnResource& resource() const noexcept { return *resource_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.rds.SubnetGroup"; }

 private:
  SubnetGroupProps props_;
  CfnResource* resource_ = nullptr;
};

}  // namespace drsynth::rds
