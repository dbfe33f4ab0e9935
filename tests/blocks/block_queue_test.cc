// Copyright 2026 The orderly Authors.
//
// BlockQueue (blocks/internal/block_queue.h): FIFO order across blocks,
// every element destroyed exactly once, and the recycling of emptied blocks
// that keeps a steady queue from allocating.

#include "blocks/internal/block_queue.h"

#include <memory>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace orderly {
namespace blocks_internal {
namespace {

constexpr size_t kBlock = 4;  // Small, so that every test crosses blocks.

TEST(BlockQueueTest, KeepsFifoOrderAcrossBlocks) {
  BlockQueue<int, kBlock> q;
  EXPECT_TRUE(q.empty());
  for (int i = 0; i < 23; ++i) q.push_back(int{i});
  EXPECT_EQ(q.size(), 23u);
  for (int i = 0; i < 23; ++i) {
    ASSERT_EQ(q.front(), i);
    EXPECT_EQ(q.take_front(), i);
  }
  EXPECT_TRUE(q.empty());
}

// ReserveBlock() allocates the one block a queue of up to kBlockSize
// elements needs, ahead of time: pushes into the empty queue then
// allocate nothing (a pool worker's takeover of tasks relies on it).
TEST(BlockQueueTest, ReservedBlockTakesAFullBlockWithoutAllocating) {
  BlockQueue<int, kBlock> q;
  q.ReserveBlock();
  q.ReserveBlock();  // Once is enough.
  EXPECT_EQ(q.blocks_allocated(), 1u);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < static_cast<int>(kBlock); ++i) q.push_back(int{i});
    EXPECT_EQ(q.blocks_allocated(), 1u) << "round " << round;
    for (int i = 0; i < static_cast<int>(kBlock); ++i) {
      ASSERT_EQ(q.take_front(), i);
    }
  }
}

TEST(BlockQueueTest, InterleavedPushAndPopStayInOrder) {
  BlockQueue<int, kBlock> q;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 200; ++round) {
    for (int k = 0; k < round % 7 + 1; ++k) q.push_back(int{next_in++});
    for (int k = 0; k < round % 5 + 1 && !q.empty(); ++k) {
      ASSERT_EQ(q.take_front(), next_out++) << "round " << round;
    }
    ASSERT_EQ(q.size(), static_cast<size_t>(next_in - next_out));
  }
  while (!q.empty()) ASSERT_EQ(q.take_front(), next_out++);
  EXPECT_EQ(next_out, next_in);
}

TEST(BlockQueueTest, MovesElementsAndDestroysEachOnce) {
  auto alive = std::make_shared<int>(0);
  struct Counted {
    std::shared_ptr<int> alive;
    std::unique_ptr<std::string> payload;
    Counted(std::shared_ptr<int> a, std::string s)
        : alive(std::move(a)), payload(std::make_unique<std::string>(s)) {
      ++*alive;
    }
    Counted(Counted&& o) noexcept
        : alive(o.alive), payload(std::move(o.payload)) {
      ++*alive;
    }
    ~Counted() { --*alive; }
  };
  {
    BlockQueue<Counted, kBlock> q;
    for (int i = 0; i < 10; ++i) {
      q.push_back(Counted(alive, std::to_string(i)));
    }
    EXPECT_EQ(*alive, 10);  // The temporaries are gone; the queued remain.
    Counted first = q.take_front();
    EXPECT_EQ(*first.payload, "0");
    EXPECT_EQ(*q.front().payload, "1");
    EXPECT_EQ(*alive, 10);
  }  // The queue's 9 and `first`.
  EXPECT_EQ(*alive, 0);
}

TEST(BlockQueueTest, SteadyQueueAllocatesNothingMore) {
  BlockQueue<int, kBlock> q;
  // Warm up: a queue that never holds more than two blocks' worth.
  for (int i = 0; i < 2 * static_cast<int>(kBlock); ++i) q.push_back(int{i});
  const size_t warm = q.blocks_allocated();
  EXPECT_LE(warm, 2u);
  for (int i = 0; i < 10000; ++i) {
    q.push_back(int{i});
    q.pop_front();
  }
  EXPECT_LE(q.blocks_allocated(), warm + 1) << "emptied blocks not recycled";
  while (!q.empty()) q.pop_front();
  for (int i = 0; i < 10000; ++i) {  // Empty and refilled: the same block.
    q.push_back(int{i});
    q.pop_front();
  }
  EXPECT_LE(q.blocks_allocated(), warm + 1);
}

TEST(BlockQueueTest, GrowsWithoutLimitWhenNotDrained) {
  BlockQueue<int, kBlock> q;
  for (int i = 0; i < 1000; ++i) q.push_back(int{i});
  EXPECT_EQ(q.blocks_allocated(), 1000 / kBlock);
  EXPECT_EQ(q.size(), 1000u);
}

// A queue whose owner hands it a spare whenever it wants one grows without
// allocating a block itself after its first (the pool makes its blocks
// outside its lock this way), and keeps its order.
TEST(BlockQueueTest, GrowingQueueFedSparesAllocatesOnlyItsFirstBlock) {
  BlockQueue<int, kBlock> q;
  EXPECT_FALSE(q.WantsSpare()) << "a queue with no block takes its first";
  int adopted = 0;
  for (int i = 0; i < 1000; ++i) {
    q.push_back(int{i});
    if (q.WantsSpare()) {
      BlockQueue<int, kBlock>::Spare back =
          q.AdoptSpare(BlockQueue<int, kBlock>::MakeSpare());
      EXPECT_FALSE(back) << "a wanted spare was given back, push " << i;
      EXPECT_FALSE(q.WantsSpare()) << "push " << i;
      ++adopted;
    }
  }
  EXPECT_EQ(q.blocks_allocated(), 1u);
  // One per block after the first, and one kept for the 1001st push.
  EXPECT_EQ(adopted, 1000 / static_cast<int>(kBlock));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(q.take_front(), i);
}

// With an emptied block kept for the next tail, a spare is not wanted, and
// one handed over anyway comes back to be freed by the caller.
TEST(BlockQueueTest, SpareIsGivenBackWhileABlockIsKept) {
  BlockQueue<int, kBlock> q;
  for (int i = 0; i < 2 * static_cast<int>(kBlock); ++i) q.push_back(int{i});
  for (int i = 0; i < static_cast<int>(kBlock); ++i) q.pop_front();
  // The first block is used up and kept; the tail (the second) is full.
  EXPECT_FALSE(q.WantsSpare());
  BlockQueue<int, kBlock>::Spare back =
      q.AdoptSpare(BlockQueue<int, kBlock>::MakeSpare());
  EXPECT_TRUE(back);
  const size_t before = q.blocks_allocated();
  q.push_back(int{99});  // Goes into the kept block.
  EXPECT_EQ(q.blocks_allocated(), before);
  // Nor is an empty Spare taken.
  EXPECT_FALSE(q.AdoptSpare(BlockQueue<int, kBlock>::Spare()));
}

}  // namespace
}  // namespace blocks_internal
}  // namespace orderly
