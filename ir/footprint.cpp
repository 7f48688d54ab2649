#include "ir/footprint.h"

#include <isl/aff.h>
#include <isl/ctx.h>
#include <isl/set.h>
#include <isl/val.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <numeric>
#include <set>
#include <string>

#include "ir/error.h"

namespace conflux::ir {
namespace {

/// One ISL context per thread, freed at thread exit.
isl_ctx* islContext() {
  struct Holder {
    isl_ctx* ctx = isl_ctx_alloc();
    ~Holder() { isl_ctx_free(ctx); }
  };
  thread_local Holder holder;
  return holder.ctx;
}

/// Owns one isl_set.
class IslSet {
 public:
  explicit IslSet(isl_set* set) : set_(set) {
    CONFLUX_ASSERT(set_ != nullptr, "ISL rejected a generated set");
  }
  IslSet(const IslSet&) = delete;
  IslSet& operator=(const IslSet&) = delete;
  ~IslSet() { isl_set_free(set_); }
  isl_set* get() const { return set_; }
  isl_set* copy() const { return isl_set_copy(set_); }

 private:
  isl_set* set_;
};

int64_t toInt(isl_val* v) {
  CONFLUX_ASSERT(v && isl_val_is_int(v) == isl_bool_true, "ISL value is not an integer");
  int64_t result = isl_val_get_num_si(v);
  isl_val_free(v);
  return result;
}

/// Constraint text saying `var` takes the values of `range` (with `stepVar` for strides).
std::string rangeConstraint(const std::string& var, const Range& range,
                            const std::string& stepVar) {
  if (range.begin == range.end) return var + " = " + range.begin.toString();
  if (range.step == 1) return range.begin.toString() + " <= " + var + " <= " + range.end.toString();
  return var + " = " + range.begin.toString() + " + " + std::to_string(range.step) + "*" + stepVar +
         " and " + stepVar + " >= 0 and " + var + " <= " + range.end.toString();
}

/// Converts a single-piece ISL affine bound to an AffineExpr (nothing when it is not one).
std::optional<AffineExpr> toAffine(isl_pw_aff* bound) {
  if (isl_pw_aff_n_piece(bound) != 1 || isl_pw_aff_isa_aff(bound) != isl_bool_true) {
    isl_pw_aff_free(bound);
    return std::nullopt;
  }
  isl_aff* aff = isl_pw_aff_as_aff(bound);
  if (!aff) return std::nullopt;
  std::optional<AffineExpr> result;
  if (toInt(isl_aff_get_denominator_val(aff)) == 1) {
    AffineExpr e(toInt(isl_aff_get_constant_val(aff)));
    for (int i = 0, n = isl_aff_dim(aff, isl_dim_param); i < n; ++i) {
      int64_t c = toInt(isl_aff_get_coefficient_val(aff, isl_dim_param, i));
      if (c != 0) e = e + AffineExpr::symbol(isl_aff_get_dim_name(aff, isl_dim_param, i), c);
    }
    result = e;
  }
  isl_aff_free(aff);
  return result;
}

/// Interval bounds of an affine expression over the scopes' ranges (used when ISL's bound has
/// several pieces): substitutes each parameter by its extreme value, innermost scope first.
AffineExpr extreme(AffineExpr e, const std::vector<const Map*>& scopes, bool maximum) {
  for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
    const Map& map = **scope;
    for (size_t i = 0; i < map.params.size(); ++i) {
      int64_t c = e.coefficient(map.params[i]);
      if (c == 0) continue;
      bool useEnd = (c > 0) == maximum;
      const Range& r = map.ranges.ranges[i];
      e = e.substitute(map.params[i], useEnd ? r.end : r.begin);
    }
  }
  return e;
}

struct SetText {
  std::string text;
  std::set<std::string> freeSymbols;
};

/// Builds "[free] -> { [d0..] : exists(params : constraints) }" for the union of subsets.
SetText buildSetText(const std::vector<Subset>& subsets, const std::vector<const Map*>& scopes) {
  std::set<std::string> bound;
  std::string scopeVars;
  std::string scopeConstraints;
  std::set<std::string> used;
  int stepCounter = 0;
  for (const Map* map : scopes) {
    for (size_t i = 0; i < map->params.size(); ++i) {
      const std::string& p = map->params[i];
      const Range& r = map->ranges.ranges.at(i);
      std::string stepVar = "cfx_t" + std::to_string(stepCounter++);
      scopeVars += (scopeVars.empty() ? "" : ", ") + p + ", " + stepVar;
      scopeConstraints +=
          (scopeConstraints.empty() ? "" : " and ") + rangeConstraint(p, r, stepVar);
      for (const auto& [n, c] : r.begin.terms()) used.insert(n);
      for (const auto& [n, c] : r.end.terms()) used.insert(n);
      bound.insert(p);
    }
  }
  size_t rank = subsets.at(0).rank();
  std::string dims;
  for (size_t k = 0; k < rank; ++k) dims += (k ? ", " : "") + ("cfx_d" + std::to_string(k));
  std::string pieces;
  for (const Subset& s : subsets) {
    CONFLUX_ASSERT(s.rank() == rank, "footprint of subsets of different ranks");
    std::string vars = scopeVars;
    std::string constraints = scopeConstraints;
    for (size_t k = 0; k < rank; ++k) {
      std::string stepVar = "cfx_s" + std::to_string(stepCounter++);
      vars += (vars.empty() ? "" : ", ") + stepVar;
      constraints += (constraints.empty() ? "" : " and ") +
                     rangeConstraint("cfx_d" + std::to_string(k), s.ranges[k], stepVar);
    }
    for (const std::string& n : s.freeSymbols()) used.insert(n);
    if (constraints.empty()) constraints = "true";
    pieces += (pieces.empty() ? "" : "; ") +
              ("[" + dims + "] : exists (" + vars + " : " + constraints + ")");
  }
  SetText out;
  for (const std::string& n : used)
    if (!bound.count(n)) out.freeSymbols.insert(n);
  std::string params;
  for (const std::string& n : out.freeSymbols) params += (params.empty() ? "" : ", ") + n;
  out.text = "[" + params + "] -> { " + pieces + " }";
  return out;
}

/// One varying part of an index: `coefficient` times a counter over [0, count).
struct Term {
  int64_t coefficient;
  int64_t count;
};

/// The values `base` + Σ coefficient·counter of one index as a strided range and their number,
/// when they leave no gaps within the stride (3·kh + oh, 2·oh + kh); nothing otherwise.
std::optional<std::pair<Range, int64_t>> progression(int64_t base, std::vector<Term> terms) {
  int64_t lo = base, hi = base, stride = 0;
  for (const Term& t : terms) {
    int64_t span = t.coefficient * (t.count - 1);
    (span < 0 ? lo : hi) += span;
    stride = std::gcd(stride, std::abs(t.coefficient));
  }
  if (stride == 0) return std::make_pair(Range::point(AffineExpr(base)), int64_t{1});
  // In units of the stride, sorted by step: each step at most one past what the smaller ones
  // reach keeps the values contiguous.
  std::sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) {
    return std::abs(a.coefficient) < std::abs(b.coefficient);
  });
  int64_t reach = 0;
  for (const Term& t : terms) {
    int64_t step = std::abs(t.coefficient) / stride;
    if (step > reach + 1) return std::nullopt;
    reach += step * (t.count - 1);
  }
  return std::make_pair(Range{AffineExpr(lo), AffineExpr(hi), stride > 1 ? stride : 1},
                        (hi - lo) / stride + 1);
}

/// The footprint of `subset` computed directly, without ISL, in the common case: map ranges of
/// constant bounds, indices affine in the scopes' parameters alone, each parameter in at most
/// one dimension, each dimension's values a progression without gaps. Nothing otherwise.
std::optional<Footprint> directFootprint(const Subset& subset,
                                         const std::vector<const Map*>& scopes) {
  struct Counter {
    int64_t begin, step, count;
  };
  std::map<std::string, Counter> counters;
  for (const Map* map : scopes)
    for (size_t i = 0; i < map->params.size(); ++i) {
      const Range& r = map->ranges.ranges[i];
      std::optional<int64_t> begin = r.begin.constantValue(), size = r.size();
      if (!begin || !size || *size <= 0 || r.step <= 0) return std::nullopt;
      counters[map->params[i]] = {*begin, r.step, *size};
    }
  std::set<std::string> used;
  Footprint result;
  int64_t distinct = 1;
  for (const Range& range : subset.ranges) {
    std::optional<int64_t> size = range.size();
    if (!size || *size <= 0 || range.step <= 0) return std::nullopt;
    int64_t base = range.begin.constant();
    std::vector<Term> terms;
    for (const auto& [name, c] : range.begin.terms()) {
      auto counter = counters.find(name);
      if (counter == counters.end() || !used.insert(name).second) return std::nullopt;
      base += c * counter->second.begin;
      if (counter->second.count > 1)
        terms.push_back({c * counter->second.step, counter->second.count});
    }
    if (*size > 1) terms.push_back({range.step, *size});
    std::optional<std::pair<Range, int64_t>> values = progression(base, std::move(terms));
    if (!values) return std::nullopt;
    result.box.ranges.push_back(values->first);
    distinct *= values->second;
  }
  result.distinctElements = distinct;
  return result;
}

}  // namespace

Footprint footprintOverMaps(const std::vector<Subset>& subsets,
                            const std::vector<const Map*>& scopes) {
  CONFLUX_ASSERT(!subsets.empty(), "footprint of no subsets");
  size_t rank = subsets[0].rank();
  Footprint result;
  if (rank == 0) {
    result.distinctElements = 1;
    return result;
  }
  if (std::all_of(subsets.begin(), subsets.end(), [&](const Subset& s) { return s == subsets[0]; }))
    if (std::optional<Footprint> direct = directFootprint(subsets[0], scopes)) return *direct;
  SetText text = buildSetText(subsets, scopes);
  IslSet set(isl_set_read_from_str(islContext(), text.text.c_str()));
  if (isl_set_is_empty(set.get()) == isl_bool_true) {
    for (size_t k = 0; k < rank; ++k)
      result.box.ranges.push_back({AffineExpr(0), AffineExpr(-1), 1});
    result.distinctElements = 0;
    return result;
  }
  for (size_t k = 0; k < rank; ++k) {
    int pos = static_cast<int>(k);
    std::optional<AffineExpr> lo = toAffine(isl_set_dim_min(set.copy(), pos));
    std::optional<AffineExpr> hi = toAffine(isl_set_dim_max(set.copy(), pos));
    Range r;
    r.begin = lo ? *lo : extreme(subsets[0].ranges[k].begin, scopes, false);
    r.end = hi ? *hi : extreme(subsets[0].ranges[k].end, scopes, true);
    if (!lo || !hi) {  // several pieces: widen over every subset by interval arithmetic
      for (const Subset& s : subsets) {
        AffineExpr b = extreme(s.ranges[k].begin, scopes, false);
        AffineExpr e = extreme(s.ranges[k].end, scopes, true);
        if (auto d = (b - r.begin).constantValue(); d && *d < 0) r.begin = b;
        if (auto d = (e - r.end).constantValue(); d && *d > 0) r.end = e;
      }
    }
    // The stride of the dimension's own values: the other dimensions projected out first (on
    // the set itself ISL gives a stride relative to an offset in the other dimensions).
    IslSet values(isl_set_project_out(
        isl_set_project_out(set.copy(), isl_dim_set, pos + 1, static_cast<unsigned>(rank - k - 1)),
        isl_dim_set, 0, static_cast<unsigned>(pos)));
    int64_t stride = toInt(isl_set_get_stride(values.get(), 0));
    r.step = stride > 1 ? stride : 1;
    result.box.ranges.push_back(r);
  }
  if (text.freeSymbols.empty()) result.distinctElements = toInt(isl_set_count_val(set.get()));
  return result;
}

std::optional<int64_t> iterationCount(const Map& map) {
  // Rectangular spaces (the common case, tiles included) have a constant size per range.
  if (auto n = map.ranges.numElements()) return n;
  Subset space;
  for (const std::string& p : map.params)
    space.ranges.push_back(Range::point(AffineExpr::symbol(p)));
  return footprintOverMaps({space}, {&map}).distinctElements;
}

}  // namespace conflux::ir
