// Copyright 2026 The orderly Authors.
//
// rng.h: the torture suite's random numbers. SplitMix64: tiny, and the same
// sequence on every standard library (the std:: distributions are not), so a
// seed replays anywhere. Shared by scenario.cc and exit_round.cc.

#ifndef ORDERLY_TESTS_TORTURE_RNG_H_
#define ORDERLY_TESTS_TORTURE_RNG_H_

#include <cstdint>
#include <vector>

namespace orderly {
namespace torture {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Percent(int p) { return Between(0, 99) < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& from) {
    return from[Next() % from.size()];
  }
  // One of an enum's first `count` values.
  template <typename E>
  E Of(int count) {
    return static_cast<E>(Between(0, count - 1));
  }

 private:
  uint64_t state_;
};

}  // namespace torture
}  // namespace orderly

#endif  // ORDERLY_TESTS_TORTURE_RNG_H_
