#include "tests/support/shell.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace conflux::testing {

CommandResult runShell(const std::string& command, const std::filesystem::path& log) {
  int status = std::system((command + " > '" + log.string() + "' 2>&1").c_str());
  std::ifstream in(log);
  std::ostringstream text;
  text << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

std::filesystem::path testLogPath(const std::filesystem::path& dir) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = test ? std::string(test->test_suite_name()) + "." + test->name() : "shell";
  for (char& c : name)
    if (c == '/') c = '_';
  return dir / (name + ".log");
}

}  // namespace conflux::testing
