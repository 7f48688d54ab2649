#include "targets/cpu/packed_operand.h"

#include <algorithm>
#include <optional>

#include "ir/error.h"
#include "targets/cpu/module_key.h"

namespace conflux::targets::cpu {

PackedOperand::PackedOperand(const ArraySource& source, Halide::Type type,
                             const std::vector<int64_t>& shape, const ir::Layout& layout,
                             size_t inner, int panel, bool padded, const std::vector<size_t>& nesting,
                             const std::string& name, PipelineLibrary& library, int lanes)
    : packedDim_(shape.size() - 1 - inner), once_(source.isConstant()) {
  size_t rank = shape.size();
  auto extent = [&](size_t halideDim) { return shape[rank - 1 - halideDim]; };
  // A padded panel's columns past the end stay zero: only a constant's copy, filled by
  // intersection with its source, may have them.
  const int64_t columns = extent(packedDim_);
  CONFLUX_ASSERT(!padded || (once_ && columns < panel), name + ": only a constant narrower than its panel is padded");
  panel_ = columns % panel == 0 || padded ? panel : static_cast<int>(columns);
  const int64_t panels = (columns + panel_ - 1) / panel_;

  // Buffer dimensions, innermost first: the panel column, the other dimensions in Halide order,
  // the panel. Strides: the column, the others in the order of `nesting`, the panel.
  std::vector<halide_dimension_t> dims(rank + 1);
  auto storedDim = [&](size_t logical) {  // the buffer dimension of a logical dimension but `inner`
    size_t halideDim = rank - 1 - logical;
    return halideDim < packedDim_ ? halideDim + 1 : halideDim;
  };
  int32_t stride = 1;
  auto place = [&](size_t d, int64_t e) {
    dims[d] = halide_dimension_t(0, static_cast<int32_t>(e), stride);
    stride *= static_cast<int32_t>(e);
  };
  place(0, panel_);
  for (size_t logical : nesting) place(storedDim(logical), shape[logical]);
  place(rank, panels);
  storage_.resize(static_cast<size_t>(stride) * static_cast<size_t>(type.bytes()));
  buffer_ = Halide::Buffer<>(type, storage_.data(), static_cast<int>(dims.size()), dims.data());
  param_ = library.bind(name, buffer_);

  if (once_) {
    // Filled once, at load: an element-wise host copy from a view of the source split like the
    // copy, rather than a pipeline compiled (about a second each) to run once.
    const halide_buffer_t* raw = source.buffer(name).raw_buffer();
    std::vector<halide_dimension_t> split;
    halide_dimension_t packed = raw->dim[packedDim_];
    split.push_back(halide_dimension_t(0, std::min<int32_t>(panel_, packed.extent), packed.stride));
    for (size_t k = 0; k < rank; ++k)
      if (k != packedDim_) split.push_back(raw->dim[k]);
    split.push_back(halide_dimension_t(0, static_cast<int32_t>(panels), packed.stride * panel_));
    constantSource_ =
        Halide::Buffer<>(type, raw->host, static_cast<int>(split.size()), split.data());
    return;
  }
  addPackPipeline(source, shape, layout, name, library, lanes);
}

void PackedOperand::addPackPipeline(const ArraySource& source, const std::vector<int64_t>& shape,
                                    const ir::Layout& layout, const std::string& name,
                                    PipelineLibrary& library, int lanes) {
  size_t rank = shape.size();
  auto extent = [&](size_t halideDim) { return shape[rank - 1 - halideDim]; };
  // Stored dimensions, innermost first: the panel column, the others, the panel.
  Halide::Var column(name + "_column"), which(name + "_panel");
  std::vector<Halide::Var> others;
  std::vector<Halide::Expr> index;  // of the source, Halide order
  for (size_t k = 0; k < rank; ++k) {
    if (k == packedDim_) {
      index.push_back(which * panel_ + column);
      continue;
    }
    others.emplace_back(name + "_v" + std::to_string(k));
    index.push_back(others.back());
  }
  std::vector<Halide::Var> stored{column};
  stored.insert(stored.end(), others.begin(), others.end());
  stored.push_back(which);
  Halide::Func packed(uniqueFuncName(name + "_fill"));
  packed(stored) = source(index);
  // A transpose in blocks of lanes x lanes: vector stores along the panel column, and the loads
  // of a block touch `lanes` cache lines of the source's contiguous dimension (the other one of
  // smallest stride with more than one element), each used `lanes` times.
  const Halide::TailStrategy guard = Halide::TailStrategy::GuardWithIf;
  std::vector<int64_t> strides = layout.strides(shape);
  std::optional<size_t> contiguous;
  int64_t smallest = 0;
  for (size_t k = 0, j = 0; k < rank; ++k)
    if (k != packedDim_) {
      int64_t stride = strides[rank - 1 - k];
      if (extent(k) > 1 && (!contiguous || stride < smallest)) {
        contiguous = j;
        smallest = stride;
      }
      ++j;
    }
  int vector = std::min(lanes, panel_);
  if (contiguous) {
    Halide::Var xo, yo, xi, yi;
    packed.tile(column, others[*contiguous], xo, yo, xi, yi, vector, lanes, guard);
    std::vector<Halide::VarOrRVar> blocked{xi, yi, xo, yo};
    for (size_t j = 0; j < others.size(); ++j)
      if (j != *contiguous) blocked.emplace_back(others[j]);
    blocked.emplace_back(which);
    packed.reorder(blocked).vectorize(xi).unroll(yi).parallel(which);
  } else {
    packed.vectorize(column, vector, guard).parallel(which);
  }
  pipeline_ = library.add(Halide::Pipeline(packed), buffer_, name);
}

Halide::Expr PackedOperand::operator()(const std::vector<Halide::Expr>& indices) const {
  std::vector<Halide::Expr> stored{indices[packedDim_] % panel_};
  for (size_t k = 0; k < indices.size(); ++k)
    if (k != packedDim_) stored.push_back(indices[k]);
  stored.push_back(indices[packedDim_] / panel_);
  return param_(stored);
}

void PackedOperand::fill() {
  if (constantSource_) {
    buffer_.copy_from(*constantSource_);
  } else {
    pipeline_->run();
  }
}

}  // namespace conflux::targets::cpu
