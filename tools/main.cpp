// The shipped drsynth binary: the command line over the built-in DR system.
#include <malloc.h>

#include "drsynth/patterns/postgres_disaster_recovery.hpp"
#include "drsynth/tools/cli.hpp"

int main(int argc, char** argv) {
  // A short-lived process: freed memory is kept for reuse instead of being
  // returned to the kernel (glibc maps each block of 128 KB or more afresh and
  // trims the heap's top), since every fresh page costs a page fault, about
  // 2 us on a VM; growing the heap 4 MB at a time saves brk calls
  // (docs/performance.md, "Fixed cost of a drsynth synth process").
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 4 << 20);
  return drsynth::cli::run(argc, argv, drsynth::patterns::define_default_system);
}
