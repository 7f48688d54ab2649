// Row stages on the cpu target: a value that a softmax's statistics and its output both need is
// computed once per element — also when the softmax's input is itself an expression (an
// attention's scores scaled and masked, as GPT-2 writes them), whose value the exponential's
// contains.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "tests/support/graph_json.h"
#include "tests/targets/fresh_cache.h"

namespace conflux {
namespace {

/// softmax(q·kᵀ [· 0.125 + mask])·v over 2 heads of 16 queries and 64 keys: one attention
/// kernel, its rows within the cache (no online softmax).
std::string attentionJson(bool scaledAndMasked) {
  std::string softmaxInput = scaledAndMasked ? "sm" : "s";
  return R"({"format": "conflux-graph", "version": 1, "name": "attention",
    "tensors": {"q": {"shape": [2, 16, 8], "dtype": "float32", "kind": "input"},
                "kt": {"shape": [2, 8, 64], "dtype": "float32", "kind": "input"},
                "v": {"shape": [2, 64, 16], "dtype": "float32", "kind": "input"},
                "mask": {"shape": [1, 1, 64], "dtype": "float32", "kind": "input"},
                "scale": {"shape": [], "dtype": "float32", "kind": "constant", "data": [0.125]},
                "o": {"shape": [2, 16, 16], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "qk", "op": "MatMul", "inputs": ["q", "kt"], "outputs": ["s"]},
              {"name": "scaled", "op": "Mul", "inputs": ["s", "scale"], "outputs": ["ss"]},
              {"name": "masked", "op": "Add", "inputs": ["ss", "mask"], "outputs": ["sm"]},
              {"name": "softmax", "op": "Softmax", "inputs": [")" + softmaxInput + R"("], "outputs": ["p"],
               "attrs": {"axis": -1}},
              {"name": "pv", "op": "MatMul", "inputs": ["p", "v"], "outputs": ["o"]}]})";
}

class CpuRowStages : public testing::FreshCompileCache {
 protected:
  CpuRowStages() : FreshCompileCache("row-stages") {}

  /// How often the lowered statements of `json`'s -O3 program call the exponential; checks its
  /// outputs against the reference target on the way.
  int exponentialsOf(const std::string& json, const std::string& name) {
    std::filesystem::path stmts = dir_ / ("stmt-" + name);
    std::filesystem::create_directories(stmts);
    setenv("CONFLUX_DEBUG_STMT", stmts.c_str(), 1);
    ir::Graph graph = testing::loadGraphJson(json, name), optimised = graph;
    api::optimize(optimised, {});
    std::unique_ptr<api::Executable> cpu = api::compile(optimised, "cpu");
    unsetenv("CONFLUX_DEBUG_STMT");
    api::TensorMap inputs = api::randomInputs(graph, 5);
    api::TensorMap want = api::compile(graph, "reference")->run(inputs), got = cpu->run(inputs);
    for (int64_t i = 0; i < want.at("o").numElements(); ++i)
      EXPECT_NEAR(got.at("o").at(i), want.at("o").at(i), 1e-5) << name << " element " << i;
    int calls = 0;
    for (const auto& entry : std::filesystem::directory_iterator(stmts)) {
      std::ifstream in(entry.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (size_t at = text.find("exp_f32("); at != std::string::npos; at = text.find("exp_f32(", at + 1)) ++calls;
    }
    return calls;
  }
};

TEST_F(CpuRowStages, AScaledMaskedAttentionComputesItsExponentialsAsOftenAsAPlainOne) {
  int plain = exponentialsOf(attentionJson(false), "plain");
  ASSERT_GT(plain, 0);
  EXPECT_EQ(exponentialsOf(attentionJson(true), "scaled"), plain);
}

}  // namespace
}  // namespace conflux
