#include "targets/cpu/cache_local.h"

#include "ir/error.h"

namespace conflux::targets::cpu {
namespace {

using Box = std::vector<std::pair<int64_t, int64_t>>;

/// The logical dimension of each Halide (memory-order) dimension of an array of `layout`.
std::vector<size_t> logicalDims(const ir::Layout& layout) {
  std::vector<size_t> logical;
  for (size_t j = 0; j < layout.order.size(); ++j)
    logical.push_back(static_cast<size_t>(layout.order[layout.order.size() - 1 - j]));
  return logical;
}

/// `at` clamped into `box`.
std::vector<Halide::Expr> clampedInto(const std::vector<Halide::Expr>& at, const Box& box,
                                      const std::vector<size_t>& logical) {
  std::vector<Halide::Expr> clamped;
  for (size_t j = 0; j < at.size(); ++j) {
    auto [offset, extent] = box[logical[j]];
    clamped.push_back(Halide::clamp(at[j], static_cast<int32_t>(offset), static_cast<int32_t>(offset + extent - 1)));
  }
  return clamped;
}

/// True where `at` lies in `box`.
Halide::Expr insideBox(const std::vector<Halide::Expr>& at, const Box& box, const std::vector<size_t>& logical) {
  Halide::Expr inside = Halide::Internal::const_true();
  for (size_t j = 0; j < at.size(); ++j) {
    auto [offset, extent] = box[logical[j]];
    inside = inside && at[j] >= static_cast<int32_t>(offset) && at[j] < static_cast<int32_t>(offset + extent);
  }
  return inside;
}

}  // namespace

MemoryOrderValues valuesInBoxes(const std::vector<const DefinedOutput*>& producers, const ir::Layout& layout,
                                const std::string& where) {
  if (producers.empty()) throw InternalError(where + ": a cache-local array without producers");
  std::vector<std::pair<Halide::Func, Box>> parts;
  for (const DefinedOutput* p : producers) {
    if (!p->box) throw Error(where + ": " + p->name + " scatters into a cache-local array");
    parts.emplace_back(p->func, *p->box);
  }
  std::vector<size_t> logical = logicalDims(layout);
  return [parts, logical](const std::vector<Halide::Expr>& at) {
    auto call = [&](const std::pair<Halide::Func, Box>& part) { return part.first(clampedInto(at, part.second, logical)); };
    Halide::Expr value = call(parts.back());
    for (size_t i = parts.size() - 1; i-- > 0;)
      value = Halide::select(insideBox(at, parts[i].second, logical), call(parts[i]), value);
    return value;
  };
}

void clampIntoBox(std::map<std::string, Halide::Expr>& params, const std::vector<Halide::Var>& rowMajorVars,
                  const Box& box) {
  for (auto& [param, index] : params)
    for (size_t k = 0; k < rowMajorVars.size(); ++k) {
      auto [offset, extent] = box[k];
      Halide::Expr clamped =
          Halide::clamp(rowMajorVars[k], static_cast<int32_t>(offset), static_cast<int32_t>(offset + extent - 1));
      index = Halide::Internal::substitute(rowMajorVars[k].name(), clamped, index);
    }
}

Halide::Expr spanWholeArray(const Halide::Expr& value, const std::vector<Halide::Var>& vars, const Box& box,
                            const ir::Layout& layout, const MemoryOrderValues& outside) {
  std::vector<Halide::Expr> at(vars.begin(), vars.end());
  // `likely`: Halide splits the loops into a steady state inside the box without the select.
  return Halide::select(Halide::likely(insideBox(at, box, logicalDims(layout))), value, outside(at));
}

ArraySource::Values readInMemoryOrder(MemoryOrderValues values, const ir::Layout& layout) {
  std::vector<size_t> logical = logicalDims(layout);
  return [values = std::move(values), logical](const std::vector<Halide::Expr>& indices) {
    // Readers index in Halide order of the logical dimensions (innermost logical one first).
    std::vector<Halide::Expr> at;
    for (size_t dim : logical) at.push_back(indices[logical.size() - 1 - dim]);
    return values(at);
  };
}

void scheduleProducers(DefinedOutput& reader, const std::vector<DefinedOutput>& producers, int threads, bool alongRows) {
  std::vector<const DefinedOutput*> computed;
  for (const DefinedOutput& p : producers)
    if (!p.inlined) computed.push_back(&p);
  if (computed.empty()) return;
  if (!alongRows || !reader.threaded) {
    for (const DefinedOutput* p : computed) Halide::Func(p->func).compute_root();
    return;
  }
  Halide::Var chunk(reader.name + "_chunk"), row(reader.name + "_row");
  int64_t perChunk = (reader.threaded->trips + threads - 1) / std::max(1, threads);
  reader.func.split(reader.threaded->var, chunk, row, static_cast<int>(perChunk), Halide::TailStrategy::GuardWithIf)
      .parallel(chunk)
      .serial(row);
  for (const DefinedOutput* p : computed) {
    Halide::Func f = p->func;
    if (p->threaded) f.serial(p->threaded->var);  // the reader's thread runs it
    f.store_at(reader.func, chunk).compute_at(reader.func, row);
  }
}

}  // namespace conflux::targets::cpu
