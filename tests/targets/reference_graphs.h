#pragma once
// Helpers for the reference-target tests: arrays, random tensors, and maps of one tasklet
// wired between access nodes.
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/tensor.h"

namespace conflux::testing::reference {

/// A data descriptor of `dtype` and `shape`.
ir::DataDesc desc(ir::DType dtype, std::vector<int64_t> shape, bool transient = false);
/// An f32 tensor of uniform values in [lo, hi) from a fixed seed.
ir::Tensor randomTensor(std::vector<int64_t> shape, uint32_t seed, float lo = -1, float hi = 1);

/// One array a mapped tasklet reads or writes: the access node outside the map, the tasklet
/// connector and the subset per iteration.
struct Port {
  ir::NodeId access;
  std::string conn;
  std::string subset;
  ir::Wcr wcr = ir::Wcr::None;
};

/// Adds a map over `params` in `ranges` around one tasklet with one expression per output
/// (ranges empty: a lone tasklet). Outer memlets move whole arrays; `after` nodes are
/// ordered before the map with empty memlets. Returns the tasklet.
ir::NodeId addMappedTasklet(ir::Graph& graph, ir::State& state, const std::string& label,
                            std::vector<std::string> params, const std::string& ranges,
                            const std::vector<Port>& inputs, const std::vector<Port>& outputs,
                            const std::vector<ir::Expr>& exprs,
                            const std::vector<ir::NodeId>& after = {});

/// Shorthands for f32 / i64 references and constants.
ir::Expr f32(const std::string& name);
ir::Expr i64(const std::string& name);
ir::Expr f32c(double value);
ir::Expr i64c(int64_t value);

/// The largest |a - b| / max(1, |b|) over two f32 tensors of one shape (infinity otherwise).
double maxRelativeError(const ir::Tensor& a, const ir::Tensor& b);

}  // namespace conflux::testing::reference
