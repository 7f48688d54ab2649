#pragma once
// Affine integer expressions resolved against the interpreter's environment: every map
// parameter and interstate symbol lives in a numbered slot of one int64 array (the env), and
// an ir::AffineExpr becomes constant + sum(coefficient * env[slot]), cheap to evaluate per
// batch.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/affine_expr.h"

namespace conflux::targets::reference {

/// Resolves names (map parameters, interstate symbols) to env slots. Later bindings shadow
/// earlier ones, so binding symbols first and then maps from outermost to innermost gives the
/// scoping of the IR.
class NameScope {
 public:
  /// Binds `name` to `slot`.
  void bind(const std::string& name, int slot) { bindings_.emplace_back(name, slot); }
  /// The slot of `name`, nothing when unbound.
  std::optional<int> find(const std::string& name) const;

 private:
  std::vector<std::pair<std::string, int>> bindings_;
};

/// The values slot `slot` takes over one map execution: first..last inclusive.
struct SlotRange {
  int slot = 0;
  int64_t first = 0;
  int64_t last = 0;
};

/// constant + sum(coefficient * env[slot]).
class LinearForm {
 public:
  LinearForm() = default;
  explicit LinearForm(int64_t constant) : constant_(constant) {}
  /// Resolves `expr` in `names`; throws conflux::Error prefixed with `where` on an unbound name.
  static LinearForm of(const ir::AffineExpr& expr, const NameScope& names, const std::string& where);

  int64_t eval(const int64_t* env) const {
    int64_t value = constant_;
    for (const auto& [slot, c] : terms_) value += c * env[slot];
    return value;
  }
  /// The coefficient of `slot` (0 when absent).
  int64_t coefficient(int slot) const;
  /// The smallest and largest value when the slots of `box` range over their values and all
  /// other slots hold their env values.
  std::pair<int64_t, int64_t> bounds(const int64_t* env, const std::vector<SlotRange>& box) const;

  LinearForm operator+(const LinearForm& other) const;
  LinearForm operator*(int64_t factor) const;

 private:
  int64_t constant_ = 0;
  std::vector<std::pair<int, int64_t>> terms_;  // (slot, coefficient), no zero coefficients
};

}  // namespace conflux::targets::reference
