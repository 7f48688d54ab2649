// `conflux run` and `conflux info` on a graph JSON model: inputs from .npy files or drawn by
// --seed, outputs written as .npy and checked against the same math computed here.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "frontends/npy.h"
#include "ir/tensor.h"
#include "tests/support/shell.h"

namespace conflux {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kRows = 3, kInner = 5, kCols = 4;

/// y = Gelu(x @ w + b) with b a constant read from b.npy next to the JSON.
const char* kGraph = R"({"format": "conflux-graph", "version": 1, "name": "gelu_block",
  "tensors": {"x": {"shape": [3, 5], "dtype": "float32", "kind": "input"},
              "w": {"shape": [5, 4], "dtype": "float32", "kind": "weight"},
              "b": {"shape": [4], "dtype": "float32", "kind": "constant", "data": "file:b.npy"},
              "y": {"shape": [3, 4], "dtype": "float32", "kind": "output"}},
  "nodes": [{"name": "fc", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h0"]},
            {"name": "bias", "op": "Add", "inputs": ["h0", "b"], "outputs": ["h1"]},
            {"name": "act", "op": "Gelu", "inputs": ["h1"], "outputs": ["y"],
             "attrs": {"approximate": "none"}}]})";

ir::Tensor filled(std::vector<int64_t> shape, double scale) {
  ir::Tensor t(ir::DType::F32, std::move(shape));
  for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, scale * std::sin(static_cast<double>(i) + 1));
  return t;
}

/// The model folder: gelu_block.json and b.npy.
fs::path writeModel(const std::string& name) {
  fs::path dir = fs::path(CONFLUX_TEST_OUTPUT_DIR) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "gelu_block.json") << kGraph;
  frontends::writeNpy((dir / "b.npy").string(), filled({kCols}, 0.5));
  return dir;
}

/// Gelu(x @ w + b) in double precision.
std::vector<double> expectedOutput(const ir::Tensor& x, const ir::Tensor& w, const ir::Tensor& b) {
  std::vector<double> y;
  for (int64_t i = 0; i < kRows; ++i)
    for (int64_t j = 0; j < kCols; ++j) {
      double h = b.at(j);
      for (int64_t k = 0; k < kInner; ++k) h += x.at(i * kInner + k) * w.at(k * kCols + j);
      y.push_back(0.5 * h * (1 + std::erf(h / std::sqrt(2.0))));
    }
  return y;
}

void expectNear(const ir::Tensor& got, const std::vector<double>& want) {
  ASSERT_EQ(got.numElements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got.at(static_cast<int64_t>(i)), want[i], 1e-5 + 1e-5 * std::fabs(want[i])) << i;
}

testing::CommandResult conflux(const std::string& args, const fs::path& dir) {
  return testing::runShell(std::string(CONFLUX_BINARY) + " " + args, dir / "log.txt");
}

TEST(RunCommand, ReadsInputsFromNpyAndWritesOutputs) {
  fs::path dir = writeModel("run_inputs");
  fs::create_directories(dir / "in");
  ir::Tensor x = filled({kRows, kInner}, 1.0), w = filled({kInner, kCols}, 0.3);
  frontends::writeNpy((dir / "in" / "x.npy").string(), x);
  frontends::writeNpy((dir / "in" / "w.npy").string(), w);
  testing::CommandResult r = conflux("run " + (dir / "gelu_block.json").string() +
                                         " --target reference --inputs " + (dir / "in").string() +
                                         " --outputs " + (dir / "out").string(),
                                     dir);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  expectNear(frontends::readNpy((dir / "out" / "y.npy").string()),
             expectedOutput(x, w, frontends::readNpy((dir / "b.npy").string())));
}

TEST(RunCommand, SeedDrawsMissingInputsAndWritesThem) {
  fs::path dir = writeModel("run_seed");
  std::string args = "run " + (dir / "gelu_block.json").string() + " --target reference --seed 42 --outputs ";
  testing::CommandResult r = conflux(args + (dir / "a").string(), dir);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  ir::Tensor x = frontends::readNpy((dir / "a" / "input.x.npy").string());
  ir::Tensor w = frontends::readNpy((dir / "a" / "input.w.npy").string());
  for (int64_t i = 0; i < x.numElements(); ++i) {
    EXPECT_GE(x.at(i), -1.0);
    EXPECT_LT(x.at(i), 1.0);
  }
  expectNear(frontends::readNpy((dir / "a" / "y.npy").string()),
             expectedOutput(x, w, frontends::readNpy((dir / "b.npy").string())));

  // The same seed draws the same inputs.
  ASSERT_EQ(conflux(args + (dir / "b").string(), dir).exitCode, 0);
  ir::Tensor again = frontends::readNpy((dir / "b" / "input.x.npy").string());
  for (int64_t i = 0; i < x.numElements(); ++i) EXPECT_EQ(again.at(i), x.at(i));
}

TEST(RunCommand, CheckAndBenchReportOnTheReferenceTarget) {
  fs::path dir = writeModel("run_check");
  testing::CommandResult r = conflux(
      "run " + (dir / "gelu_block.json").string() + " --target reference --seed 1 --check --bench 3", dir);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("check y: max abs error 0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bench 3 runs: min"), std::string::npos) << r.output;
}

TEST(InfoCommand, PrintsOpsParametersAndFlops) {
  fs::path dir = writeModel("info");
  testing::CommandResult r = conflux("info " + (dir / "gelu_block.json").string(), dir);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("MatMul 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Gelu 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("parameters (constant elements): 4"), std::string::npos) << r.output;
  // MatMul 2*3*5*4 = 120 FLOPs; the element-wise ops add their own.
  EXPECT_NE(r.output.find("FLOPs: "), std::string::npos) << r.output;
}

}  // namespace
}  // namespace conflux
