// runConcurrently: every task runs once, on several threads at once; a task that throws does
// not stop the others, and the lowest failing index's exception reaches the caller.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "targets/cpu/concurrent_tasks.h"

namespace conflux::targets::cpu {
namespace {

TEST(ConcurrentTasks, EveryTaskRunsOnceOnSeveralThreads) {
  std::vector<std::atomic<int>> runs(100);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  runConcurrently(runs.size(), 3, [&](size_t i) {
    ++runs[i];
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    std::lock_guard<std::mutex> lock(mutex);
    threads.insert(std::this_thread::get_id());
  });
  for (size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i], 1) << i;
  EXPECT_GT(threads.size(), 1u);
  EXPECT_LE(threads.size(), 3u);
}

TEST(ConcurrentTasks, TheLowestFailingTaskIsRethrownAfterAllRan) {
  std::atomic<int> ran{0};
  try {
    runConcurrently(20, 2, [&](size_t i) {
      ++ran;
      if (i == 7 || i == 13) throw std::runtime_error("task " + std::to_string(i));
    });
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "task 7");
  }
  EXPECT_EQ(ran, 20);
}

TEST(ConcurrentTasks, NoTasksAndOneWorkerAreFine) {
  runConcurrently(0, 4, [](size_t) { FAIL() << "no task to run"; });
  std::vector<size_t> order;
  runConcurrently(4, 1, [&](size_t i) { order.push_back(i); });  // the caller alone, in order
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace conflux::targets::cpu
