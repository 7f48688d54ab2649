// The text printer is deterministic and matches the golden files in tests/ir/golden/.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ir/printer.h"
#include "tests/ir/example_graphs.h"

namespace conflux::ir {
namespace {

std::string golden(const std::string& name) {
  std::ifstream in(std::string(CONFLUX_SOURCE_DIR) + "/tests/ir/golden/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Printer, MatMulBiasReluMatchesGolden) {
  EXPECT_EQ(print(testing::matmulBiasRelu()), golden("mlp.txt"));
}

TEST(Printer, ConvolutionMatchesGolden) {
  EXPECT_EQ(print(testing::conv3x3Tile(3, 8, 8, 4)), golden("conv3x3.txt"));
}

TEST(Printer, IsDeterministicAcrossCopies) {
  Graph g = testing::matmulBiasRelu();
  Graph copy = g;
  EXPECT_EQ(print(copy), print(g));
}

}  // namespace
}  // namespace conflux::ir
