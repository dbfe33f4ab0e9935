// Throwaway: shows that the tsan configuration catches a real race, and stays
// quiet on correct absl::Mutex use. Deleted once shown (issue #2).
#include <thread>
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
TEST(RaceDemo, Racy) {
  int counter = 0;
  std::thread a([&] { for (int i = 0; i < 1000; ++i) ++counter; });
  std::thread b([&] { for (int i = 0; i < 1000; ++i) ++counter; });
  a.join(); b.join();
  EXPECT_GT(counter, 0);
}
TEST(RaceDemo, Locked) {
  absl::Mutex mu; int counter = 0;
  auto work = [&] { for (int i = 0; i < 1000; ++i) { absl::MutexLock l(&mu); ++counter; } };
  std::thread a(work), b(work), c(work), d(work);
  a.join(); b.join(); c.join(); d.join();
  EXPECT_EQ(counter, 4000);
}
