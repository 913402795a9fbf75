// The shipped drsynth binary: the command line over the built-in DR system.
#include "drsynth/drsynth.hpp"

int main(int argc, char** argv) { return drsynth::cli::run(argc, argv, drsynth::patterns::define_default_system); }
