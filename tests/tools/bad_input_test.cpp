// Bad input never crashes, hangs or silently succeeds: `conflux` exits with code 2 and one clear
// message naming the file and the node or tensor at fault. One case per kind of bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <vector>

#include "frontends/npy.h"
#include "ir/tensor.h"
#include "tests/support/shell.h"

namespace conflux {
namespace {

namespace fs = std::filesystem;

/// A small valid graph JSON: y = Relu(x @ w) with x [2,3], w [3,4].
std::string smallGraph() {
  return R"({"format": "conflux-graph", "version": 1, "name": "small",
  "tensors": {"x": {"shape": [2, 3], "dtype": "float32", "kind": "input"},
              "w": {"shape": [3, 4], "dtype": "float32", "kind": "weight"},
              "y": {"shape": [2, 4], "dtype": "float32", "kind": "output"}},
  "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h"]},
            {"name": "act", "op": "Relu", "inputs": ["h"], "outputs": ["y"]}]})";
}

/// `text` with the first occurrence of `from` replaced by `to` (the case must change something).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string randomBytes(size_t count) {
  std::mt19937 engine(1234);
  std::string bytes(count, '\0');
  for (char& c : bytes) c = static_cast<char>(engine() & 0xff);
  return bytes;
}

std::string fileHead(const fs::path& path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(count, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(count));
  return bytes;
}

/// One bad-input case: the files to write, the command's arguments (MODEL and DIR stand for the
/// model file and the case's folder) and the substrings the message must contain.
struct BadInput {
  std::string name;
  std::map<std::string, std::string> files;
  std::string args;
  std::vector<std::string> expected;
};

void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

/// The arguments with MODEL replaced by the case's model file (model.onnx when the case writes
/// one, else model.json) and DIR by its folder.
std::string substituted(const BadInput& c, const fs::path& dir) {
  std::string args = c.args;
  std::string model = c.files.count("model.onnx") ? "model.onnx" : "model.json";
  for (auto [key, value] : {std::pair<std::string, std::string>{"MODEL", (dir / model).string()},
                            {"DIR", dir.string()}})
    for (size_t at; (at = args.find(key)) != std::string::npos;) args.replace(at, key.size(), value);
  return args;
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, ExitsWithTwoAndAClearMessage) {
  const BadInput& c = GetParam();
  fs::path dir = fs::path(CONFLUX_TEST_OUTPUT_DIR) / ("bad_" + c.name);
  fs::remove_all(dir);
  fs::create_directories(dir / "inputs");
  for (const auto& [file, content] : c.files) std::ofstream(dir / file, std::ios::binary) << content;
  // Inputs of the small graph that the npy cases do not override.
  if (c.name.rfind("npy_", 0) == 0 && !fs::exists(dir / "inputs" / "w.npy"))
    frontends::writeNpy((dir / "inputs" / "w.npy").string(), ir::Tensor(ir::DType::F32, {3, 4}));

  testing::CommandResult result = testing::runShell(
      "timeout 60 " + std::string(CONFLUX_BINARY) + " " + substituted(c, dir), dir / "log.txt");
  EXPECT_EQ(result.exitCode, 2) << result.output;
  EXPECT_NE(result.output.find("conflux: error: "), std::string::npos) << result.output;
  for (const std::string& part : c.expected)
    EXPECT_NE(result.output.find(part), std::string::npos) << "missing '" << part << "' in: " << result.output;
}

std::string npy(const ir::Tensor& tensor) {
  fs::path scratch = fs::temp_directory_path() / ("conflux_bad_input_" + std::to_string(::getpid()) + ".npy");
  frontends::writeNpy(scratch.string(), tensor);
  std::string bytes = fileHead(scratch, static_cast<size_t>(fs::file_size(scratch)));
  fs::remove(scratch);
  return bytes;
}

std::vector<BadInput> cases() {
  // A real ONNX model from the conformance suite (libonnx-testdata), cut short.
  const fs::path onnxModel = "/usr/include/onnx/backend/test/data/node/test_conv_with_strides_padding/model.onnx";
  const std::string graph = smallGraph();
  const std::string run = "run MODEL --target reference --seed 1";
  return {
      {"empty_onnx", {{"model.onnx", ""}}, run, {"model.onnx", "empty"}},
      {"truncated_onnx", {{"model.onnx", fileHead(onnxModel, 100)}}, run, {"model.onnx", "ONNX"}},
      {"random_onnx", {{"model.onnx", randomBytes(4096)}}, run, {"model.onnx", "ONNX"}},
      {"json_syntax", {{"model.json", graph.substr(0, 60)}}, run, {"model.json", "JSON"}},
      {"unknown_key", {{"model.json", replaced(graph, "\"kind\": \"input\"", "\"kind\": \"input\", \"bogus\": 1")}},
       run, {"model.json", "tensor 'x'", "bogus"}},
      {"unknown_op", {{"model.json", replaced(graph, "\"Relu\"", "\"Frobnicate\"")}}, run, {"model.json", "act", "Frobnicate"}},
      {"logic_on_floats", {{"model.json", replaced(graph, "\"Relu\"", "\"Not\"")}}, run,
       {"model.json", "act", "must be bool", "f32"}},
      {"float_mod_without_fmod",
       {{"model.json", replaced(graph, "\"op\": \"Relu\", \"inputs\": [\"h\"]", "\"op\": \"Mod\", \"inputs\": [\"h\", \"h\"]")}},
       run, {"model.json", "act", "fmod"}},
      {"prelu_slope_wider",
       {{"model.json",
         replaced(replaced(graph, "\"op\": \"Relu\", \"inputs\": [\"h\"]", "\"op\": \"PRelu\", \"inputs\": [\"h\", \"s\"]"),
                  "\"w\": {", "\"s\": {\"shape\": [3, 2, 4], \"dtype\": \"float32\", \"kind\": \"weight\"}, \"w\": {")}},
       run, {"model.json", "act", "must broadcast to the input's shape"}},
      {"loss_float_target",
       {{"model.json", replaced(graph, "\"op\": \"Relu\", \"inputs\": [\"h\"]",
                                "\"op\": \"NegativeLogLikelihoodLoss\", \"inputs\": [\"h\", \"h\"]")}},
       run, {"model.json", "act", "target must be int64 or int32", "f32"}},
      {"gather_nd_float_indices",
       {{"model.json", replaced(graph, "\"op\": \"Relu\", \"inputs\": [\"h\"]",
                                "\"op\": \"GatherND\", \"inputs\": [\"h\", \"h\"]")}},
       run, {"model.json", "act", "indices must be int64 or int32"}},
      {"dims_without_size", {{"model.json", graph}}, "run MODEL --dims N --seed 1", {"--dims", "'N' is not NAME=SIZE"}},
      {"shapes_with_zero", {{"model.json", graph}}, "run MODEL --shapes x=2x0 --seed 1", {"--shapes", "'x=2x0'", "at least 1"}},
      {"dims_unknown_name", {{"model.json", graph}}, "run MODEL --dims batch=2 --seed 1",
       {"model.json", "no graph input has a dimension named 'batch'"}},
      {"shapes_wrong_rank", {{"model.json", graph}}, "info MODEL --shapes x=2x3x1",
       {"model.json", "graph input 'x' is declared [2,3]", "[2,3,1]"}},
      {"scatter_float_indices",
       {{"model.json", replaced(graph, "\"op\": \"Relu\", \"inputs\": [\"h\"]",
                                "\"op\": \"ScatterElements\", \"inputs\": [\"h\", \"h\", \"h\"]")}},
       run, {"model.json", "act", "indices must be int64 or int32"}},
      {"shape_mismatch",
       {{"model.json", replaced(replaced(replaced(graph, "[2, 3]", "[8, 512]"), "[3, 4]", "[256, 64]"), "[2, 4]",
                           "[8, 64]")}},
       run, {"model.json", "mm", "512", "256"}},
      {"cycle", {{"model.json", replaced(graph, "[\"x\", \"w\"]", "[\"y\", \"w\"]")}}, run,
       {"model.json", "cycle", "mm"}},
      {"undefined_tensor", {{"model.json", replaced(graph, "[\"x\", \"w\"]", "[\"x\", \"nowhere\"]")}}, run,
       {"model.json", "mm", "nowhere"}},
      {"negative_dim", {{"model.json", replaced(graph, "[2, 3]", "[-2, 3]")}}, run, {"model.json", "'x'", "-2"}},
      {"absurd_dims", {{"model.json", replaced(graph, "[2, 3]", "[1000000000000, 1000000000]")}}, run,
       {"model.json", "'x'"}},
      {"wrong_dtype_name", {{"model.json", replaced(graph, "\"float32\"", "\"float128\"")}}, run,
       {"model.json", "'x'", "float128"}},
      {"invalid_attribute",
       {{"model.json", R"({"format": "conflux-graph", "version": 1, "name": "conv",
          "tensors": {"x": {"shape": [1, 2, 8, 8], "dtype": "float32", "kind": "input"},
                      "w": {"shape": [4, 2, 3, 3], "dtype": "float32", "kind": "weight"},
                      "y": {"shape": [1, 4, 6, 6], "dtype": "float32", "kind": "output"}},
          "nodes": [{"name": "conv0", "op": "Conv", "inputs": ["x", "w"], "outputs": ["y"],
                     "attrs": {"strides": [0, 1]}}]})"}},
       run, {"model.json", "conv0", "stride"}},
      {"npy_missing", {{"model.json", graph}}, "run MODEL --target reference --inputs DIR/inputs", {"'x'", "x.npy"}},
      {"npy_corrupt", {{"model.json", graph}, {"inputs/x.npy", "\x93NUMPY garbage"}},
       "run MODEL --target reference --inputs DIR/inputs", {"x.npy"}},
      {"npy_wrong_shape", {{"model.json", graph}, {"inputs/x.npy", npy(ir::Tensor(ir::DType::F32, {3, 2}))}},
       "run MODEL --target reference --inputs DIR/inputs", {"x.npy", "f32[3,2]", "f32[2,3]"}},
      {"npy_wrong_dtype", {{"model.json", graph}, {"inputs/x.npy", npy(ir::Tensor(ir::DType::I64, {2, 3}))}},
       "run MODEL --target reference --inputs DIR/inputs", {"x.npy", "i64", "f32"}},
      {"missing_model", {}, run, {"model"}},
      {"unknown_target", {{"model.json", graph}}, "run MODEL --target tpu --seed 1", {"tpu"}},
      {"unknown_flag", {{"model.json", graph}}, "run MODEL --frobnicate", {"--frobnicate"}},
      {"unknown_command", {}, "transmogrify MODEL", {"transmogrify"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Cli, BadInputTest, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace conflux
