#include "targets/cpu/dense_write.h"

#include <algorithm>

namespace conflux::targets::cpu {

std::vector<std::string> DenseWrite::params() const {
  std::vector<std::string> names;
  for (const std::vector<Digit>& dim : digits)
    for (const Digit& d : dim) names.push_back(d.param);
  return names;
}

std::string DenseWrite::soleParam(size_t k) const { return digits[k].size() == 1 ? digits[k].front().param : ""; }

bool DenseWrite::unmerged() const {
  return std::all_of(digits.begin(), digits.end(), [](const std::vector<Digit>& d) { return d.size() <= 1; });
}

namespace {

/// The digits of one write index over `map`, innermost first, or nothing when the parameters
/// are no mixed-radix number (each coefficient the product of the extents inside it).
std::optional<std::vector<Digit>> digitsOf(const ir::AffineExpr& index, const ir::Map& map) {
  std::vector<Digit> digits;
  for (const auto& [name, coefficient] : index.terms()) {
    auto it = std::find(map.params.begin(), map.params.end(), name);
    if (it == map.params.end()) return std::nullopt;
    const ir::Range& range = map.ranges.ranges[static_cast<size_t>(it - map.params.begin())];
    std::optional<int64_t> end = range.end.constantValue();
    if (!(range.begin == ir::AffineExpr(0)) || !end || range.step != 1) return std::nullopt;
    digits.push_back({name, coefficient, *end + 1});
  }
  // A parameter of extent 1 is always 0 and contributes no digit to the radix.
  std::sort(digits.begin(), digits.end(), [](const Digit& a, const Digit& b) {
    return std::pair(a.extent > 1, a.coefficient) < std::pair(b.extent > 1, b.coefficient);
  });
  int64_t radix = 1;
  for (const Digit& d : digits) {
    if (d.extent == 1) continue;
    if (d.coefficient != radix) return std::nullopt;
    radix *= d.extent;
  }
  return digits;
}

}  // namespace

std::optional<DenseWrite> denseWrite(const ir::Subset& write, const ir::Map& map, const std::vector<int64_t>& shape) {
  DenseWrite dense;
  std::vector<std::string> seen;
  for (size_t k = 0; k < write.rank(); ++k) {
    const ir::Range& r = write.ranges[k];
    if (!(r.begin == r.end)) return std::nullopt;
    std::optional<std::vector<Digit>> digits = digitsOf(r.begin, map);
    if (!digits || (digits->empty() && shape[k] != 1)) return std::nullopt;
    int64_t extent = 1;
    for (const Digit& d : *digits) {
      if (std::count(seen.begin(), seen.end(), d.param)) return std::nullopt;
      seen.push_back(d.param);
      extent *= d.extent;
    }
    int64_t offset = r.begin.constant();
    if (offset < 0 || offset + extent > shape[k]) return std::nullopt;
    dense.digits.push_back(*digits);
    dense.offsets.push_back(offset);
    dense.extents.push_back(extent);
  }
  return dense;
}

std::map<std::string, Halide::Expr> paramsAt(const DenseWrite& write, const std::vector<Halide::Var>& rowMajorVars) {
  std::map<std::string, Halide::Expr> params;
  for (size_t k = 0; k < write.digits.size(); ++k) {
    Halide::Expr index = rowMajorVars[k] - static_cast<int32_t>(write.offsets[k]);
    for (const Digit& d : write.digits[k]) {
      Halide::Expr digit = d.coefficient == 1 ? index : index / static_cast<int32_t>(d.coefficient);
      if (d.extent == 1) {
        params[d.param] = 0;
      } else {
        params[d.param] = d.coefficient * d.extent == write.extents[k] ? digit : digit % static_cast<int32_t>(d.extent);
      }
    }
  }
  return params;
}

}  // namespace conflux::targets::cpu
