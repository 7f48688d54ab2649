#include "ir/subset.h"

#include <set>

#include "ir/error.h"

namespace conflux::ir {

std::optional<int64_t> Range::size() const {
  auto extent = (end - begin).constantValue();
  if (!extent) return std::nullopt;
  if (*extent < 0) return 0;
  return *extent / step + 1;
}

std::string Range::toString() const {
  if (begin == end) return begin.toString();
  std::string out = begin.toString() + ":" + end.toString();
  if (step != 1) out += ":" + std::to_string(step);
  return out;
}

Subset Subset::full(const std::vector<int64_t>& shape) {
  Subset s;
  for (int64_t d : shape) s.ranges.push_back(Range::full(d));
  return s;
}

namespace {

/// Splits on `sep` at parenthesis depth zero.
std::vector<std::string_view> splitTopLevel(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')') --depth;
    if (text[i] == sep && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

bool isBlank(std::string_view text) {
  return text.find_first_not_of(" \t\n") == std::string_view::npos;
}

}  // namespace

Subset Subset::parse(std::string_view text) {
  Subset s;
  if (isBlank(text)) return s;
  for (std::string_view dim : splitTopLevel(text, ',')) {
    auto parts = splitTopLevel(dim, ':');
    if (parts.size() > 3) throw Error("bad subset '" + std::string(text) + "': too many ':'");
    Range r;
    r.begin = AffineExpr::parse(parts[0]);
    r.end = parts.size() >= 2 ? AffineExpr::parse(parts[1]) : r.begin;
    if (parts.size() == 3) {
      auto step = AffineExpr::parse(parts[2]).constantValue();
      if (!step || *step < 1)
        throw Error("bad subset '" + std::string(text) + "': step must be a positive integer");
      r.step = *step;
    }
    s.ranges.push_back(r);
  }
  return s;
}

std::optional<int64_t> Subset::numElements() const {
  int64_t n = 1;
  for (const Range& r : ranges) {
    auto size = r.size();
    if (!size) return std::nullopt;
    n *= *size;
  }
  return n;
}

bool Subset::mayOverlap(const Subset& other) const {
  for (size_t d = 0; d < rank() && d < other.rank(); ++d) {
    std::optional<int64_t> begin = ranges[d].begin.constantValue(), end = ranges[d].end.constantValue();
    std::optional<int64_t> otherBegin = other.ranges[d].begin.constantValue(),
                           otherEnd = other.ranges[d].end.constantValue();
    if (begin && end && otherBegin && otherEnd && (*end < *otherBegin || *otherEnd < *begin)) return false;
  }
  return true;
}

Subset Subset::substitute(const std::string& name, const AffineExpr& value) const {
  Subset s = *this;
  for (Range& r : s.ranges) {
    r.begin = r.begin.substitute(name, value);
    r.end = r.end.substitute(name, value);
  }
  return s;
}

std::vector<std::string> Subset::freeSymbols() const {
  std::set<std::string> names;
  for (const Range& r : ranges) {
    for (const auto& [n, c] : r.begin.terms()) names.insert(n);
    for (const auto& [n, c] : r.end.terms()) names.insert(n);
  }
  return {names.begin(), names.end()};
}

std::string Subset::toString() const {
  std::string out;
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (i) out += ", ";
    out += ranges[i].toString();
  }
  return out;
}

}  // namespace conflux::ir
