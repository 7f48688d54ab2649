#include "ir/affine_expr.h"

#include <cctype>

#include "ir/error.h"

namespace conflux::ir {

AffineExpr AffineExpr::symbol(const std::string& name, int64_t coefficient) {
  AffineExpr e;
  if (coefficient != 0) e.terms_[name] = coefficient;
  return e;
}

int64_t AffineExpr::coefficient(const std::string& name) const {
  auto it = terms_.find(name);
  return it == terms_.end() ? 0 : it->second;
}

std::optional<int64_t> AffineExpr::constantValue() const {
  if (!isConstant()) return std::nullopt;
  return constant_;
}

AffineExpr AffineExpr::operator+(const AffineExpr& other) const {
  AffineExpr sum = *this;
  sum.constant_ += other.constant_;
  for (const auto& [name, c] : other.terms_) {
    int64_t& slot = sum.terms_[name];
    slot += c;
    if (slot == 0) sum.terms_.erase(name);
  }
  return sum;
}

AffineExpr AffineExpr::operator-(const AffineExpr& other) const { return *this + (-other); }

AffineExpr AffineExpr::operator*(int64_t factor) const {
  if (factor == 0) return AffineExpr(0);
  AffineExpr product = *this;
  product.constant_ *= factor;
  for (auto& [name, c] : product.terms_) c *= factor;
  return product;
}

AffineExpr AffineExpr::substitute(const std::string& name, const AffineExpr& value) const {
  int64_t c = coefficient(name);
  if (c == 0) return *this;
  AffineExpr rest = *this;
  rest.terms_.erase(name);
  return rest + value * c;
}

int64_t AffineExpr::evaluate(const std::map<std::string, int64_t>& values) const {
  int64_t result = constant_;
  for (const auto& [name, c] : terms_) {
    auto it = values.find(name);
    if (it == values.end()) throw Error("unbound symbol '" + name + "' in '" + toString() + "'");
    result += c * it->second;
  }
  return result;
}

std::string AffineExpr::toString() const {
  std::string out;
  for (const auto& [name, c] : terms_) {
    if (out.empty()) {
      if (c == -1) out += "-";
      else if (c != 1) out += std::to_string(c) + "*";
    } else {
      out += c < 0 ? " - " : " + ";
      int64_t magnitude = c < 0 ? -c : c;
      if (magnitude != 1) out += std::to_string(magnitude) + "*";
    }
    out += name;
  }
  if (out.empty()) return std::to_string(constant_);
  if (constant_ > 0) out += " + " + std::to_string(constant_);
  if (constant_ < 0) out += " - " + std::to_string(-constant_);
  return out;
}

namespace {

/// Recursive-descent parser for sums of products of integers, symbols and parentheses.
class AffineParser {
 public:
  explicit AffineParser(std::string_view text) : text_(text) {}

  AffineExpr parseAll() {
    AffineExpr e = parseSum();
    skipSpace();
    if (pos_ != text_.size()) fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return e;
  }

 private:
  AffineExpr parseSum() {
    AffineExpr e = parseProduct();
    for (;;) {
      skipSpace();
      if (accept('+')) e = e + parseProduct();
      else if (accept('-')) e = e - parseProduct();
      else return e;
    }
  }

  AffineExpr parseProduct() {
    AffineExpr e = parseFactor();
    for (;;) {
      skipSpace();
      if (!accept('*')) return e;
      AffineExpr rhs = parseFactor();
      if (auto c = rhs.constantValue()) e = e * *c;
      else if (auto c2 = e.constantValue()) e = rhs * *c2;
      else fail("product of two symbols is not affine");
    }
  }

  AffineExpr parseFactor() {
    skipSpace();
    if (accept('-')) return -parseFactor();
    if (accept('(')) {
      AffineExpr e = parseSum();
      skipSpace();
      if (!accept(')')) fail("expected ')'");
      return e;
    }
    if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      int64_t value = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))
        value = value * 10 + (text_[pos_++] - '0');
      return AffineExpr(value);
    }
    if (pos_ < text_.size() && isIdentStart(text_[pos_])) {
      size_t start = pos_;
      while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
      return AffineExpr::symbol(std::string(text_.substr(start, pos_ - start)));
    }
    fail("expected a number, a symbol or '('");
  }

  static bool isIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error("bad affine expression '" + std::string(text_) + "' at offset " +
                std::to_string(pos_) + ": " + why);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

AffineExpr AffineExpr::parse(std::string_view text) { return AffineParser(text).parseAll(); }

}  // namespace conflux::ir
