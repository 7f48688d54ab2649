#include "passes/expansions/window.h"

#include <string>

namespace conflux::passes::expansions {

namespace {

std::vector<int64_t> orDefault(const std::vector<int64_t>& v, size_t n, int64_t value) {
  return v.empty() ? std::vector<int64_t>(n, value) : v;
}

}  // namespace

Window resolveWindow(const Builder& b, std::vector<int64_t> kernel,
                     const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
                     const std::vector<int64_t>& pads) {
  Window w;
  size_t rank = b.shape("in0").size();
  if (rank < 3) b.fail("expects an input of rank >= 3 (N, C, spatial...)");
  w.spatial = rank - 2;
  w.kernel = std::move(kernel);
  w.strides = orDefault(strides, w.spatial, 1);
  w.dilations = orDefault(dilations, w.spatial, 1);
  std::vector<int64_t> p = orDefault(pads, 2 * w.spatial, 0);
  if (w.kernel.size() != w.spatial || w.strides.size() != w.spatial ||
      w.dilations.size() != w.spatial || p.size() != 2 * w.spatial)
    b.fail("window attributes do not match " + std::to_string(w.spatial) + " spatial dimensions");
  for (size_t d = 0; d < w.spatial; ++d)
    if (w.kernel[d] < 1 || w.strides[d] < 1 || w.dilations[d] < 1)
      b.fail("kernel sizes, strides and dilations must be positive");
  auto mid = p.begin() + static_cast<std::ptrdiff_t>(w.spatial);
  w.padBegin.assign(p.begin(), mid);
  w.padEnd.assign(mid, p.end());
  return w;
}

}  // namespace conflux::passes::expansions
