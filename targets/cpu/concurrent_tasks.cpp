#include "targets/cpu/concurrent_tasks.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

namespace conflux::targets::cpu {

void runConcurrently(size_t count, size_t workers, const std::function<void(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> errors(count);
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) {
      try {
        task(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (size_t t = 1; t < std::min(workers, count); ++t) helpers.emplace_back(work);
    work();
  }  // joined
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
}

}  // namespace conflux::targets::cpu
