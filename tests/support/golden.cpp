#include "tests/support/golden.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace conflux::testing {

void expectMatchesGolden(const std::string& text, const std::string& relativePath) {
  std::string path = std::string(CONFLUX_SOURCE_DIR) + "/" + relativePath;
  if (std::getenv("CONFLUX_UPDATE_GOLDEN")) std::ofstream(path) << text;
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path << " is missing (CONFLUX_UPDATE_GOLDEN=1 writes it)";
  std::ostringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(text, golden.str()) << "differs from " << path;
}

}  // namespace conflux::testing
