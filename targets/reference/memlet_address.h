#pragma once
// Memlet addressing: how a memlet's subset maps to element offsets in its array's buffer.
// Arrays are held in logical row-major order whatever their declared layout (a layout is a
// physical choice that does not change values), so the start of an affine subset is one linear
// form over the env slots: base offset + per-parameter strides, computed once per compile.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/memlet.h"
#include "ir/tensor.h"
#include "targets/reference/linear_form.h"

namespace conflux::targets::reference {

/// The storage of one graph run: one tensor per array, shared by all its access nodes.
using Buffers = std::map<std::string, ir::Tensor>;

/// A concrete strided region of an array: begin, step and count per dimension.
struct Box {
  std::vector<int64_t> begin;
  std::vector<int64_t> step;
  std::vector<int64_t> count;

  /// The whole of an array of `shape`.
  static Box whole(const std::vector<int64_t>& shape);
  int64_t numElements() const;
};

/// The addressing of one memlet, resolved in the scope of the edge that carries it.
class MemletAddress {
 public:
  /// Resolves `memlet` against its array's buffer in `buffers` and the names in scope; throws
  /// conflux::Error prefixed with `where` when the array is unknown or a name unbound.
  MemletAddress(const ir::Memlet& memlet, Buffers& buffers, const NameScope& names,
                const std::string& where);

  const std::string& array() const { return array_; }
  ir::Tensor& buffer() const { return *buffer_; }
  ir::Wcr wcr() const { return wcr_; }
  size_t rank() const { return begin_.size(); }

  /// Element offset of the subset's start.
  const LinearForm& offset() const { return offset_; }
  /// Change of offset() per unit of `slot`.
  int64_t strideOf(int slot) const { return offset_.coefficient(slot); }
  /// Elements between consecutive indices of dimension `d` of the subset (array stride * step).
  int64_t elementStride(size_t d) const { return strides_[d] * step_[d]; }
  /// Number of indices of dimension `d`: (end - begin) / step + 1, or 0 when end < begin.
  int64_t extent(size_t d, const int64_t* env) const;
  /// Whether some dimension's extent changes with `slot`.
  bool extentDependsOn(int slot) const;

  /// Throws conflux::Error prefixed with `where` unless the subset's start (with `wholeSubset`
  /// also its end) lies inside the array for every point of `box` (other slots from `env`).
  void checkBounds(const int64_t* env, const std::vector<SlotRange>& box, bool wholeSubset,
                   const std::string& where) const;
  /// The concrete region at `env`.
  Box box(const int64_t* env) const;

 private:
  std::string array_;
  std::string text_;  // the memlet, for messages
  ir::Tensor* buffer_ = nullptr;
  ir::Wcr wcr_ = ir::Wcr::None;
  std::vector<LinearForm> begin_;
  std::vector<LinearForm> end_;
  std::vector<int64_t> step_;
  std::vector<int64_t> strides_;
  LinearForm offset_;
};

/// Row-major element strides of `shape`.
std::vector<int64_t> rowMajorStrides(const std::vector<int64_t>& shape);

}  // namespace conflux::targets::reference
