#include "targets/reference/linear_form.h"

#include <algorithm>

#include "ir/error.h"

namespace conflux::targets::reference {

std::optional<int> NameScope::find(const std::string& name) const {
  for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it)
    if (it->first == name) return it->second;
  return std::nullopt;
}

LinearForm LinearForm::of(const ir::AffineExpr& expr, const NameScope& names,
                          const std::string& where) {
  LinearForm form(expr.constant());
  for (const auto& [name, c] : expr.terms()) {
    std::optional<int> slot = names.find(name);
    if (!slot)
      throw Error(where + ": '" + expr.toString() + "' uses '" + name +
                  "', which is no map parameter or symbol in scope");
    LinearForm term;
    term.terms_.push_back({*slot, c});
    form = form + term;
  }
  return form;
}

int64_t LinearForm::coefficient(int slot) const {
  for (const auto& [s, c] : terms_)
    if (s == slot) return c;
  return 0;
}

std::pair<int64_t, int64_t> LinearForm::bounds(const int64_t* env,
                                               const std::vector<SlotRange>& box) const {
  int64_t lo = constant_, hi = constant_;
  for (const auto& [slot, c] : terms_) {
    auto range = std::find_if(box.begin(), box.end(), [&](const SlotRange& r) { return r.slot == slot; });
    if (range == box.end()) {
      lo += c * env[slot];
      hi += c * env[slot];
      continue;
    }
    int64_t a = c * range->first, b = c * range->last;
    lo += std::min(a, b);
    hi += std::max(a, b);
  }
  return {lo, hi};
}

LinearForm LinearForm::operator+(const LinearForm& other) const {
  LinearForm sum = *this;
  sum.constant_ += other.constant_;
  for (const auto& [slot, c] : other.terms_) {
    auto it = std::find_if(sum.terms_.begin(), sum.terms_.end(),
                           [&](const auto& t) { return t.first == slot; });
    if (it == sum.terms_.end()) sum.terms_.push_back({slot, c});
    else it->second += c;
  }
  std::erase_if(sum.terms_, [](const auto& t) { return t.second == 0; });
  return sum;
}

LinearForm LinearForm::operator*(int64_t factor) const {
  if (factor == 0) return LinearForm(0);
  LinearForm product = *this;
  product.constant_ *= factor;
  for (auto& term : product.terms_) term.second *= factor;
  return product;
}

}  // namespace conflux::targets::reference
