#include "tests/passes/expansion_checks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ir/validate.h"
#include "passes/expand_library_nodes.h"
#include "targets/reference/interpreter.h"
#include "tests/passes/library_graphs.h"

namespace conflux::testing::expansion {

using namespace ir;

/// Row-major flat offset of `index` in `shape`.
int64_t offset(const Index& shape, const Index& index) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d) flat = flat * shape[d] + index[d];
  return flat;
}

/// Calls `f` for every index of `shape` in row-major order.
void forEachIndex(const Index& shape, const std::function<void(const Index&)>& f) {
  Index index(shape.size(), 0);
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  for (int64_t n = 0; n < total; ++n) {
    f(index);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

/// A tensor of uniform random values in [lo, hi) (rounded for integer dtypes).
Tensor random(const Index& shape, unsigned seed, double lo, double hi, DType dtype) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t(dtype, shape);
  for (int64_t i = 0; i < t.numElements(); ++i) {
    double v = dist(rng);
    t.set(i, isFloat(dtype) ? v : std::floor(v));
  }
  return t;
}

/// Element `index` of `t` as a double.
double get(const Tensor& t, const Index& index) {
  return t.at(offset(t.shape(), index));
}

/// The expected result: a tensor of `shape` whose element at each index is `f(index)`.
Tensor expected(const Index& shape, const std::function<double(const Index&)>& f) {
  Tensor t(DType::F32, shape);
  forEachIndex(shape, [&](const Index& i) { t.set(offset(shape, i), f(i)); });
  return t;
}

/// Expands every library node of `g`, validates the result and runs it.
std::map<std::string, Tensor> expandAndRun(Graph g, const std::map<std::string, Tensor>& inputs) {
  passes::expandLibraryNodes(g);
  validate(g);
  return targets::reference::run(g, inputs);
}

/// Every element of `actual` is within `tolerance` (absolute and relative) of `want`.
void expectClose(const Tensor& actual, const Tensor& want, double tolerance) {
  ASSERT_EQ(actual.shape(), want.shape());
  for (int64_t i = 0; i < want.numElements(); ++i) {
    double a = actual.at(i), w = want.at(i);
    ASSERT_NEAR(a, w, tolerance * std::max(1.0, std::abs(w))) << "element " << i;
  }
}

/// Runs `op` on `inputs` (array names x0, x1, ... in connector order) and compares output y
/// with `want`.
void checkOp(OpKind op, OpAttrs attrs, const std::vector<Tensor>& inputs, const Tensor& want,
             double tolerance) {
  std::vector<testing::ArraySpec> specs;
  std::map<std::string, Tensor> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string name = "x" + std::to_string(i);
    specs.push_back({name, inputs[i].shape(), inputs[i].dtype()});
    values[name] = inputs[i];
  }
  Graph g = singleOpGraph(op, std::move(attrs), specs, {{"y", want.shape(), want.dtype()}});
  std::map<std::string, Tensor> out = expandAndRun(std::move(g), values);
  ASSERT_TRUE(out.count("y"));
  expectClose(out.at("y"), want, tolerance);
}

}  // namespace conflux::testing::expansion
