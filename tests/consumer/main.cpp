#include <drsynth/drsynth.hpp>

int main(int argc, char** argv) {
  return drsynth::cli::run(argc, argv, [](drsynth::App& app) {
    auto& s = app.add<drsynth::Stack>("Consumer", {.env = {.region = "us-east-1"}});
    s.add<drsynth::CfnResource>("Topic", {.type = "AWS::SNS::Topic"});
  });
}
