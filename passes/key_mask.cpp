#include "passes/key_mask.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "ir/footprint.h"
#include "passes/map_patterns.h"
#include "passes/softmax_form.h"

namespace conflux::passes {
namespace {

/// A fill at most this replaces a masked score (select form).
constexpr double kFillAtMost = -1e9;
/// An additive mask entry at most this masks its score.
constexpr double kAdditiveAtMost = -1e30;
/// The most mask elements read to find the offset (rows the mask depends on x keys).
constexpr int64_t kMostElementsScanned = int64_t{1} << 29;

/// The memlet of the edge into `tasklet` at connector `conn`, or nothing.
const ir::Memlet* readAt(const ir::State& state, ir::NodeId tasklet, const std::string& conn) {
  for (ir::EdgeId e : state.inEdges(tasklet))
    if (state.edge(e).dstConn == conn) return &state.edge(e).memlet;
  return nullptr;
}

/// The value of `e` when it is a constant: inline, or a connector reading a one-element constant.
std::optional<double> constantScalar(const ir::Graph& graph, const ir::State& state, ir::NodeId tasklet,
                                     const ir::Expr& e) {
  if (e->kind == ir::ExprKind::Constant) return e->value;
  if (e->kind != ir::ExprKind::Ref) return std::nullopt;
  const ir::Memlet* read = readAt(state, tasklet, e->name);
  const ir::Tensor* value = read ? graph.constantValue(read->data) : nullptr;
  if (!value || value->numElements() != 1) return std::nullopt;
  return value->at(0);
}

/// A constant array the softmax input reads one element of per key, and which of its values
/// mask the key.
struct MaskRead {
  const ir::Memlet* memlet = nullptr;
  const ir::Tensor* value = nullptr;
  std::function<bool(double)> masks;
};

/// `e` as a read of a constant array of more than one element through a connector of `tasklet`.
std::optional<MaskRead> constantArrayRead(const ir::Graph& graph, const ir::State& state, ir::NodeId tasklet,
                                          const ir::Expr& e) {
  if (e->kind != ir::ExprKind::Ref) return std::nullopt;
  const ir::Memlet* read = readAt(state, tasklet, e->name);
  const ir::Tensor* value = read ? graph.constantValue(read->data) : nullptr;
  if (!value || value->numElements() < 2 || !isPoint(read->subset)) return std::nullopt;
  return MaskRead{read, value, {}};
}

/// The mask of the softmax input `x` (select with a low fill, or an additive mask), or nothing.
std::optional<MaskRead> maskOf(const ir::Graph& graph, const ir::State& state, ir::NodeId tasklet,
                               const ir::Expr& x) {
  auto low = [&](const ir::Expr& e) {
    std::optional<double> fill = constantScalar(graph, state, tasklet, e);
    return fill && *fill <= kFillAtMost;
  };
  if (x->kind == ir::ExprKind::Select) {
    bool fillWhenTrue = low(x->args[1]), fillWhenFalse = low(x->args[2]);
    std::optional<MaskRead> mask = constantArrayRead(graph, state, tasklet, x->args[0]);
    if (!mask || fillWhenTrue == fillWhenFalse) return std::nullopt;
    mask->masks = [fillWhenTrue](double condition) { return (condition != 0) == fillWhenTrue; };
    return mask;
  }
  if (x->kind == ir::ExprKind::Binary && x->binaryOp == ir::BinaryOp::Add)
    for (const ir::Expr& term : x->args)
      if (std::optional<MaskRead> mask = constantArrayRead(graph, state, tasklet, term)) {
        mask->masks = [](double entry) { return entry <= kAdditiveAtMost; };
        return mask;
      }
  return std::nullopt;
}

/// Row-major strides of `shape`.
std::vector<int64_t> rowMajorStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

}  // namespace

std::optional<int64_t> maskedKeysFrom(const ir::Graph& graph, const ir::State& state,
                                      const AttentionKernel& attention) {
  std::optional<SoftmaxForm> form = keywiseSoftmax(state, attention);
  if (!form) return std::nullopt;
  ir::NodeId tasklet = attention.softmax.output.tasklet;
  std::optional<MaskRead> mask = maskOf(graph, state, tasklet, form->input);
  if (!mask) return std::nullopt;
  const ir::Map& rows = state.mapOf(attention.rowEntry);
  const ir::Map& elements = state.mapOf(attention.softmax.output.innerEntry);
  const std::string& key = elements.params.front();
  const int64_t keys = ir::iterationCount(elements).value_or(0);

  // The row parameters the mask's index moves with (the query row's always), each with its
  // first value, step and count; the others keep their first value.
  struct Walk {
    std::string param;
    int64_t first, step, count;
  };
  std::vector<Walk> walks;
  std::map<std::string, int64_t> at{{key, 0}};
  int64_t scanned = keys;
  for (size_t k = 0; k < rows.params.size(); ++k) {
    const ir::Range& r = rows.ranges.ranges[k];
    std::optional<int64_t> first = r.begin.constantValue(), last = r.end.constantValue();
    if (!first || !last) return std::nullopt;
    at[rows.params[k]] = *first;
    bool moves = k + 1 == rows.params.size();
    for (const ir::Range& index : mask->memlet->subset.ranges) moves = moves || index.begin.coefficient(rows.params[k]);
    if (!moves) continue;
    walks.push_back({rows.params[k], *first, r.step, (*last - *first) / r.step + 1});
    scanned *= walks.back().count;
  }
  if (scanned > kMostElementsScanned) return std::nullopt;

  const std::vector<int64_t> strides = rowMajorStrides(mask->value->shape());
  const std::vector<ir::Range>& index = mask->memlet->subset.ranges;
  int64_t keyStride = 0;
  for (size_t d = 0; d < index.size(); ++d) keyStride += strides[d] * index[d].begin.coefficient(key);
  const std::string& query = rows.params.back();
  int64_t offset = std::numeric_limits<int64_t>::min();
  std::vector<int64_t> step(walks.size(), 0);  // each walked parameter's step, an odometer
  while (true) {
    for (size_t w = 0; w < walks.size(); ++w) at[walks[w].param] = walks[w].first + walks[w].step * step[w];
    int64_t base = 0;
    for (size_t d = 0; d < index.size(); ++d) base += strides[d] * index[d].begin.evaluate(at);
    int64_t live = keys;  // one past the row's last unmasked key
    while (live > 0 && mask->masks(mask->value->at(base + (live - 1) * keyStride))) --live;
    if (live == 0) return std::nullopt;  // a row with every key masked
    offset = std::max(offset, live - at[query]);
    size_t w = 0;
    while (w < walks.size() && ++step[w] == walks[w].count) step[w++] = 0;
    if (w == walks.size()) break;
  }
  // Worth it when the first query row has keys to skip.
  if (walks.back().first + offset >= keys) return std::nullopt;
  return offset;
}

double visibleKeyShare(const ir::Graph& graph, const ir::State& state, const AttentionKernel& attention) {
  std::optional<int64_t> offset = maskedKeysFrom(graph, state, attention);
  if (!offset) return 1;
  const ir::Range& queries = state.mapOf(attention.rowEntry).ranges.ranges.back();
  const int64_t keys = ir::iterationCount(state.mapOf(attention.softmax.output.innerEntry)).value_or(0);
  // maskedKeysFrom found constant bounds for the query rows, and keys to skip.
  const int64_t first = *queries.begin.constantValue(), last = *queries.end.constantValue();
  double visible = 0, rows = 0;
  for (int64_t i = first; i <= last; i += queries.step, ++rows)
    visible += static_cast<double>(std::clamp<int64_t>(i + *offset, 0, keys));
  return visible / (rows * static_cast<double>(keys));
}

std::vector<ir::NodeId> keyMapEntries(const AttentionKernel& attention) {
  std::vector<ir::NodeId> entries{attention.scores.outerEntry, attention.output.innerEntry,
                                  attention.softmax.output.innerEntry};
  for (const RowStage& stage : attention.softmax.reductions) entries.push_back(stage.innerEntry);
  return entries;
}

}  // namespace conflux::passes
