#pragma once
// What the cpu target's tests share: a compile cache of their own and the convolution block.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "api/conflux.h"
#include "tests/support/graph_json.h"

namespace conflux::testing {

/// Points the compile cache at a fresh directory for this test's process (named after `what`),
/// so that programs are compiled, not loaded; removes it afterwards.
class FreshCompileCache : public ::testing::Test {
 protected:
  explicit FreshCompileCache(const std::string& what = "cache")
      : dir_(std::filesystem::temp_directory_path() /
             ("conflux-" + what + "-test-" + std::to_string(::getpid()))) {}
  void SetUp() override {
    std::filesystem::remove_all(dir_);
    setenv("CONFLUX_CACHE_DIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("CONFLUX_CACHE_DIR");
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

/// The convolutions of convBlockJson, optimised for the cpu target.
inline ir::Graph optimizedConvBlock() {
  ir::Graph graph = loadGraphJson(convBlockJson(), "convs");
  api::optimize(graph, {});
  return graph;
}

}  // namespace conflux::testing
