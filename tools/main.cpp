// The shipped drsynth binary: the command line over the built-in app.
#include "drsynth/drsynth.hpp"
#include "two_region_demo.hpp"

int main(int argc, char** argv) { return drsynth::cli::run(argc, argv, drsynth_demo::define); }
