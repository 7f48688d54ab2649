#include "ir/memlet.h"

#include <array>
#include <utility>

#include "ir/error.h"

namespace conflux::ir {
namespace {
constexpr std::array<std::pair<Wcr, std::string_view>, 5> kWcrNames{{
    {Wcr::None, "none"}, {Wcr::Sum, "sum"}, {Wcr::Max, "max"}, {Wcr::Min, "min"},
    {Wcr::Product, "product"},
}};
}  // namespace

std::string_view wcrName(Wcr wcr) {
  for (const auto& [w, n] : kWcrNames)
    if (w == wcr) return n;
  CONFLUX_ASSERT(false, "unknown wcr enumerator");
}

Wcr parseWcr(std::string_view name) {
  for (const auto& [w, n] : kWcrNames)
    if (n == name) return w;
  throw Error("unknown write-conflict resolution '" + std::string(name) +
              "' (expected none, sum, max, min or product)");
}

Memlet Memlet::of(const std::string& data, const Subset& subset, Wcr wcr) {
  return Memlet{data, subset, subset.numElements(), wcr};
}

Memlet Memlet::of(const std::string& data, std::string_view subset, Wcr wcr) {
  return of(data, Subset::parse(subset), wcr);
}

std::string Memlet::toString() const {
  if (isEmpty()) return "(empty)";
  std::string out = data + "[" + subset.toString() + "]";
  out += " (volume " + (volume ? std::to_string(*volume) : std::string("?"));
  if (wcr != Wcr::None) out += ", wcr " + std::string(wcrName(wcr));
  return out + ")";
}

}  // namespace conflux::ir
