#include "targets/reference/map_iteration.h"

#include <algorithm>

#include "ir/error.h"

namespace conflux::targets::reference {

MapRanges MapRanges::of(const ir::Map& map, const NameScope& outer, std::vector<int> slots,
                        const std::string& where) {
  if (map.params.size() != map.ranges.rank() || slots.size() != map.params.size())
    throw Error(where + ": " + std::to_string(map.params.size()) + " parameters but " +
                std::to_string(map.ranges.rank()) + " ranges");
  MapRanges r;
  r.slots = std::move(slots);
  for (const ir::Range& range : map.ranges.ranges) {
    if (range.step < 1) throw Error(where + ": map range step must be >= 1");
    r.begin.push_back(LinearForm::of(range.begin, outer, where));
    r.end.push_back(LinearForm::of(range.end, outer, where));
    r.step.push_back(range.step);
  }
  return r;
}

IterationSpace IterationSpace::evaluate(const MapRanges& ranges, const int64_t* env) {
  IterationSpace s;
  s.slots = ranges.slots;
  s.step = ranges.step;
  for (size_t d = 0; d < ranges.slots.size(); ++d) {
    int64_t first = ranges.begin[d].eval(env);
    int64_t span = ranges.end[d].eval(env) - first;
    s.first.push_back(first);
    s.count.push_back(span < 0 ? 0 : span / ranges.step[d] + 1);
  }
  return s;
}

bool IterationSpace::empty() const {
  for (int64_t c : count)
    if (c == 0) return true;
  return false;
}

std::vector<SlotRange> IterationSpace::box() const {
  std::vector<SlotRange> result;
  for (size_t d = 0; d < slots.size(); ++d)
    result.push_back({slots[d], first[d], first[d] + (count[d] - 1) * step[d]});
  return result;
}

std::optional<size_t> IterationSpace::widestDim() const {
  std::optional<size_t> widest;
  for (size_t d = 0; d < count.size(); ++d)
    if (!widest || count[d] >= count[*widest]) widest = d;
  return widest;
}

void forEachBatch(const IterationSpace& space, size_t vectorDim, int64_t maxLanes, int64_t* env,
                  const std::function<void(int64_t lanes)>& body) {
  if (space.empty()) return;
  size_t rank = space.slots.size();
  CONFLUX_ASSERT(vectorDim < rank && maxLanes >= 1, "bad vector dimension or batch size");
  std::vector<int64_t> index(rank, 0);
  for (size_t d = 0; d < rank; ++d) env[space.slots[d]] = space.first[d];
  int vectorSlot = space.slots[vectorDim];
  int64_t total = space.count[vectorDim];
  for (;;) {
    for (int64_t start = 0; start < total; start += maxLanes) {
      env[vectorSlot] = space.first[vectorDim] + start * space.step[vectorDim];
      body(std::min(maxLanes, total - start));
    }
    // Advance the other parameters like an odometer, the last one fastest.
    size_t d = rank;
    while (d-- > 0) {
      if (d == vectorDim) continue;
      if (++index[d] < space.count[d]) {
        env[space.slots[d]] += space.step[d];
        break;
      }
      index[d] = 0;
      env[space.slots[d]] = space.first[d];
    }
    if (d == static_cast<size_t>(-1)) return;
  }
}

void forEachPoint(const IterationSpace& space, int64_t* env, const std::function<void()>& body) {
  if (space.slots.empty()) {
    body();
    return;
  }
  forEachBatch(space, space.slots.size() - 1, 1, env, [&](int64_t) { body(); });
}

}  // namespace conflux::targets::reference
