#pragma once
// Dense writes: a kernel whose iterations write distinct elements that fill a box of its output
// (all of it, or one piece of a Concat) can be computed as a pure function of the output index.
// The write index of each dimension is a mixed-radix number of map parameters (a reshape that
// merges dimensions writes y[i, 64*h + d]), or a constant for a dimension of extent 1.
#include <Halide.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/node.h"

namespace conflux::targets::cpu {

/// One digit of a mixed-radix index: `param` (ranging over 0..extent-1) times `coefficient`.
struct Digit {
  std::string param;
  int64_t coefficient = 1;
  int64_t extent = 1;
};

/// A dense write: index k is offsets[k] + Σ digit.coefficient * digit.param over digits[k]
/// (innermost digit first; none for a constant index), filling extents[k] elements.
struct DenseWrite {
  std::vector<std::vector<Digit>> digits;
  std::vector<int64_t> offsets;
  std::vector<int64_t> extents;

  /// Every parameter the write names.
  std::vector<std::string> params() const;
  /// The parameter of dimension k when it is the only digit there, else "".
  std::string soleParam(size_t k) const;
  /// True when every dimension is one parameter or a constant.
  bool unmerged() const;
};

/// The dense form of `write` by the iterations of `map` into an array of `shape`, or nothing
/// when the iterations do not write distinct elements filling a box.
std::optional<DenseWrite> denseWrite(const ir::Subset& write, const ir::Map& map, const std::vector<int64_t>& shape);

/// Each parameter of a dense write as an expression of the output index `rowMajorVars` (one
/// variable per dimension, outermost first): its digit of the index.
std::map<std::string, Halide::Expr> paramsAt(const DenseWrite& write, const std::vector<Halide::Var>& rowMajorVars);

}  // namespace conflux::targets::cpu
