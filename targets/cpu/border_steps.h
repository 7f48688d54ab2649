#pragma once
// Reduction steps that read a constant border (passes/constant_border.h): where the border's
// value makes a step's contribution the reduction's identity — a convolution's taps on its zero
// padding, a max pooling's on its -inf one — the steps that read it are skipped, as a
// condition on the reduction domain.
#include <Halide.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/memlet.h"
#include "targets/cpu/array_source.h"

namespace conflux::targets::cpu {

/// The condition under which a step of a reduction by `wcr` (of values of `type`) of `tasklet`
/// (its output `conn`, "" for the first) changes the result, or nothing when every step may:
/// each read of an array with a constant border, the array's only read, whose value is the
/// identity when that read gives the border's value, must lie inside the border's box. Only
/// dimensions whose index moves with a reduction parameter and with none of `innerParams` (the
/// output parameters unrolled or vectorised inside the reduction's loops; a window unrolled in
/// a tile moves with its rows' parameter) are bounded, so that Halide places the condition
/// outside those loops: a 3x3 convolution tiled along its output columns skips the window rows
/// above and below the image, not the columns beside it. `params` gives each map parameter as a
/// Halide expression; `where` names the kernel in errors.
std::optional<Halide::Expr> stepsInsideBorders(const ir::Graph& graph, const ir::State& state, ir::NodeId tasklet,
                                               const std::string& conn, ir::Wcr wcr, Halide::Type type,
                                               const std::map<std::string, Halide::Expr>& params,
                                               const std::vector<std::string>& reductionParams,
                                               const std::vector<std::string>& innerParams,
                                               const ArrayLookup& arrays, const std::string& where);

}  // namespace conflux::targets::cpu
