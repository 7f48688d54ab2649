#pragma once
// The two error channels of Conflux (as Halide's user_error / internal_assert):
//  - `Error` is a mistake the user can cause (a bad file, an unsupported op, a shape mismatch).
//    Tools report it on stderr and exit with code 2.
//  - `CONFLUX_ASSERT` guards internal invariants; a failure is a bug in Conflux itself.
#include <source_location>
#include <stdexcept>
#include <string>

namespace conflux {

/// A user-facing error. The message names the file, node or tensor and what was expected.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// An internal invariant was broken: a bug in Conflux, not in the user's input.
class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error(message) {}
};

/// Throws InternalError with the failed condition and where it failed.
[[noreturn]] void internalAssertFailed(const char* condition, const std::string& message,
                                       std::source_location where);

}  // namespace conflux

/// Checks an internal invariant; throws InternalError naming the condition when it fails.
#define CONFLUX_ASSERT(cond, message)                                                   \
  do {                                                                                  \
    if (!(cond))                                                                        \
      ::conflux::internalAssertFailed(#cond, (message), std::source_location::current()); \
  } while (false)
