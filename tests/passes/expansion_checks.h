#pragma once
// What the expansion tests share: small tensors built from functions of their indices, one-op
// graphs expanded and run on the reference interpreter, and comparisons with tolerances.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_attrs.h"
#include "ir/op_kind.h"
#include "ir/tensor.h"

namespace conflux::testing::expansion {

using Index = std::vector<int64_t>;

/// Row-major flat offset of `index` in `shape`.
int64_t offset(const Index& shape, const Index& index);
/// Calls `f` for every index of `shape` in row-major order.
void forEachIndex(const Index& shape, const std::function<void(const Index&)>& f);
/// A tensor of uniform random values in [lo, hi) (rounded for integer dtypes).
ir::Tensor random(const Index& shape, unsigned seed, double lo = -1.0, double hi = 1.0,
                  ir::DType dtype = ir::DType::F32);
/// Element `index` of `t` as a double.
double get(const ir::Tensor& t, const Index& index);
/// The expected result: a tensor of `shape` whose element at each index is `f(index)`.
ir::Tensor expected(const Index& shape, const std::function<double(const Index&)>& f);
/// Expands every library node of `g`, validates the result and runs it.
std::map<std::string, ir::Tensor> expandAndRun(ir::Graph g,
                                               const std::map<std::string, ir::Tensor>& inputs);
/// Every element of `actual` is within `tolerance` (absolute and relative) of `want`.
void expectClose(const ir::Tensor& actual, const ir::Tensor& want, double tolerance = 1e-5);
/// Runs `op` on `inputs` (array names x0, x1, ... in connector order) and compares output y
/// with `want`.
void checkOp(ir::OpKind op, ir::OpAttrs attrs, const std::vector<ir::Tensor>& inputs,
             const ir::Tensor& want, double tolerance = 1e-5);

}  // namespace conflux::testing::expansion
