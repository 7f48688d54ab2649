// The cpu target's lowering of the functions Halide has no exact form for: erf (a rational
// approximation, targets/cpu/halide_expr.cpp) against std::erf; and NaN kept by erf, Max and
// Relu in every lane, the loop's guarded last vector too (targets/cpu/halide_expr.cpp tests NaN
// on the bits: Halide's no-NaN float flags once folded a float test away there); and a
// reduction whose value reads none of its parameters runs once per step all the same.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "api/conflux.h"
#include "tests/support/graph_json.h"
#include "tests/targets/reference_graphs.h"

namespace conflux {
namespace {

/// The float32 graph y = op(inputs...) over vectors of `count` elements, optimized.
ir::Graph elementwiseGraph(const std::string& op, const std::vector<std::string>& inputs,
                           int64_t count) {
  std::string shape =
      R"({"shape": [)" + std::to_string(count) + R"(], "dtype": "float32", "kind": ")";
  std::string tensors = R"("y": )" + shape + R"(output"})";
  std::string names;
  for (const std::string& input : inputs) {
    tensors += R"(, ")" + input + R"(": )" + shape + R"(input"})";
    names += (names.empty() ? "\"" : ", \"") + input + "\"";
  }
  ir::Graph graph = testing::loadGraphJson(
      R"({"format": "conflux-graph", "version": 1, "name": "math", "tensors": {)" + tensors +
          R"(}, "nodes": [{"name": "f", "op": ")" + op + R"(", "inputs": [)" + names +
          R"(], "outputs": ["y"]}]})",
      op);
  api::optimize(graph, {});
  return graph;
}

TEST(CpuMath, ErfIsWithinHalfAMillionthOfStdErf) {
  const int64_t count = 200001;  // [-10, 10] in steps of 1e-4, then both infinities and NaN
  ir::Graph graph = elementwiseGraph("Erf", {"x"}, count + 3);
  ir::Tensor x(ir::DType::F32, {count + 3});
  for (int64_t i = 0; i < count; ++i) x.set(i, -10.0 + 1e-4 * static_cast<double>(i));
  x.set(count, std::numeric_limits<double>::infinity());
  x.set(count + 1, -std::numeric_limits<double>::infinity());
  x.set(count + 2, std::numeric_limits<double>::quiet_NaN());  // in the guarded last vector
  ir::Tensor y = api::compile(graph, "cpu")->run({{"x", x}}).at("y");
  for (int64_t i = 0; i < count; ++i) {
    double want = std::erf(static_cast<double>(static_cast<float>(x.at(i))));
    ASSERT_NEAR(y.at(i), want, 5e-7) << "erf(" << x.at(i) << ")";
    if (std::abs(x.at(i)) < 0.5 && x.at(i) != 0) {
      ASSERT_NEAR(y.at(i) / want, 1.0, 1e-6) << "relative, erf(" << x.at(i) << ")";
    }
  }
  EXPECT_EQ(y.at(count), 1.0);
  EXPECT_EQ(y.at(count + 1), -1.0);
  EXPECT_TRUE(std::isnan(y.at(count + 2)));
}

TEST(CpuMath, MaxKeepsANaNInEveryLane) {
  const int64_t count = 1003;  // 62 vectors of 16 and a guarded last one
  ir::Graph graph = elementwiseGraph("Max", {"a", "b"}, count);
  ir::Tensor a(ir::DType::F32, {count}), b(ir::DType::F32, {count});
  for (int64_t i : {int64_t{0}, int64_t{7}, count - 2})
    a.set(i, std::numeric_limits<double>::quiet_NaN());
  ir::Tensor y = api::compile(graph, "cpu")->run({{"a", a}, {"b", b}}).at("y");
  for (int64_t i = 0; i < count; ++i)
    EXPECT_EQ(std::isnan(y.at(i)), std::isnan(a.at(i))) << "element " << i;
}

TEST(CpuMath, ReluKeepsNaNInEveryLane) {
  const int64_t count = 1003;
  ir::Graph graph = elementwiseGraph("Relu", {"x"}, count);
  ir::Tensor x(ir::DType::F32, {count});
  for (int64_t i = 0; i < count; ++i) x.set(i, i % 2 == 0 ? -1.5 : 2.5);
  for (int64_t i : {int64_t{0}, int64_t{7}, count - 2})
    x.set(i, std::numeric_limits<double>::quiet_NaN());
  ir::Tensor y = api::compile(graph, "cpu")->run({{"x", x}}).at("y");
  for (int64_t i = 0; i < count; ++i) {
    if (std::isnan(x.at(i)))
      EXPECT_TRUE(std::isnan(y.at(i))) << "element " << i;
    else
      EXPECT_EQ(y.at(i), std::max(x.at(i), 0.0)) << "element " << i;
  }
}

TEST(CpuMath, SumOfAConstantRunsOncePerStep) {
  // Halide runs an update over the reduction variables it uses only; this one uses none.
  using namespace testing::reference;
  ir::Graph g("count");
  g.addArray("x", desc(ir::DType::F32, {4, 6}));
  g.addArray("n", desc(ir::DType::F32, {}));
  g.setInputs({"x"});
  g.setOutputs({"n"});
  ir::State s("main");
  ir::NodeId x = s.addAccess("x"), init = s.addAccess("n");
  addMappedTasklet(g, s, "init", {}, "", {}, {{init, "out", ""}}, {f32c(0)});
  addMappedTasklet(g, s, "count", {"i", "j"}, "0:3, 0:5", {{x, "v", "i, j"}},
                   {{s.addAccess("n"), "acc", "", ir::Wcr::Sum}}, {f32c(1)}, {init});
  g.addState(std::move(s));
  api::TensorMap out = api::compile(g, "cpu")->run({{"x", randomTensor({4, 6}, 1)}});
  EXPECT_EQ(out.at("n").at(0), 24);
}

}  // namespace
}  // namespace conflux
