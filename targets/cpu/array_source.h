#pragma once
// Where a kernel reads an array from: storage placed at compile time (the program's arena), or,
// for a graph input, an image parameter bound to the caller's tensor at each run, so inputs
// (weights of .noweights models included) are read in place instead of copied.
#include <Halide.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace conflux::targets::cpu {

/// One array as kernels see it.
class ArraySource {
 public:
  /// An array in storage fixed at compile time.
  static ArraySource stored(Halide::Buffer<> buffer);
  /// An array in storage fixed at compile time whose values are fixed at load (an initializer).
  static ArraySource constant(Halide::Buffer<> buffer);
  /// An array bound at run time (its shape and strides are fixed in `param`).
  static ArraySource parameter(Halide::ImageParam param);

  /// The element at `indices` (Halide order: innermost dimension first).
  Halide::Expr operator()(const std::vector<Halide::Expr>& indices) const;
  /// The storage of a stored array; throws conflux::Error naming `what` for a parameter.
  const Halide::Buffer<>& buffer(const std::string& what) const;
  /// True for an array no kernel writes and no run rebinds.
  bool isConstant() const { return constant_; }

 private:
  std::optional<Halide::Buffer<>> buffer_;
  std::optional<Halide::ImageParam> param_;
  bool constant_ = false;
};

/// The source of each array, by name.
using ArrayLookup = std::function<ArraySource(const std::string& array)>;

}  // namespace conflux::targets::cpu
