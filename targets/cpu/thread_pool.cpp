#include "targets/cpu/thread_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <immintrin.h>
#include <mutex>
#include <optional>
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

/// A thread's share of the current loop, claimed one iteration at a time by the thread first,
/// then by any thread that has run out of its own: the loop's number and the offset from the
/// loop's min of the next unclaimed iteration, in one word. A word still numbered with an
/// earlier loop is a share no one has claimed from yet; every thread computes the share's
/// bounds itself (shareOf), so a new loop writes no share before its threads start.
struct alignas(64) Share {
  std::atomic<uint64_t> word{0};
};

/// One parallel loop as the calling thread announces it, in one cache line a waiting worker
/// reads whole (a sequence lock: `sequence` is odd while the fields change, twice the loop's
/// number once they are set; fields stored with release and loaded with acquire order, so a
/// reader that sees a changed field sees the sequence change too, without fences).
struct alignas(64) Announcement {
  std::atomic<uint64_t> sequence{0};
  std::atomic<Task> task{nullptr};
  std::atomic<void*> context{nullptr};
  std::atomic<uint8_t*> closure{nullptr};
  std::atomic<int> min{0};
  std::atomic<int> extent{0};
};

/// A loop as one thread read it from the announcement.
struct LoopView {
  uint32_t number;
  Task task;
  void* context;
  uint8_t* closure;
  int min;
  int extent;
};

/// True when loop number `a` comes after `b` (numbers wrap around).
bool later(uint32_t a, uint32_t b) {
  return static_cast<int32_t>(a - b) > 0;
}

/// True on a thread running an iteration: a nested loop runs there, serially.
thread_local bool inIteration = false;

class Pool {
 public:
  explicit Pool(int threads) : shares_(static_cast<size_t>(std::max(1, threads))) {
    for (size_t w = 0; w + 1 < shares_.size(); ++w) {
      workers_.emplace_back([this, w] { serve(w + 1); });
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

  /// Runs the loop on every thread of the pool: announces it (no thread may still run
  /// iterations of the previous one: it returned only when all were done), runs the caller's
  /// share and what it can take of the others', and waits for the iterations the workers took.
  int parallelFor(Task task, void* context, int min, int extent, uint8_t* closure) {
    if (inIteration || workers_.empty() || extent <= 1)
      return serially(task, context, min, extent, closure);
    // One loop at a time: a second program running on another thread meanwhile runs serially.
    std::unique_lock<std::mutex> only(calling_, std::try_to_lock);
    if (!only.owns_lock()) return serially(task, context, min, extent, closure);
    const uint32_t number = ++loops_;
    done_.store(0, std::memory_order_relaxed);
    status_.store(0, std::memory_order_relaxed);
    // A worker that reads any field's new value then reads the odd sequence, or a later one.
    announcement_.sequence.store(2 * uint64_t{number} - 1, std::memory_order_relaxed);
    announcement_.task.store(task, std::memory_order_release);
    announcement_.context.store(context, std::memory_order_release);
    announcement_.closure.store(closure, std::memory_order_release);
    announcement_.min.store(min, std::memory_order_release);
    announcement_.extent.store(extent, std::memory_order_release);
    announcement_.sequence.store(2 * uint64_t{number});  // seq_cst: ordered before reading sleeping_
    if (sleeping_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    inIteration = true;
    int finished = work({number, task, context, closure, min, extent}, 0);
    inIteration = false;
    for (Spin spin; done_.load(std::memory_order_acquire) != extent - finished;) spin.wait();
    return status_.load(std::memory_order_relaxed);
  }

 private:
  static int serially(Task task, void* context, int min, int extent, uint8_t* closure) {
    int status = 0;
    for (int i = min; i < min + extent; ++i)
      if (int s = task(context, i, closure)) status = s;
    return status;
  }

  /// The next iteration of `loop` in the share of thread `owner`, whose offsets from the loop's
  /// min are [first, end), claimed; nothing when the share is used up, or `loop` is no longer
  /// the current loop (a later one numbered it).
  std::optional<int> claim(const LoopView& loop, size_t owner, int first, int end) {
    std::atomic<uint64_t>& word = shares_[owner].word;
    uint64_t seen = word.load(std::memory_order_acquire);
    for (;;) {
      auto numbered = static_cast<uint32_t>(seen >> 32);
      if (later(numbered, loop.number)) return std::nullopt;
      int next = numbered == loop.number ? static_cast<int>(static_cast<uint32_t>(seen)) : first;
      if (next >= end) return std::nullopt;
      uint64_t claimed = uint64_t{loop.number} << 32 | static_cast<uint32_t>(next + 1);
      if (word.compare_exchange_weak(seen, claimed, std::memory_order_acq_rel)) return loop.min + next;
    }
  }

  /// Runs iterations of the share of thread `self`, then of the others', until none is left;
  /// returns how many it ran. A worker counts them into done_ once, at the end: the caller
  /// polls done_, and an update per iteration would move its cache line between the cores at
  /// every iteration.
  int work(const LoopView& loop, size_t self) {
    int finished = 0;
    const auto threads = static_cast<int>(shares_.size());
    for (size_t k = 0; k < shares_.size(); ++k) {
      size_t owner = (self + k) % shares_.size();
      auto [first, end] = shareOf(0, loop.extent, static_cast<int>(owner), threads);  // once per share
      for (std::optional<int> i; (i = claim(loop, owner, first, end));) {
        if (int s = loop.task(loop.context, *i, loop.closure)) status_.store(s, std::memory_order_relaxed);
        ++finished;
      }
    }
    return finished;
  }

  /// The announced loop, when its fields were read whole.
  std::optional<LoopView> announced() const {
    uint64_t sequence = announcement_.sequence.load(std::memory_order_acquire);
    LoopView loop{static_cast<uint32_t>(sequence / 2), announcement_.task.load(std::memory_order_acquire),
                  announcement_.context.load(std::memory_order_acquire),
                  announcement_.closure.load(std::memory_order_acquire), announcement_.min.load(std::memory_order_acquire),
                  announcement_.extent.load(std::memory_order_acquire)};
    if (sequence % 2 != 0 || announcement_.sequence.load(std::memory_order_relaxed) != sequence) return std::nullopt;
    return loop;
  }

  void serve(size_t self) {
    inIteration = true;
    uint64_t served = announcement_.sequence.load();
    auto idleSince = std::chrono::steady_clock::now();
    Spin spin;
    for (;;) {
      if (announcement_.sequence.load(std::memory_order_relaxed) != served) {
        if (std::optional<LoopView> loop = announced()) {
          served = 2 * uint64_t{loop->number};
          if (int finished = work(*loop, self)) {
            // Statuses and the iterations' writes are published with the count.
            done_.fetch_add(finished, std::memory_order_release);
          }
          idleSince = std::chrono::steady_clock::now();
          spin = Spin();
        }
        continue;
      }
      if (std::chrono::steady_clock::now() - idleSince < kSpin) {
        spin.wait();
        continue;
      }
      std::unique_lock<std::mutex> lock(mutex_);
      sleeping_.fetch_add(1);  // seq_cst: ordered before reading the sequence
      wake_.wait(lock, [&] { return stop_ || announcement_.sequence.load() != served; });
      sleeping_.fetch_sub(1);
      if (stop_) return;
      idleSince = std::chrono::steady_clock::now();
      spin = Spin();
    }
  }

  Announcement announcement_;
  std::vector<Share> shares_;  // per thread (the caller is 0): its share of the current loop
  alignas(64) std::atomic<int> done_{0};  // iterations the workers ran of the current loop
  std::atomic<int> status_{0};
  uint32_t loops_ = 0;  // loops announced (by the one calling thread)
  std::vector<std::thread> workers_;
  std::mutex calling_;  // held by the thread running a loop
  std::mutex mutex_;    // guards stop_; sleeping workers wait on it
  std::condition_variable wake_;
  std::atomic<int> sleeping_{0};
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
