#include "targets/cpu/thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <immintrin.h>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <vector>

namespace conflux::targets::cpu {
namespace {

using Task = ParallelTask;

/// How long an idle worker spins before it sleeps.
constexpr std::chrono::microseconds kSpin{2000};

/// Waits a moment in a spin loop: the first kPauses times with the processor's pause
/// instruction, which returns within tens of nanoseconds, then by yielding the processor. A
/// yield is a system call, on this (virtual) machine microseconds long: a thread that only
/// yielded would notice a new loop, or the end of one, that much late, ~130 times per model.
class Spin {
 public:
  void wait() {
    if (count_ < kPauses) {
      ++count_;
      _mm_pause();
    } else {
      std::this_thread::yield();
    }
  }

 private:
  static constexpr int kPauses = 1 << 14;
  int count_ = 0;
};

/// A thread's share of a loop: a range of consecutive iterations, claimed one at a time by
/// the thread first, then by any thread that has run out of its own.
struct alignas(64) Share {
  std::atomic<int> next{0};
  int end = 0;
};

/// One parallel loop. Thread t (the caller is 0) runs the t-th of equal ranges of consecutive
/// iterations, so consecutive kernels split alike find on each core the rows it wrote (a
/// convolution reads the rows of its input the previous kernel wrote there, from that core's
/// cache); a thread done early takes iterations from the others' shares.
struct Loop {
  uint64_t generation;  // distinguishes loops that reuse one stack address
  Task task;
  void* context;
  uint8_t* closure;
  std::vector<Share>& shares;  // one per thread
  std::atomic<int> done{0};
  std::atomic<int> status{0};

  /// Runs iterations of the share of thread `self`, then of the others', until none is left;
  /// counts them into `done` once, at the end: the caller polls `done`, and an update per
  /// iteration would move its cache line between the cores at every iteration.
  void work(size_t self) {
    int finished = 0;
    for (size_t k = 0; k < shares.size(); ++k) {
      Share& share = shares[(self + k) % shares.size()];
      for (int i = share.next.fetch_add(1); i < share.end; i = share.next.fetch_add(1)) {
        if (int s = task(context, i, closure)) status.store(s);
        ++finished;
      }
    }
    done.fetch_add(finished);
  }
};

/// True on a thread running an iteration: a nested loop runs there, serially.
thread_local bool inIteration = false;

class Pool {
 public:
  explicit Pool(int threads)
      : claimed_(static_cast<size_t>(std::max(0, threads - 1))), shares_(claimed_.size() + 1) {
    for (auto& c : claimed_) c.store(nullptr);
    for (size_t w = 0; w < claimed_.size(); ++w) {
      workers_.emplace_back([this, w] { serve(w); });
      pthread_setname_np(workers_.back().native_handle(), "conflux-pool");
    }
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  int parallelFor(Task task, void* context, int min, int extent, uint8_t* closure) {
    if (inIteration || workers_.empty() || extent <= 1)
      return serially(task, context, min, extent, closure);
    // One loop at a time: a second program running on another thread meanwhile runs serially.
    std::unique_lock<std::mutex> only(calling_, std::try_to_lock);
    if (!only.owns_lock()) return serially(task, context, min, extent, closure);
    // The shares of the previous loop are no longer read: it retracted itself before returning.
    const int threads = static_cast<int>(shares_.size());
    for (int t = 0; t < threads; ++t) {
      auto [first, end] = shareOf(min, extent, t, threads);
      shares_[static_cast<size_t>(t)].next.store(first);
      shares_[static_cast<size_t>(t)].end = end;
    }
    Loop loop{++generation_, task, context, closure, shares_};
    current_.store(&loop);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (sleeping_ > 0) wake_.notify_all();
    }
    inIteration = true;
    loop.work(0);
    inIteration = false;
    for (Spin spin; loop.done.load() < extent;) spin.wait();
    // No worker may touch `loop` once this returns: retract it, then wait out any worker that
    // claimed it before the retraction.
    current_.store(nullptr);
    for (const auto& c : claimed_)
      for (Spin spin; c.load() == &loop;) spin.wait();
    return loop.status.load();
  }

 private:
  static int serially(Task task, void* context, int min, int extent, uint8_t* closure) {
    int status = 0;
    for (int i = min; i < min + extent; ++i)
      if (int s = task(context, i, closure)) status = s;
    return status;
  }

  void serve(size_t w) {
    inIteration = true;
    uint64_t served = 0;
    auto idleSince = std::chrono::steady_clock::now();
    Spin spin;
    for (;;) {
      if (Loop* loop = current_.load()) {
        // Claim, then check the loop is still current: the caller retracts before it returns.
        claimed_[w].store(loop);
        if (current_.load() == loop && loop->generation != served) {
          served = loop->generation;
          loop->work(w + 1);
          idleSince = std::chrono::steady_clock::now();
          spin = Spin();
        }
        claimed_[w].store(nullptr);
      }
      if (current_.load() != nullptr || std::chrono::steady_clock::now() - idleSince < kSpin) {
        spin.wait();
        continue;
      }
      std::unique_lock<std::mutex> lock(mutex_);
      ++sleeping_;
      wake_.wait(lock, [&] { return stop_ || current_.load() != nullptr; });
      --sleeping_;
      if (stop_) return;
      idleSince = std::chrono::steady_clock::now();
      spin = Spin();
    }
  }

  std::atomic<Loop*> current_{nullptr};
  uint64_t generation_ = 0;  // of the last loop published (by the one calling thread)
  std::vector<std::atomic<Loop*>> claimed_;  // per worker: the loop it may be running
  std::vector<Share> shares_;                // per thread: its share of the current loop
  std::vector<std::thread> workers_;
  std::mutex calling_;  // held by the thread running a loop
  std::mutex mutex_;    // guards sleeping_ and stop_
  std::condition_variable wake_;
  int sleeping_ = 0;
  bool stop_ = false;
};

Pool* pool = nullptr;  // the one pool, made by the first parallelLoopsOnPool

int parallelFor(void* context, Task task, int min, int extent, uint8_t* closure) {
  return pool->parallelFor(task, context, min, extent, closure);
}

}  // namespace

std::pair<int, int> shareOf(int min, int extent, int thread, int threads) {
  auto bound = [&](int t) { return min + static_cast<int>(int64_t{extent} * t / threads); };
  return {bound(thread), bound(thread + 1)};
}

ParallelFor parallelLoopsOnPool(int threads) {
  // Made and published once (thread-safe static initialisation): later calls, from any thread,
  // write nothing.
  static Pool instance(threads);
  static Pool* const published = pool = &instance;
  (void)published;
  return &parallelFor;
}

ParallelFor conflux_parallel_loops_on_pool(int threads) { return parallelLoopsOnPool(threads); }

}  // namespace conflux::targets::cpu
