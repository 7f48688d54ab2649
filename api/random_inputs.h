#pragma once
// The documented generator behind `conflux run --seed S`.
#include <cstdint>
#include <map>
#include <string>

#include "ir/graph.h"
#include "ir/tensor.h"

namespace conflux::api {

/// Draws every graph input not in `given`, in Graph::inputs() order, from one std::mt19937_64
/// seeded with `seed`: each element takes the next 64-bit draw r and u = (r >> 11) * 2^-53,
/// a uniform double in [0, 1); floats get 2u - 1 (uniform in [-1, 1)), integers
/// floor(2u - 1) (so -1 or 0), bools u >= 0.5. Inputs in `given` are kept and draw nothing.
std::map<std::string, ir::Tensor> randomInputs(const ir::Graph& graph, uint64_t seed,
                                               std::map<std::string, ir::Tensor> given = {});

}  // namespace conflux::api
