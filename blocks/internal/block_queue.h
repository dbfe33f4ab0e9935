// Copyright 2026 The orderly Authors.
//
// block_queue.h (internal): a FIFO that stores its elements in fixed-size
// blocks and keeps one emptied block for the next, so that a queue whose
// length stays within a block or two allocates nothing while it runs.
//
// Why not std::deque: libstdc++'s deque allocates a 512-byte node every
// 512 / sizeof(T) pushes and frees it when the last of them is popped. For
// the pool's tasks (96 bytes when this was measured, 64 now) that was a
// malloc by the poster and a free by a worker every 5 tasks, under the
// pool's lock, and the two threads then contended on glibc's arena lock
// too: a third of the samples of BM_Pool_Orderly_* in
// `perf record -e cpu-clock`. Here a block holds
// kBlockSize elements and the emptied head block is recycled as the next
// tail block.
//
// A queue that grows because its posters outrun its consumers needs a new
// block every kBlockSize pushes; its owner can make that block outside its
// lock (WantsSpare(), MakeSpare(), AdoptSpare()), where the allocation and
// the first touch of its pages (a page fault each, several microseconds on
// a virtual machine) hold up nobody.
//
// Thread-compatible: the owner serializes every call (the pool's mu_),
// except MakeSpare(), which touches no queue.
// Element order, exception safety: push_back() may throw std::bad_alloc
// (then nothing changed); T's move constructor must not throw.

#ifndef ORDERLY_BLOCKS_INTERNAL_BLOCK_QUEUE_H_
#define ORDERLY_BLOCKS_INTERNAL_BLOCK_QUEUE_H_

#include <cassert>
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace orderly {
namespace blocks_internal {

template <typename T, size_t kBlockSize = 128>
class BlockQueue {
  static_assert(kBlockSize > 0, "a block holds at least one element");
  static_assert(std::is_nothrow_move_constructible<T>::value,
                "elements move between blocks without throwing");

 public:
  BlockQueue() = default;
  BlockQueue(const BlockQueue&) = delete;
  BlockQueue& operator=(const BlockQueue&) = delete;
  ~BlockQueue() {
    while (!empty()) pop_front();
    FreeBlock(head_);
    FreeBlock(spare_);
  }

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  // How many blocks this queue has allocated itself in its life, not
  // counting adopted spares (tests check the recycling with it).
  size_t blocks_allocated() const { return blocks_allocated_; }

  void push_back(T&& value) {
    if (tail_ == nullptr || tail_end_ == kBlockSize) {
      Block* block = spare_ != nullptr ? std::exchange(spare_, nullptr)
                                       : NewBlock();  // May throw: unchanged.
      block->next = nullptr;
      if (tail_ == nullptr) {
        head_ = block;
        head_begin_ = 0;
      } else {
        tail_->next = block;
      }
      tail_ = block;
      tail_end_ = 0;
    }
    new (tail_->At(tail_end_)) T(std::move(value));
    ++tail_end_;
    ++size_;
  }

  // Allocates the block the first push_back() takes, if none is kept yet:
  // from then on the queue takes kBlockSize elements whenever it is empty
  // without allocating. May throw std::bad_alloc (then nothing changed).
  void ReserveBlock() {
    if (head_ == nullptr && spare_ == nullptr) spare_ = NewBlock();
  }

  // A block made without the owner's lock (MakeSpare()) and handed to the
  // queue under it (AdoptSpare()): a queue that grows, because its posters
  // outrun its consumers, then neither allocates nor takes a page fault
  // under that lock. Frees its block unless adopted.
  class Spare;

  // True while the tail block has few free slots left and no emptied block
  // is kept for the next: a Spare handed over now is used.
  bool WantsSpare() const {
    return spare_ == nullptr && tail_ != nullptr &&
           kBlockSize - tail_end_ <= kSpareMargin;
  }
  // Allocates a block and touches every page of it (the page faults happen
  // here, not where elements go in). May throw std::bad_alloc.
  static Spare MakeSpare();
  // Keeps `spare` for the next tail block if none is kept; else gives it
  // back, to be freed by the caller (outside its lock).
  Spare AdoptSpare(Spare spare);

  // Requires !empty().
  T& front() {
    assert(!empty() && "BlockQueue::front: requires !empty()");
    return *head_->At(head_begin_);
  }

  // Requires !empty().
  void pop_front() {
    assert(!empty() && "BlockQueue::pop_front: requires !empty()");
    head_->At(head_begin_)->~T();
    ++head_begin_;
    --size_;
    if (head_ == tail_) {
      if (head_begin_ == tail_end_) head_begin_ = tail_end_ = 0;  // Reuse.
      return;
    }
    if (head_begin_ == kBlockSize) {  // Used up: keep it for the next tail.
      Block* used = std::exchange(head_, head_->next);
      head_begin_ = 0;
      if (spare_ == nullptr) {
        spare_ = used;
      } else {
        FreeBlock(used);
      }
    }
  }

  // Moves the front element out and pops it. Requires !empty().
  T take_front() {
    T value(std::move(front()));
    pop_front();
    return value;
  }

 private:
  static constexpr size_t kSpareMargin =
      kBlockSize / 4 > 0 ? kBlockSize / 4 : 1;

  struct Block {
    Block* next = nullptr;
    alignas(T) unsigned char storage[kBlockSize * sizeof(T)];
    T* At(size_t i) {
      return std::launder(reinterpret_cast<T*>(storage + i * sizeof(T)));
    }
  };

  Block* NewBlock() {
    Block* block = new Block;
    ++blocks_allocated_;
    return block;
  }
  static void FreeBlock(Block* block) { delete block; }

  // Elements live in head_[head_begin_, ...] through tail_[..., tail_end_);
  // every block between them is full. head_ == tail_ == nullptr only
  // before the first push_back().
  Block* head_ = nullptr;
  size_t head_begin_ = 0;
  Block* tail_ = nullptr;
  size_t tail_end_ = 0;
  Block* spare_ = nullptr;  // An emptied block, for the next tail.
  size_t size_ = 0;
  size_t blocks_allocated_ = 0;
};

template <typename T, size_t kBlockSize>
class BlockQueue<T, kBlockSize>::Spare {
 public:
  Spare() = default;
  Spare(Spare&& other) noexcept
      : block_(std::exchange(other.block_, nullptr)) {}
  Spare& operator=(Spare&& other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~Spare() { FreeBlock(block_); }
  explicit operator bool() const { return block_ != nullptr; }

 private:
  friend class BlockQueue;
  explicit Spare(Block* block) : block_(block) {}
  Block* block_ = nullptr;
};

template <typename T, size_t kBlockSize>
typename BlockQueue<T, kBlockSize>::Spare
BlockQueue<T, kBlockSize>::MakeSpare() {
  Block* block = new Block;
  // Writes every page (the storage is raw bytes: no element is made).
  std::memset(block->storage, 0, sizeof(block->storage));
  return Spare(block);
}

template <typename T, size_t kBlockSize>
typename BlockQueue<T, kBlockSize>::Spare BlockQueue<T, kBlockSize>::AdoptSpare(
    Spare spare) {
  if (spare_ != nullptr || spare.block_ == nullptr) return spare;
  spare_ = std::exchange(spare.block_, nullptr);
  return spare;
}

}  // namespace blocks_internal
}  // namespace orderly

#endif  // ORDERLY_BLOCKS_INTERNAL_BLOCK_QUEUE_H_
