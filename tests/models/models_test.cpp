// Every shared model loads, validates and runs at -O3 on the reference and cpu targets; `--check`
// compares each run with the unoptimised model on the reference target, and the outputs match
// ONNX Runtime's (an external oracle run through Node.js) within 1e-3 relative, 1e-5 absolute.
// The `.noweights` models take their weights as extra graph inputs; they are drawn as PyTorch
// initialises them (uniform in +-1/sqrt(fan_in)) so that activations stay in a realistic range.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>
#include <sstream>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "frontends/npy.h"
#include "tests/support/shell.h"

namespace conflux {
namespace {

namespace fs = std::filesystem;

const fs::path kModels = CONFLUX_MODELS_DIR;

/// Writes DIR/<NAME>.npy for every graph input: the first (the data) uniform in [-1, 1), the
/// others (weights of `.noweights` models) scaled to +-1/sqrt(fan_in), fan_in being the product
/// of all dimensions but the first, as PyTorch's default Linear/Conv initialisation does.
void writeModelInputs(const ir::Graph& graph, const fs::path& dir) {
  fs::create_directories(dir);
  std::map<std::string, ir::Tensor> inputs = api::randomInputs(graph, 7);
  for (size_t index = 0; index < graph.inputs().size(); ++index) {
    const std::string& name = graph.inputs()[index];
    ir::Tensor& tensor = inputs.at(name);
    if (index > 0 && ir::isFloat(tensor.dtype())) {
      int64_t fanIn = 1;
      for (size_t d = 1; d < tensor.shape().size(); ++d) fanIn *= tensor.shape()[d];
      if (tensor.shape().size() <= 1) fanIn = std::max<int64_t>(1, tensor.numElements());
      double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
      for (int64_t i = 0; i < tensor.numElements(); ++i) tensor.set(i, tensor.at(i) * bound);
    }
    frontends::writeNpy((dir / frontends::npyFileName(name)).string(), tensor);
  }
}

/// A shared model and the target it runs on.
using Case = std::tuple<std::string, std::string>;

class SharedModel : public ::testing::TestWithParam<Case> {};

TEST_P(SharedModel, RunsAtO3AndMatchesUnoptimisedReferenceAndOnnxRuntime) {
  const auto& [file, target] = GetParam();
  fs::path model = kModels / file;
  if (!fs::exists(model)) GTEST_SKIP() << model << " is missing (set CONFLUX_MODELS_DIR)";
  fs::path dir = fs::path(CONFLUX_TEST_OUTPUT_DIR) / (file + "." + target);
  fs::remove_all(dir);
  ir::Graph graph = api::load(model.string());
  writeModelInputs(graph, dir / "inputs");
  testing::CommandResult result = testing::runShell(std::string(CONFLUX_BINARY) + " run " + model.string() +
                     " --target " + target + " -O3 --check --inputs " + (dir / "inputs").string() + " --outputs " +
                     (dir / "conflux").string(),
      dir / "conflux.log");
  ASSERT_EQ(result.exitCode, 0) << result.output;

  if (!fs::exists(fs::path(CONFLUX_ORT_MODULE) / "package.json"))
    GTEST_SKIP() << "ONNX Runtime is not installed (scripts/setup.sh installs it into third_party/): "
                 << "checked against the reference target only";
  result = testing::runShell("CONFLUX_ORT_MODULE=" + std::string(CONFLUX_ORT_MODULE) + " node " +
                 std::string(CONFLUX_SOURCE_DIR) + "/bench/ort_run.js " + model.string() +
                 " " + (dir / "inputs").string() + " " + (dir / "ort").string() + " 2",
      dir / "ort.log");
  ASSERT_EQ(result.exitCode, 0) << result.output;

  for (const std::string& name : graph.outputs()) {
    ir::Tensor ours = frontends::readNpy((dir / "conflux" / frontends::npyFileName(name)).string());
    ir::Tensor theirs = frontends::readNpy((dir / "ort" / frontends::npyFileName(name)).string());
    ASSERT_EQ(ours.shape(), theirs.shape()) << name;
    int64_t bad = 0;
    double worst = 0;
    for (int64_t i = 0; i < ours.numElements(); ++i) {
      double diff = std::fabs(ours.at(i) - theirs.at(i));
      worst = std::max(worst, diff);
      if (!(diff <= 1e-5 + 1e-3 * std::fabs(theirs.at(i)))) ++bad;
    }
    EXPECT_EQ(bad, 0) << name << ": " << bad << " of " << ours.numElements()
                      << " elements outside 1e-3 rel / 1e-5 abs; max abs diff " << worst;
  }
}

TEST_P(SharedModel, WithItsWeightsStoredRunsAtO3AndMatchesTheReference) {
  // Stored weights are what the cpu target packs at load and what Winograd's expansion
  // (ResNet-50's 3x3 convolutions of 128 and 256 channels) transforms at compile time.
  const auto& [file, target] = GetParam();
  if (file.find(".noweights") == std::string::npos || target != "cpu")
    GTEST_SKIP() << "only the .noweights models take their weights as inputs";
  fs::path model = kModels / file;
  if (!fs::exists(model)) GTEST_SKIP() << model << " is missing (set CONFLUX_MODELS_DIR)";
  fs::path dir = fs::path(CONFLUX_TEST_OUTPUT_DIR) / (file + ".stored");
  fs::remove_all(dir);
  ir::Graph graph = api::load(model.string());
  writeModelInputs(graph, dir / "inputs");
  fs::path frozen = dir / "frozen.onnx";
  testing::CommandResult result = testing::runShell(std::string(CONFLUX_FREEZE_WEIGHTS) + " " + model.string() + " " +
                                                        (dir / "inputs").string() + " " + frozen.string(),
                                                    dir / "freeze.log");
  ASSERT_EQ(result.exitCode, 0) << result.output;
  fs::create_directories(dir / "data");
  const std::string data = frontends::npyFileName(graph.inputs().front());
  fs::copy_file(dir / "inputs" / data, dir / "data" / data);
  result = testing::runShell(std::string(CONFLUX_BINARY) + " run " + frozen.string() + " --target cpu -O3 --check --inputs " +
                                 (dir / "data").string(),
                             dir / "conflux.log");
  ASSERT_EQ(result.exitCode, 0) << result.output;
}

INSTANTIATE_TEST_SUITE_P(Models, SharedModel,
                         ::testing::Combine(::testing::Values("bert_base_layer.op14.noweights.onnx",
                                                              "bert_base_layer.op17.noweights.onnx",
                                                              "bert_large_layer.op17.noweights.onnx",
                                                              "resnet50.op17.noweights.onnx",
                                                              "mobilenet_v2.op17.onnx", "unet_small.op17.onnx"),
                                            ::testing::Values("reference", "cpu")),
                         [](const auto& info) {
                           const std::string& file = std::get<0>(info.param);
                           std::string name = file.substr(0, file.find(".onnx")) + "_" + std::get<1>(info.param);
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace conflux
