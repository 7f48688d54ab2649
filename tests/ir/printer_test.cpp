// The text printer is deterministic and matches the golden files in tests/ir/golden/.
#include <gtest/gtest.h>

#include "ir/printer.h"
#include "tests/ir/example_graphs.h"
#include "tests/support/golden.h"

namespace conflux::ir {
namespace {

TEST(Printer, MatMulBiasReluMatchesGolden) {
  testing::expectMatchesGolden(print(testing::matmulBiasRelu()), "tests/ir/golden/mlp.txt");
}

TEST(Printer, ConvolutionMatchesGolden) {
  testing::expectMatchesGolden(print(testing::conv3x3Tile(3, 8, 8, 4)), "tests/ir/golden/conv3x3.txt");
}

TEST(Printer, IsDeterministicAcrossCopies) {
  Graph g = testing::matmulBiasRelu();
  Graph copy = g;
  EXPECT_EQ(print(copy), print(g));
}

}  // namespace
}  // namespace conflux::ir
