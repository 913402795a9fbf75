// manifest.json: what the AWS CDK CLI reads from a cloud assembly.
#include "drsynth/synth.hpp"
#include "constants.hpp"
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
    for (const auto& art : a.stacks) {
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
      w.close('}', 6, fp);
      member("displayName", art.name, 6, f);
      if (!art.dependencies.empty()) {
        w.key("dependencies", 6, f);
        bool fd = true;
        w.open('[');
        for (const auto& d : art.dependencies) {
          w.item(8, fd);
          w.string(d);
        }
        w.close(']', 6, fd);
      }
      w.close('}', 4, f);
    }
    w.key(tree_artifact, 4, first_artifact);
    bool f = true;
    w.open('{');
    member("type", "cdk:tree", 6, f);
    w.key("properties", 6, f);
    bool fp = true;
    w.open('{');
    member("file", "tree.json", 8, fp);
    w.close('}', 6, fp);
    w.close('}', 4, f);
    w.close('}', 2, first_artifact);
    w.close('}', 0, first);
    w.put('\n');
  }
  return out;
}

}  // namespace drsynth::detail
