// manifest.json: what the AWS CDK CLI reads from a cloud assembly.
#include "drsynth/synth/synth.hpp"
#include "core/constants.hpp"
#include "synth/internal.hpp"
#include "synth/json_text.hpp"

namespace drsynth::detail {

// Artifacts in deployment order: the AWS CDK CLI lists and deploys them in
// manifest order. Keys in the order the cloud-assembly schema lists them.
std::string manifest_text(const Assembly& a) {
  std::string out;
  {
    JsonText w(out);
    auto member = [&w](std::string_view key, std::string_view value, std::size_t indent, bool& first) {
      w.key(key, indent, first);
      w.string(value);
    };
    bool first = true;
    w.open('{');
    member("version", manifest_version, 2, first);
    w.key("artifacts", 2, first);
    bool first_artifact = true;
    w.open('{');
    auto bootstrap_version = [&](std::size_t indent, bool& f) {
      w.key("requiresBootstrapStackVersion", indent, f);
      w.integer(cdk_bootstrap_min_version);
      member("bootstrapStackVersionSsmParameter", cdk_bootstrap_version_parameter, indent, f);
    };
    // {"type": type, "properties": {"file": file, (the bootstrap version it needs)}}
    auto file_artifact = [&](std::string_view id, std::string_view type, std::string_view file, bool bootstrap) {
      w.key(id, 4, first_artifact);
      bool f = true;
      w.open('{');
      member("type", type, 6, f);
      w.key("properties", 6, f);
      bool fp = true;
      w.open('{');
      member("file", file, 8, fp);
      if (bootstrap) bootstrap_version(8, fp);
      w.close('}', 6, fp);
      w.close('}', 4, f);
    };
    for (const auto& art : a.stacks) {
      // A stack with assets: cdk deploy publishes them (and the template) by
      // its asset manifest first, then deploys with the bootstrap stack's
      // roles, as for an aws-cdk-lib stack of the DefaultStackSynthesizer.
      const bool assets = !art.assets_file.empty();
      const std::string assets_artifact = art.name + ".assets";
      if (assets) file_artifact(assets_artifact, "cdk:asset-manifest", art.assets_file, true);
      w.key(art.name, 4, first_artifact);
      bool f = true;
      w.open('{');
      member("type", "aws:cloudformation:stack", 6, f);
      member("environment", art.environment, 6, f);
      w.key("properties", 6, f);
      bool fp = true;
      w.open('{');
      member("templateFile", art.template_file, 8, fp);
      member("stackName", art.name, 8, fp);
      if (assets) {
        const std::string role = std::string(cdk_role_prefix);
        member("assumeRoleArn", cdk_bootstrap_name(role + "deploy-role-${AWS::AccountId}-${AWS::Region}", art), 8, fp);
        member("cloudFormationExecutionRoleArn",
               cdk_bootstrap_name(role + "cfn-exec-role-${AWS::AccountId}-${AWS::Region}", art), 8, fp);
        member("stackTemplateAssetObjectUrl",
               "s3://" + cdk_bootstrap_name(cdk_bootstrap_assets_bucket, art) + "/" + template_asset_key(art), 8, fp);
        bootstrap_version(8, fp);
        w.key("additionalDependencies", 8, fp);
        bool fa = true;
        w.open('[');
        w.item(10, fa);
        w.string(assets_artifact);
        w.close(']', 8, fa);
      }
      w.close('}', 6, fp);
      member("displayName", art.name, 6, f);
      if (!art.dependencies.empty() || assets) {
        w.key("dependencies", 6, f);
        bool fd = true;
        w.open('[');
        if (assets) {
          w.item(8, fd);
          w.string(assets_artifact);
        }
        for (const auto& d : art.dependencies) {
          w.item(8, fd);
          w.string(d);
        }
        w.close(']', 6, fd);
      }
      w.close('}', 4, f);
    }
    file_artifact(tree_artifact, "cdk:tree", "tree.json", false);
    w.close('}', 2, first_artifact);
    w.close('}', 0, first);
    w.put('\n');
  }
  return out;
}

}  // namespace drsynth::detail
