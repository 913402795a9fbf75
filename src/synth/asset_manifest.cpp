// <stack>.assets.json: the asset manifest `cdk deploy` (through cdk-assets)
// reads to publish a stack's files before it deploys the stack, in the format
// of aws-cdk-lib's DefaultStackSynthesizer: every asset zip and the template
// itself, each a file uploaded as it is ("packaging": "file") to the default
// bootstrap stack's bucket with its file-publishing role. The zips keep the
// key deploy.sh uploads them under (asset.<hash>.zip), so one template's
// S3Key serves both ways of deploying (Stack::assets_bucket).
#include <nlohmann/json.hpp>

#include "core/constants.hpp"
#include "core/digest.hpp"
#include "drsynth/core/asset.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/synth/synth.hpp"
#include "synth/internal.hpp"

namespace drsynth::detail {

namespace {

std::string with_region(std::string_view text, const std::string& region) {
  std::string out(text);
  const std::string placeholder = "${AWS::Region}";
  for (auto at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + region.size()))
    out.replace(at, placeholder.size(), region);
  return out;
}

}  // namespace

std::string cdk_bootstrap_name(std::string_view text, const StackArtifact& s) {
  std::string out = with_region(text, s.region);
  if (const auto& account = s.stack->props().env.account) {
    const std::string placeholder = "${AWS::AccountId}";
    for (auto at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + account->size()))
      out.replace(at, placeholder.size(), *account);
  }
  return out;
}

std::string template_asset_key(const StackArtifact& s) { return sha256_hex(s.template_text) + ".json"; }

std::string asset_manifest_text(const StackArtifact& s) {
  const auto& account = s.stack->props().env.account;
  // cdk deploy replaces the placeholders with the account and region it deploys to.
  const nlohmann::json destination = {
      {"bucketName", cdk_bootstrap_name(cdk_bootstrap_assets_bucket, s)},
      {"region", s.region},
      {"assumeRoleArn", cdk_bootstrap_name(std::string(cdk_role_prefix) + "file-publishing-role-${AWS::AccountId}-${AWS::Region}", s)}};
  const std::string destination_id = account.value_or("current_account") + "-" + s.region;
  nlohmann::json files = nlohmann::json::object();
  auto add = [&](const std::string& id, const std::string& path, const std::string& key) {
    nlohmann::json d = destination;
    d["objectKey"] = key;
    files[id] = {{"source", {{"path", path}, {"packaging", "file"}}}, {"destinations", {{destination_id, d}}}};
  };
  for (const Asset* a : s.assets) add(a->hash(), a->zip_name(), a->zip_name());
  const std::string template_hash = sha256_hex(s.template_text);
  add(template_hash, s.template_file, template_asset_key(s));
  return dump_checked({{"version", manifest_version}, {"files", files}, {"dockerImages", nlohmann::json::object()}},
                      s.stack->path());
}

}  // namespace drsynth::detail
