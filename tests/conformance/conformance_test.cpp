// The ONNX operator conformance suite (Debian's libonnx-testdata) on the reference and cpu
// targets. Every single-op test whose op is in scope and whose dtypes are supported runs through
// api::load / api::compile (the cpu target after -O3); its outputs must match the expected .pb tensors
// within ONNX's backend-test tolerance (rtol 1e-3, atol 1e-7 — the onnx.backend.test default).
// The tests Conflux rejects on purpose (training mode, f16/bf16 on the reference target, zero-size
// tensors...) are listed with the reason in exclusions.txt; each must still be rejected with a
// conflux::Error (a clear message), never a crash or a wrong answer.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "api/conflux.h"
#include "frontends/onnx_tensor.h"
#include "frontends/op_table.h"
#include "ir/error.h"

namespace conflux {
namespace {

namespace fs = std::filesystem;

const fs::path kSuite = "/usr/include/onnx/backend/test/data/node";

/// Test name -> reason, from exclusions.txt ("name  reason..." per line, '#' comments).
std::map<std::string, std::string> exclusions() {
  std::map<std::string, std::string> result;
  std::ifstream in(std::string(CONFLUX_SOURCE_DIR) + "/tests/conformance/exclusions.txt");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, reason;
    fields >> name;
    std::getline(fields, reason);
    result[name] = reason;
  }
  return result;
}

/// The suite's tests whose ops are all in scope and whose dtypes Conflux supports.
std::vector<std::string> inScopeTests() {
  std::vector<std::string> names;
  if (!fs::is_directory(kSuite)) return names;
  for (const auto& entry : fs::directory_iterator(kSuite)) {
    fs::path model = entry.path() / "model.onnx";
    if (!fs::exists(model)) continue;
    try {
      frontends::OnnxModelSummary summary = frontends::summarizeOnnxModel(model.string());
      bool inScope = summary.supportedDtypes && !summary.opTypes.empty();
      for (const std::string& op : summary.opTypes) inScope = inScope && frontends::isSupportedOp(op);
      if (inScope) names.push_back(entry.path().filename().string());
    } catch (const Error&) {
      // Unreadable models are out of scope (none are expected).
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// The tensors of one data set: input_*.pb or output_*.pb, by the name stored in each file.
std::vector<std::pair<std::string, ir::Tensor>> readTensors(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<std::string, ir::Tensor>> tensors;
  for (int i = 0;; ++i) {
    fs::path file = dir / (prefix + std::to_string(i) + ".pb");
    if (!fs::exists(file)) break;
    tensors.emplace_back(frontends::tensorProtoName(file.string()),
                         frontends::readTensorProtoFile(file.string()));
  }
  return tensors;
}

/// A conformance test and the target it runs on.
using Case = std::tuple<std::string, std::string>;

class OnnxConformance : public ::testing::TestWithParam<Case> {};

/// Loads one test with its inputs and runs it on `target`: the reference target runs the
/// model as loaded (the oracle), other targets run it optimised at -O3.
std::pair<ir::Graph, api::TensorMap> loadAndRun(const fs::path& dir, const std::string& target) {
  api::TensorMap inputs;
  for (auto& [name, tensor] : readTensors(dir / "test_data_set_0", "input_"))
    inputs.emplace(name, std::move(tensor));
  ir::Graph graph = api::load((dir / "model.onnx").string(), inputs);
  api::TensorMap runInputs;
  for (const std::string& name : graph.inputs()) runInputs.emplace(name, inputs.at(name));
  if (target != "reference") {
    api::OptimizeOptions options;
    options.target = target;
    api::optimize(graph, options);
  }
  api::TensorMap outputs = api::compile(graph, target)->run(runInputs);
  return {std::move(graph), std::move(outputs)};
}

TEST_P(OnnxConformance, MatchesExpectedOutputs) {
  static const std::map<std::string, std::string> excluded = exclusions();
  const auto& [name, target] = GetParam();
  fs::path dir = kSuite / name;
  for (const std::string& key : {name, name + "@" + target})
    if (auto it = excluded.find(key); it != excluded.end()) {
      EXPECT_THROW(loadAndRun(dir, target), Error) << key << " runs now: drop it from exclusions.txt";
      GTEST_SKIP() << "rejected as expected: " << it->second;
    }
  auto [graph, outputs] = loadAndRun(dir, target);
  fs::path data = dir / "test_data_set_0";
  std::vector<std::pair<std::string, ir::Tensor>> expected = readTensors(data, "output_");
  ASSERT_EQ(expected.size(), graph.outputs().size());
  for (size_t k = 0; k < expected.size(); ++k) {
    // Output files are named after the graph outputs in order; the names may be empty.
    const ir::Tensor& want = expected[k].second;
    const ir::Tensor& got = outputs.at(graph.outputs()[k]);
    ASSERT_EQ(got.shape(), want.shape()) << "output " << k;
    ASSERT_EQ(got.dtype(), want.dtype()) << "output " << k;
    int64_t bad = 0;
    for (int64_t i = 0; i < want.numElements(); ++i) {
      double g = got.at(i), w = want.at(i);
      bool ok = (std::isnan(g) && std::isnan(w)) || g == w ||
                std::fabs(g - w) <= 1e-7 + 1e-3 * std::fabs(w);
      if (!ok && bad++ < 3)
        ADD_FAILURE() << "output " << k << " element " << i << ": got " << g << ", expected " << w;
    }
    EXPECT_EQ(bad, 0) << "output " << k << ": " << bad << " elements differ";
  }
}

INSTANTIATE_TEST_SUITE_P(Node, OnnxConformance,
                         ::testing::Combine(::testing::ValuesIn(inScopeTests()), ::testing::Values("reference", "cpu")),
                         [](const auto& info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param); });

TEST(OnnxConformanceSuite, IsInstalledAndLargelyInScope) {
  // libonnx-testdata is installed by scripts/setup.sh; the suite must not silently vanish.
  ASSERT_TRUE(fs::is_directory(kSuite)) << kSuite;
  EXPECT_GT(inScopeTests().size(), 250u);
}

TEST(OnnxConformanceSuite, EveryExclusionNamesAnInScopeTestAndAReason) {
  std::vector<std::string> tests = inScopeTests();
  std::set<std::string> inScope(tests.begin(), tests.end());
  for (const auto& [name, reason] : exclusions()) {
    EXPECT_TRUE(inScope.count(name.substr(0, name.find('@')))) << name << " is excluded but not in scope";
    EXPECT_FALSE(reason.empty()) << name << " has no reason";
  }
}

}  // namespace
}  // namespace conflux
