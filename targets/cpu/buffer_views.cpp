#include "targets/cpu/buffer_views.h"

namespace conflux::targets::cpu {

Halide::Buffer<> boxView(const Halide::Buffer<>& buffer, const std::vector<int64_t>& offsets,
                         const std::vector<int64_t>& extents) {
  const halide_buffer_t* raw = buffer.raw_buffer();
  std::vector<halide_dimension_t> dims(raw->dim, raw->dim + raw->dimensions);
  auto* host = raw->host;
  size_t rank = offsets.size();
  for (size_t k = 0; k < rank; ++k) {
    halide_dimension_t& d = dims[rank - 1 - k];
    host += static_cast<int64_t>(d.stride) * (offsets[k] - d.min) * buffer.type().bytes();
    d.min = static_cast<int32_t>(offsets[k]);
    d.extent = static_cast<int32_t>(extents[k]);
  }
  return Halide::Buffer<>(buffer.type(), host, static_cast<int>(dims.size()), dims.data());
}

Halide::Buffer<> memoryOrderView(const Halide::Buffer<>& buffer, const std::vector<int>& order) {
  const halide_buffer_t* raw = buffer.raw_buffer();
  size_t rank = order.size();
  std::vector<halide_dimension_t> dims;
  for (size_t j = 0; j < rank; ++j)
    dims.push_back(raw->dim[rank - 1 - static_cast<size_t>(order[rank - 1 - j])]);
  return Halide::Buffer<>(buffer.type(), raw->host, static_cast<int>(rank), dims.data());
}

void placeOutput(Halide::Func f, const Halide::Buffer<>& buffer) {
  for (int k = 0; k < buffer.dimensions(); ++k)
    f.output_buffer().dim(k).set_bounds(buffer.dim(k).min(), buffer.dim(k).extent()).set_stride(buffer.dim(k).stride());
}

}  // namespace conflux::targets::cpu
