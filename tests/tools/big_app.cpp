// A large app for the interruption tests: `copies` (context, default 100)
// copies of the DR system, each with its own suffix, so that writing the
// assembly takes long enough to be killed in the middle.
#include "drsynth/drsynth.hpp"

int main(int argc, char** argv) {
  return drsynth::cli::run(argc, argv, [](drsynth::App& app) {
    const auto copies = app.context_int("copies", 100);
    const std::string tag = app.context_string("tag", "a");
    for (std::int64_t i = 0; i < copies; ++i) {
      drsynth::patterns::PostgresDisasterRecoveryProps p;
      p.environment_suffix = tag + std::to_string(i);
      p.alarm_emails = {"oncall@example.com"};  // no E815 warning per copy
      app.add<drsynth::patterns::PostgresDisasterRecovery>("Dr" + std::to_string(i), p);
    }
  });
}
