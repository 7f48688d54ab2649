// The `conflux` binary: IR files round-trip through `optimize -O0`, errors exit with code 2.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontends/npy.h"
#include "ir/serialize_json.h"
#include "tests/frontends/onnx_builder.h"
#include "tests/ir/example_graphs.h"
#include "tests/support/shell.h"

namespace conflux {
namespace {

namespace fs = std::filesystem;

using Result = testing::CommandResult;

Result runConflux(const std::string& args) {
  return testing::runShell(std::string(CONFLUX_BINARY) + " " + args,
                           testing::testLogPath(CONFLUX_TEST_OUTPUT_DIR));
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Writes the example graph as an IR file next to the test binary and returns its path.
fs::path writeExample(const std::string& name, const ir::Graph& g) {
  fs::path path = fs::path(CONFLUX_TEST_OUTPUT_DIR) / name;
  std::ofstream(path) << ir::toJson(g);
  return path;
}

TEST(Cli, OptimizeO0RoundTripsAnIrFileExactly) {
  fs::path in = writeExample("mlp.ir.json", testing::matmulBiasRelu());
  fs::path out = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "mlp.O0.ir.json";
  Result r = runConflux("optimize " + in.string() + " -O0 -o " + out.string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(readFile(out), readFile(in));
  EXPECT_NE(r.output.find("graph mlp: 2 state(s)"), std::string::npos) << r.output;
}

TEST(Cli, DumpAfterPrintsTheIr) {
  fs::path in = writeExample("conv.ir.json", testing::conv3x3Tile(2, 4, 4, 2));
  Result r = runConflux("optimize " + in.string() + " --passes propagate-memlets --dump-after all");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("// IR after propagate-memlets"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("map_entry conv"), std::string::npos) << r.output;
}

TEST(Cli, DimsAndShapesSizeTheOpenDimensionsOfAModel) {
  testing::OnnxModelBuilder b;
  b.input("x", onnx::TensorProto::FLOAT, {testing::kSymbolic, 3});  // dim_param "N"
  b.node("Relu", {"x"}, {"z"}, "relu");
  b.untypedOutput("z");
  std::string model = b.write("dynamic_batch.onnx");
  Result run = runConflux("run " + model + " --dims N=4 --seed 1 --check");
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("output z: 12 elements"), std::string::npos) << run.output;
  fs::path inputs = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "dynamic_batch_inputs";
  fs::create_directories(inputs);
  frontends::writeNpy((inputs / "x.npy").string(), ir::Tensor(ir::DType::F32, {5, 3}));
  Result fromFile = runConflux("run " + model + " --inputs " + inputs.string() + " --check");
  ASSERT_EQ(fromFile.exitCode, 0) << fromFile.output;
  EXPECT_NE(fromFile.output.find("output z: 15 elements"), std::string::npos) << fromFile.output;
  Result info = runConflux("info " + model + " --shapes x=2x3");
  EXPECT_EQ(info.exitCode, 0) << info.output;
  Result open = runConflux("info " + model);
  EXPECT_EQ(open.exitCode, 2) << open.output;
  EXPECT_NE(open.output.find("open shape [N,3]"), std::string::npos) << open.output;
}

TEST(Cli, BadInputExitsWithTwoAndNamesTheFile) {
  fs::path bad = fs::path(CONFLUX_TEST_OUTPUT_DIR) / "bad.ir.json";
  std::ofstream(bad) << "{\"format\": \"conflux-ir\", \"version\": ";
  Result r = runConflux("optimize " + bad.string() + " -O0");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.output.find("bad.ir.json"), std::string::npos) << r.output;

  Result missing = runConflux("optimize /nonexistent/model.json");
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_NE(missing.output.find("/nonexistent/model.json: cannot open file"), std::string::npos);
}

TEST(Cli, InvalidIrIsRejectedWithTheNode) {
  ir::Graph g = testing::matmulBiasRelu();
  g.state(1).addAccess("ghost");
  fs::path in = writeExample("invalid.ir.json", g);
  Result r = runConflux("optimize " + in.string() + " -O0");
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.output.find("unknown array 'ghost'"), std::string::npos) << r.output;
}

TEST(Cli, UsageErrorsExitWithTwo) {
  fs::path in = writeExample("usage.ir.json", testing::matmulBiasRelu());
  EXPECT_EQ(runConflux("").exitCode, 2);
  EXPECT_EQ(runConflux("frobnicate").exitCode, 2);
  EXPECT_EQ(runConflux("optimize " + in.string() + " --target tpu").exitCode, 2);
  EXPECT_EQ(runConflux("optimize " + in.string() + " --bogus").exitCode, 2);
  EXPECT_EQ(runConflux("optimize " + in.string() + " -o").exitCode, 2);
  EXPECT_EQ(runConflux("optimize " + in.string() + " --passes nope").exitCode, 2);
}

}  // namespace
}  // namespace conflux
