#pragma once
// The values a tasklet reads, as Halide expressions: elements of arrays at its memlets'
// indices, packed copies a tile reads instead, register values of the kernel (accumulators and
// per-row statistics), and regions it loads indirectly (Gather).
#include <Halide.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "targets/cpu/array_source.h"
#include "targets/cpu/halide_expr.h"

namespace conflux::targets::cpu {

/// Element `rowMajor` of an array (Halide's dimension 0 is the innermost, our last).
Halide::Expr element(const ArraySource& array, std::vector<Halide::Expr> rowMajor, ir::DType dtype);

/// Packs an operand read (a single element at `indices`) into a copy that a tile reads
/// contiguously, or returns nothing to read the buffer itself.
using PackRead =
    std::function<std::optional<Halide::Expr>(const ir::Memlet&, const std::vector<Halide::Expr>& indices)>;

/// The values the tasklet `tasklet` names: `params`, and its input connectors — the value in
/// `registers` for a register array (by array name), else the array's element at the memlet's
/// index (or what `pack` returns), or a region read through Load. `where` names the kernel in
/// errors.
ExprScope bindInputs(const ir::Graph& graph, const ir::State& state, ir::NodeId tasklet,
                     const std::map<std::string, Halide::Expr>& params, const ArrayLookup& arrays,
                     const PackRead& pack, const std::map<std::string, Halide::Expr>& registers,
                     const std::string& where);

/// The first output expression named `conn` of a tasklet (the only one when `conn` is empty).
const ir::Expr& outputExpr(const ir::State& state, ir::NodeId tasklet, const std::string& conn);

/// The value of `type` that combining by `wcr` leaves unchanged (-inf for max, 0 for sum).
Halide::Expr identityOf(ir::Wcr wcr, Halide::Type type);

/// `acc` combined with `x` by the write-conflict resolution `wcr`, as the reference target
/// combines them (NaN-propagating max and min; or and and for booleans).
Halide::Expr combine(ir::Wcr wcr, const Halide::Expr& acc, const Halide::Expr& x);

}  // namespace conflux::targets::cpu
