// Errors users can cause: bad inputs, and graphs the reference target cannot execute. Each
// message names the input, array or node at fault.
#include <gtest/gtest.h>

#include "ir/error.h"
#include "targets/reference/interpreter.h"
#include "tests/ir/example_graphs.h"
#include "tests/targets/reference_graphs.h"

namespace conflux::testing::reference {
namespace {

using namespace ir;

/// Runs the graph and returns the conflux::Error message ("" when nothing was thrown).
std::string errorOf(const Graph& g, const std::map<std::string, Tensor>& inputs) {
  try {
    targets::reference::run(g, inputs);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::map<std::string, Tensor> mlpInputs() {
  return {{"x", randomTensor({8, 16}, 1)}, {"w", randomTensor({16, 32}, 2)}, {"b", randomTensor({32}, 3)}};
}

#define EXPECT_MENTIONS(message, text) \
  EXPECT_NE((message).find(text), std::string::npos) << "message: " << (message)

TEST(ReferenceErrors, MissingInput) {
  auto inputs = mlpInputs();
  inputs.erase("w");
  std::string message = errorOf(matmulBiasRelu(), inputs);
  EXPECT_MENTIONS(message, "missing input 'w'");
}

TEST(ReferenceErrors, WrongShape) {
  auto inputs = mlpInputs();
  inputs["x"] = randomTensor({8, 15}, 1);
  std::string message = errorOf(matmulBiasRelu(), inputs);
  EXPECT_MENTIONS(message, "input 'x'");
  EXPECT_MENTIONS(message, "expected f32 [8, 16]");
}

TEST(ReferenceErrors, WrongDtype) {
  auto inputs = mlpInputs();
  inputs["b"] = Tensor(DType::I64, {32});
  std::string message = errorOf(matmulBiasRelu(), inputs);
  EXPECT_MENTIONS(message, "input 'b' is i64 [32]");
}

TEST(ReferenceErrors, UnknownAndTransientInputs) {
  auto inputs = mlpInputs();
  inputs["nope"] = Tensor(DType::F32, {1});
  EXPECT_MENTIONS(errorOf(matmulBiasRelu(), inputs), "input 'nope' is not an array");
  inputs.erase("nope");
  inputs["h"] = Tensor(DType::F32, {8, 32});
  EXPECT_MENTIONS(errorOf(matmulBiasRelu(), inputs), "input 'h' names a transient array");
}

TEST(ReferenceErrors, LibraryNodeMustBeExpandedFirst) {
  Graph g("lib");
  g.addArray("x", desc(DType::F32, {4}));
  g.addArray("y", desc(DType::F32, {4}));
  g.setInputs({"x"});
  g.setOutputs({"y"});
  State s("s");
  NodeId x = s.addAccess("x"), y = s.addAccess("y");
  NodeId relu = s.addLibrary("my_relu", LibraryNode{OpKind::Relu, {}, {"in0"}, {"out0"}, Expansion::Pure});
  s.addEdge(x, "", relu, "in0", Memlet::of("x", "0:3"));
  s.addEdge(relu, "out0", y, "", Memlet::of("y", "0:3"));
  g.addState(std::move(s));
  std::string message = errorOf(g, {{"x", Tensor(DType::F32, {4})}});
  EXPECT_MENTIONS(message, "expand library nodes first");
  EXPECT_MENTIONS(message, "my_relu");
}

TEST(ReferenceErrors, Bf16ArrayIsUnsupported) {
  Graph g("half");
  g.addArray("x", desc(DType::BF16, {4}));
  g.addArray("y", desc(DType::BF16, {4}));
  g.setInputs({"x"});
  g.setOutputs({"y"});
  State s("s");
  NodeId x = s.addAccess("x"), y = s.addAccess("y");
  s.addEdge(x, "", y, "", Memlet::of("x", "0:3"));
  g.addState(std::move(s));
  std::string message = errorOf(g, {{"x", Tensor(DType::BF16, {4})}});
  EXPECT_MENTIONS(message, "the reference target supports f32, i64, i32 and bool");
  EXPECT_MENTIONS(message, "array 'x' is bf16");
  EXPECT_MENTIONS(message, "(access x)");
}

TEST(ReferenceErrors, OutOfRangeLoadNamesTheNode) {
  Graph g("bad_gather");
  g.addArray("data", desc(DType::F32, {5}));
  g.addArray("idx", desc(DType::I64, {2}));
  g.addArray("out", desc(DType::F32, {2}));
  g.setInputs({"data", "idx"});
  g.setOutputs({"out"});
  State s("s");
  NodeId data = s.addAccess("data"), idx = s.addAccess("idx"), out = s.addAccess("out");
  addMappedTasklet(g, s, "lookup", {"i"}, "0:1", {{data, "d", "0:4"}, {idx, "k", "i"}}, {{out, "o", "i"}},
                   {load("d", {i64("k")}, DType::F32)});
  g.addState(std::move(s));
  Tensor iv = Tensor::fromDoubles(DType::I64, {2}, {1, 5});
  std::string message = errorOf(g, {{"data", Tensor(DType::F32, {5})}, {"idx", iv}});
  EXPECT_MENTIONS(message, "tasklet lookup");
  EXPECT_MENTIONS(message, "out of range: index 5");
  iv.data<int64_t>()[1] = -1;
  EXPECT_MENTIONS(errorOf(g, {{"data", Tensor(DType::F32, {5})}, {"idx", iv}}), "index -1");
  iv.data<int64_t>()[1] = 4;
  EXPECT_EQ(errorOf(g, {{"data", Tensor(DType::F32, {5})}, {"idx", iv}}), "");
}

TEST(ReferenceErrors, InvalidGraphIsRejectedBeforeRunning) {
  Graph g = matmulBiasRelu();
  g.setOutputs({"nothing"});
  EXPECT_MENTIONS(errorOf(g, mlpInputs()), "nothing");
}

}  // namespace
}  // namespace conflux::testing::reference
