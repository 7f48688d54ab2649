#pragma once
// Integer affine expressions over named symbols (map parameters): c0 + c1*i + c2*j + ...
// They describe map ranges and memlet subsets, and translate exactly into ISL.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace conflux::ir {

/// An affine integer expression: a constant plus integer multiples of symbols.
/// Terms are kept sorted by symbol and never hold a zero coefficient, so equal expressions
/// compare equal and print identically.
class AffineExpr {
 public:
  AffineExpr() = default;
  /// The constant `value`.
  AffineExpr(int64_t value) : constant_(value) {}  // NOLINT: implicit on purpose
  /// `coefficient * symbol`.
  static AffineExpr symbol(const std::string& name, int64_t coefficient = 1);

  /// Parses text such as "2*i + k - 1"; throws conflux::Error on non-affine or bad text.
  static AffineExpr parse(std::string_view text);

  int64_t constant() const { return constant_; }
  const std::map<std::string, int64_t>& terms() const { return terms_; }
  /// The coefficient of `name` (0 when absent).
  int64_t coefficient(const std::string& name) const;
  /// True when the expression has no symbols.
  bool isConstant() const { return terms_.empty(); }
  /// The value when constant, nothing otherwise.
  std::optional<int64_t> constantValue() const;

  /// Replaces `name` by `value` (an expression).
  AffineExpr substitute(const std::string& name, const AffineExpr& value) const;
  /// Evaluates with the given symbol values; throws conflux::Error on an unbound symbol.
  int64_t evaluate(const std::map<std::string, int64_t>& values) const;

  /// Canonical text: terms in symbol order, then the constant ("2*i + k - 1").
  std::string toString() const;

  AffineExpr operator+(const AffineExpr& other) const;
  AffineExpr operator-(const AffineExpr& other) const;
  AffineExpr operator*(int64_t factor) const;
  AffineExpr operator-() const { return *this * -1; }
  bool operator==(const AffineExpr&) const = default;

 private:
  int64_t constant_ = 0;
  std::map<std::string, int64_t> terms_;
};

}  // namespace conflux::ir
