#pragma once
// Runs shell commands from tests and captures what they print.
#include <filesystem>
#include <string>

namespace conflux::testing {

/// What a command printed (stdout and stderr together) and its exit code (-1 when killed).
struct CommandResult {
  int exitCode;
  std::string output;
};

/// Runs `command` through the shell with its output captured in `log`. Give every test its own
/// log: CTest runs tests in parallel.
CommandResult runShell(const std::string& command, const std::filesystem::path& log);

/// A log path unique to the running GoogleTest test, under `dir`.
std::filesystem::path testLogPath(const std::filesystem::path& dir);

}  // namespace conflux::testing
