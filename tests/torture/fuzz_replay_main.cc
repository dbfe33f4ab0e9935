// Copyright 2026 The orderly Authors.
//
// fuzz_replay_main: runs a libFuzzer target over the files named on the
// command line, once each, as a regression test over a checked-in corpus
// (the fuzzing build links libFuzzer's own main instead; README.md).
//
//   fuzz_replay_main corpus/empty corpus/cycle ...
//
// A failing input aborts inside the target, which names what broke.

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <input file>...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", argv[i]);
      return 1;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replaying %s (%zu bytes)\n", argv[i], bytes.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                           bytes.size());
  }
  std::fprintf(stderr, "%d inputs replayed\n", argc - 1);
  return 0;
}
