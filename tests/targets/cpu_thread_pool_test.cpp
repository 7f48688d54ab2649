// The cpu target's thread pool: each thread first runs its own range of consecutive iterations
// (shares in thread order, equal to one iteration), every iteration of a loop runs exactly once
// whichever thread takes it, also in short loops back to back, a failing iteration's status reaches the caller, and a loop started
// inside an iteration runs there.
#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <memory>

#include "targets/cpu/thread_pool.h"

namespace conflux::targets::cpu {
namespace {

TEST(ThreadPool, SharesAreEqualRangesOfConsecutiveIterationsInThreadOrder) {
  for (int threads : {1, 2, 3, 7})
    for (int extent : {1, 2, 5, 112, 1000}) {
      SCOPED_TRACE(std::to_string(extent) + " iterations on " + std::to_string(threads) + " threads");
      int next = 10;
      for (int t = 0; t < threads; ++t) {
        auto [first, end] = shareOf(10, extent, t, threads);
        EXPECT_EQ(first, next);
        EXPECT_GE(end - first, extent / threads);
        EXPECT_LE(end - first, extent / threads + 1);
        next = end;
      }
      EXPECT_EQ(next, 10 + extent);
    }
}

/// What the iterations of one loop record: how often each ran.
struct Runs {
  explicit Runs(int extent) : counts(std::make_unique<std::atomic<int>[]>(static_cast<size_t>(extent))) {}
  std::unique_ptr<std::atomic<int>[]> counts;
  int min = 0;          // the loop's first iteration
  int failing = std::numeric_limits<int>::min();  // the iteration that returns an error, if any
  int nestedExtent = 0;  // iterations of a loop each iteration starts, if any
  std::atomic<int> nestedRuns{0};
};

int countNested(void*, int, uint8_t* closure) {
  reinterpret_cast<Runs*>(closure)->nestedRuns.fetch_add(1);
  return 0;
}

int countRun(void* context, int i, uint8_t* closure) {
  auto* runs = reinterpret_cast<Runs*>(closure);
  runs->counts[static_cast<size_t>(i - runs->min)].fetch_add(1);
  if (runs->nestedExtent > 0) parallelLoopsOnPool(2)(context, countNested, 0, runs->nestedExtent, closure);
  return i == runs->failing ? 7 : 0;
}

TEST(ThreadPool, EveryIterationRunsOnceWhicheverThreadTakesIt) {
  ParallelFor parallelFor = parallelLoopsOnPool(2);
  for (int extent : {2, 3, 64, 1000})
    for (int repeat = 0; repeat < 50; ++repeat) {
      Runs runs(extent);
      ASSERT_EQ(parallelFor(nullptr, countRun, 0, extent, reinterpret_cast<uint8_t*>(&runs)), 0);
      for (int i = 0; i < extent; ++i) ASSERT_EQ(runs.counts[static_cast<size_t>(i)].load(), 1) << "iteration " << i;
    }
}

TEST(ThreadPool, LoopsBackToBackEachRunTheirOwnIterationsOnce) {
  // Short loops, each announced as soon as the last returns (a worker may still be reading the
  // last one's announcement), from mins below, at and above zero, each on its own closure.
  ParallelFor parallelFor = parallelLoopsOnPool(2);
  for (int repeat = 0; repeat < 5000; ++repeat) {
    int extent = 2 + repeat % 4;
    Runs runs(extent);
    runs.min = repeat % 3 - 1;
    ASSERT_EQ(parallelFor(nullptr, countRun, runs.min, extent, reinterpret_cast<uint8_t*>(&runs)), 0);
    for (int i = 0; i < extent; ++i) ASSERT_EQ(runs.counts[static_cast<size_t>(i)].load(), 1) << "loop " << repeat;
  }
}

TEST(ThreadPool, AFailingIterationsStatusReachesTheCaller) {
  Runs runs(100);
  runs.failing = 77;
  EXPECT_EQ(parallelLoopsOnPool(2)(nullptr, countRun, 0, 100, reinterpret_cast<uint8_t*>(&runs)), 7);
}

TEST(ThreadPool, ALoopStartedInsideAnIterationRunsWholeThere) {
  Runs runs(16);
  runs.nestedExtent = 5;
  EXPECT_EQ(parallelLoopsOnPool(2)(nullptr, countRun, 0, 16, reinterpret_cast<uint8_t*>(&runs)), 0);
  EXPECT_EQ(runs.nestedRuns.load(), 16 * 5);
}

}  // namespace
}  // namespace conflux::targets::cpu
