#pragma once
// Where a kernel reads an array from: an image parameter of the program's pipeline library,
// bound to the array's storage placed at compile time (the program's arena) or, for a graph
// input, to the caller's tensor at each run, so inputs (weights of .noweights models included)
// are read in place instead of copied. A cache-local array has no storage: its reader computes
// its values (its producers' functions) per tile.
#include <Halide.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "passes/constant_border.h"

namespace conflux::targets::cpu {

/// One array as kernels see it.
class ArraySource {
 public:
  /// What kernels may assume of the array's values.
  enum class Kind {
    Stored,    // storage fixed at compile time, written by kernels
    Constant,  // storage fixed at compile time, values fixed at load (an initializer)
    Input,     // a graph input: storage rebound at each run, never written
    Computed,  // cache-local: no storage, values computed where they are read
  };
  /// The elements at indices in Halide order (innermost dimension first).
  using Values = std::function<Halide::Expr(const std::vector<Halide::Expr>& indices)>;

  /// The array read through `param`, which is bound to `buffer`; a stored one may have a
  /// constant `border` (passes::constantBorders).
  ArraySource(Halide::ImageParam param, Halide::Buffer<> buffer, Kind kind,
              std::optional<passes::ConstantBorder> border = std::nullopt);
  /// A cache-local array whose elements are `values`; `shape` is a buffer without storage
  /// that has its shape and layout. Without values (a placeholder until its reader is
  /// lowered), reading it throws InternalError.
  ArraySource(Values values, Halide::Buffer<> shape);

  /// The element at `indices` (Halide order: innermost dimension first).
  Halide::Expr operator()(const std::vector<Halide::Expr>& indices) const;
  /// The storage of an array placed at compile time (for a cache-local array, a buffer of its
  /// shape without storage); throws conflux::Error naming `what` for a graph input.
  const Halide::Buffer<>& buffer(const std::string& what) const;
  /// True for an array no kernel writes and no run rebinds.
  bool isConstant() const { return kind_ == Kind::Constant; }
  /// The value every element outside a box holds, where kernels that run once at load wrote it.
  const std::optional<passes::ConstantBorder>& border() const { return border_; }

 private:
  Halide::ImageParam param_;
  Values values_;
  Halide::Buffer<> buffer_;
  Kind kind_;
  std::optional<passes::ConstantBorder> border_;
};

/// The source of each array, by name.
using ArrayLookup = std::function<ArraySource(const std::string& array)>;

}  // namespace conflux::targets::cpu
