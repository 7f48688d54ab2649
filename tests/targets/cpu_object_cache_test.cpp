// The cpu target's compile cache: module keys that ignore only Halide's per-process numbering,
// and programs that load every pipeline from the cache the second time a graph is compiled.
#include <gtest/gtest.h>

#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "ir/error.h"
#include "targets/cpu/cpu_program.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/cache_eviction.h"
#include "targets/target_registry.h"
#include "tests/support/graph_json.h"
#include "tests/targets/fresh_cache.h"

namespace conflux {
namespace {

using targets::cpu::CpuProgram;
using targets::cpu::moduleKey;
using targets::cpu::uniqueFuncName;

/// The key of `text` as the entry function "f"'s.
std::string key(const std::string& text) {
  return moduleKey(text, "f");
}

TEST(ModuleKey, IgnoresHalidesPerProcessNumbering) {
  EXPECT_EQ(key("let t40 = f.s0.v12.v13 in f[t40] = x16(1.5f)"),
            key("let t7 = f.s0.v3.v4 in f[t7] = x16(1.5f)"));
  // Names Halide made again (closure_arg$3), consistently: two such names are not one.
  EXPECT_EQ(key("let closure_arg$2 = g$2[0]"), key("let closure_arg$5 = g$5[0]"));
  EXPECT_NE(key("let closure_arg$2 = g$2[0]"), key("let closure_arg$5 = g$6[0]"));
  EXPECT_NE(key("k$4 + k$5"), key("k$4 + k$4"));
  // Funcs named by uniqueFuncName.
  std::string f = uniqueFuncName("f"), g = uniqueFuncName("f");
  // Halide may still suffix one (its numbering hashes names), there and in closures' names.
  EXPECT_EQ(key(f + "$3.s0.x = 1; call k_par_for_" + f + "__3_s0_y"),
            key(g + ".s0.x = 1; call k_par_for_" + g + "_s0_y"));
  EXPECT_NE(f, g);
  EXPECT_EQ(key(f + ".s0.x = 1; call k_par_for_" + f + "_s0_y"),
            key(g + ".s0.x = 1; call k_par_for_" + g + "_s0_y"));
  EXPECT_EQ(key("for (acc.s1.r3$x, 0, 8) t2 = t2 + t5"),
            key("for (acc.s1.r9$x, 0, 8) t4 = t4 + t1"));
  // A parallel loop's closure, which Halide suffixes when a name of its hash was made before.
  EXPECT_EQ(key("func k_par_for_" + f + "_s0_d1_xo () {} call k_par_for_" + f + "_s0_d1_xo"),
            key("func k_par_for_" + g + "_s0_d1_xo__1 () {} call k_par_for_" + g + "_s0_d1_xo__1"));
  // Closures are numbered, not merged: each call still names the body it calls.
  EXPECT_NE(key("func k_par_for_a () {1} func k_par_for_b () {2} call k_par_for_a"),
            key("func k_par_for_a () {1} func k_par_for_b () {2} call k_par_for_b"));
}

TEST(ModuleKey, KeepsEverythingElse) {
  std::string base = "let t40 = a[t40] * 0.125f in f[x16(t40)] = exp_f32(t40)";
  EXPECT_NE(key(base), key("let t40 = a[t40] * 0.12500001f in f[x16(t40)] = exp_f32(t40)"));
  EXPECT_NE(key(base), key("let t40 = a[t40] * 0.125f in f[x8(t40)] = exp_f32(t40)"));
  EXPECT_NE(key(base), key("let t40 = a[t40] * 0.125f in f[x16(t40)] = exp_f64(t40)"));
  EXPECT_NE(key(base), key("let t40 = b[t40] * 0.125f in f[x16(t40)] = exp_f32(t40)"));
  // Numbered names are renamed consistently: two lets are not one.
  // The entry function's name is kept as it is, numbered-looking parts and all.
  EXPECT_NE(moduleKey("f[0] = 1", "k3_t7_out"), moduleKey("f[0] = 1", "k3_t9_out"));
  EXPECT_NE(key("let t1 = 2 in let t2 = 3 in t1 - t2"), key("let t1 = 2 in let t2 = 3 in t1 - t1"));
}

/// A dense layer with a constant bias, expanded for the cpu target.
ir::Graph denseLayer(int columns) {
  ir::Graph graph = testing::loadGraphJson(
      R"({"format": "conflux-graph", "version": 1, "name": "dense",
    "tensors": {"x": {"shape": [8, 64], "dtype": "float32", "kind": "input"},
                "w": {"shape": [64, )" +
          std::to_string(columns) + R"(], "dtype": "float32", "kind": "input"},
                "b": )" +
          testing::constantTensorJson("[" + std::to_string(columns) + "]", columns) + R"(,
                "y": {"shape": [8, )" +
          std::to_string(columns) + R"(], "dtype": "float32", "kind": "output"}},
    "nodes": [{"name": "mm", "op": "MatMul", "inputs": ["x", "w"], "outputs": ["h"]},
              {"name": "bias", "op": "Add", "inputs": ["h", "b"], "outputs": ["t"]},
              {"name": "act", "op": "Relu", "inputs": ["t"], "outputs": ["y"]}]})",
      "dense");
  api::optimize(graph, {});
  return graph;
}

/// Compiles in a fresh compile cache.
class CpuObjectCache : public testing::FreshCompileCache {};

/// Compiles `graph` twice in this process; expects the second program to lower and compile
/// nothing and to compute what the first did.
void expectTheSecondProgramCompilesNothing(const ir::Graph& graph) {
  api::TensorMap inputs = api::randomInputs(graph, 5);
  api::TensorMap first;
  {
    CpuProgram program(graph, targets::targetDesc("cpu"));
    EXPECT_GT(program.numCompiledPipelines(), 0u);
    EXPECT_EQ(program.numLoweredPipelines(), program.numCompiledPipelines());
    first = program.run(inputs);
  }  // its library is unloaded
  CpuProgram again(graph, targets::targetDesc("cpu"));
  EXPECT_EQ(again.numCompiledPipelines(), 0u);
  EXPECT_EQ(again.numLoweredPipelines(), 0u);  // found by the program's key
  api::TensorMap second = again.run(inputs);
  ASSERT_EQ(first.at("y").numElements(), second.at("y").numElements());
  for (int64_t i = 0; i < first.at("y").numElements(); ++i)
    ASSERT_EQ(first.at("y").at(i), second.at("y").at(i)) << i;
}

TEST_F(CpuObjectCache, ASecondProgramOfTheSameGraphCompilesNothing) {
  expectTheSecondProgramCompilesNothing(denseLayer(96));
  expectTheSecondProgramCompilesNothing(testing::optimizedConvBlock());
}

TEST_F(CpuObjectCache, AGraphWithAnotherConstantValueIsLoweredAgain) {
  ir::Graph graph = denseLayer(96);
  ir::Graph changed = graph;
  std::string bias = graph.constantValues().begin()->first;
  ir::Tensor value = *graph.constantValue(bias);
  value.set(5, value.at(5) + 0.5);
  changed.setConstantValue(bias, value);
  CpuProgram first(graph, targets::targetDesc("cpu"));
  CpuProgram second(changed, targets::targetDesc("cpu"));
  EXPECT_GT(second.numLoweredPipelines(), 0u);
  // The bias is read from memory, not compiled in: the objects are the same ones.
  EXPECT_EQ(second.numCompiledPipelines(), 0u);
  CpuProgram again(changed, targets::targetDesc("cpu"));
  EXPECT_EQ(again.numLoweredPipelines(), 0u);
}

TEST_F(CpuObjectCache, AnotherShapeIsCompiledAgain) {
  CpuProgram program(denseLayer(96), targets::targetDesc("cpu"));
  CpuProgram wider(denseLayer(112), targets::targetDesc("cpu"));
  EXPECT_GT(wider.numCompiledPipelines(), 0u);
}

TEST_F(CpuObjectCache, ConstantsBelowThePrintedPrecisionKeepTheirOwnKeys) {
  // Halide prints 1e-20 and 1e-24 alike (0.000...f); the key holds them exactly.
  auto layerNorm = [](const std::string& epsilon) {
    ir::Graph graph =
        testing::loadGraphJson(R"({"format": "conflux-graph", "version": 1, "name": "ln",
      "tensors": {"x": {"shape": [4, 64], "dtype": "float32", "kind": "input"},
                  "s": {"shape": [64], "dtype": "float32", "kind": "input"},
                  "b": {"shape": [64], "dtype": "float32", "kind": "input"},
                  "y": {"shape": [4, 64], "dtype": "float32", "kind": "output"}},
      "nodes": [{"name": "ln", "op": "LayerNormalization", "inputs": ["x", "s", "b"], "outputs": ["y"],
                 "attrs": {"epsilon": )" +
                                   epsilon + R"(}}]})",
                               "ln");
    api::optimize(graph, {});
    return graph;
  };
  CpuProgram first(layerNorm("1e-20"), targets::targetDesc("cpu"));
  CpuProgram second(layerNorm("1e-24"), targets::targetDesc("cpu"));
  EXPECT_GT(second.numCompiledPipelines(), 0u);
}

/// Expects compiling a program of `graph` to fail with a conflux::Error naming `text`.
void expectProgramErrorMentioning(const ir::Graph& graph, const std::string& text) {
  try {
    CpuProgram program(graph, targets::targetDesc("cpu"));
    ADD_FAILURE() << "the program compiled; expected an error naming " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST_F(CpuObjectCache, AMissingCompilerIsAClearError) {
  setenv("CC", "/nonexistent/cc", 1);
  expectProgramErrorMentioning(denseLayer(96), "/nonexistent/cc");
  unsetenv("CC");
  // The failed link left no partial library behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir_))
    EXPECT_EQ(entry.path().extension(), ".o") << entry.path();
}

/// Writes `bytes` bytes to `path` and dates its last use `age` ago.
void entry(const std::filesystem::path& path, size_t bytes, std::chrono::minutes age) {
  std::ofstream(path) << std::string(bytes, 'x');
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() - age);
}

TEST_F(CpuObjectCache, TheBoundRemovesTheLeastRecentlyUsedEntries) {
  using std::chrono::minutes;
  std::filesystem::create_directories(dir_);
  entry(dir_ / "a.o", 1000, minutes(180));
  entry(dir_ / "b.o", 1000, minutes(120));
  entry(dir_ / "c.o", 1000, minutes(90));
  entry(dir_ / "d.o", 1000, minutes(1));
  entry(dir_ / ".tmp.1.0.e.o", 500, minutes(120));  // its writer died
  entry(dir_ / ".tmp.2.0.f.o", 500, minutes(0));    // being written
  EXPECT_EQ(targets::cpu::trimCache(dir_, 2500), 2500u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a.o"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "b.o"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "c.o"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".tmp.1.0.e.o"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / ".tmp.2.0.f.o"));
  // Down to nothing: what was used in the last hour stays (a process may be about to link it).
  EXPECT_EQ(targets::cpu::trimCache(dir_, 0), 1000u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "c.o"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "d.o"));
}

TEST_F(CpuObjectCache, UsingAnEntryMarksItRecentlyUsed) {
  CpuProgram program(denseLayer(96), targets::targetDesc("cpu"));
  std::vector<std::filesystem::path> entries;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    entries.push_back(e.path());
    std::filesystem::last_write_time(e.path(), std::filesystem::file_time_type::clock::now() - std::chrono::hours(5));
  }
  ASSERT_FALSE(entries.empty());
  CpuProgram again(denseLayer(96), targets::targetDesc("cpu"));
  EXPECT_EQ(again.numCompiledPipelines(), 0u);
  for (const auto& path : entries)
    EXPECT_LT(std::filesystem::file_time_type::clock::now() - std::filesystem::last_write_time(path),
              std::chrono::minutes(1))
        << path;
  // A bound below what the program uses removes nothing it just used.
  EXPECT_EQ(targets::cpu::trimCache(dir_, 0), 0u);
}

TEST_F(CpuObjectCache, ABadBoundIsAClearErrorBeforeAnyCompileWork) {
  setenv("CONFLUX_CACHE_MAX_MB", "-5", 1);
  expectProgramErrorMentioning(denseLayer(96), "CONFLUX_CACHE_MAX_MB");
  unsetenv("CONFLUX_CACHE_MAX_MB");
  bool anyObject = false;
  if (std::filesystem::exists(dir_))
    for (const auto& e : std::filesystem::directory_iterator(dir_)) anyObject = anyObject || e.path().extension() == ".o";
  EXPECT_FALSE(anyObject);
}

}  // namespace
}  // namespace conflux
