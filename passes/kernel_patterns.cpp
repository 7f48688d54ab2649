#include "passes/kernel_patterns.h"

#include <algorithm>

#include "ir/scope.h"
#include "passes/map_patterns.h"

namespace conflux::passes {

std::optional<NestedReduction> nestedReduction(const ir::State& state, const Kernel& kernel) {
  if (state.node(kernel.root).kind() != ir::NodeKind::MapEntry || kernel.nodes.size() != 9) return std::nullopt;
  NestedReduction r;
  r.outerEntry = kernel.root;
  ir::NodeId outerExit = state.exitOf(kernel.root);
  std::vector<ir::NodeId> tasklets, accesses;
  std::optional<ir::NodeId> inner;
  for (ir::NodeId id : kernel.nodes) {
    ir::NodeKind kind = state.node(id).kind();
    if (kind == ir::NodeKind::Tasklet) tasklets.push_back(id);
    if (kind == ir::NodeKind::Access) accesses.push_back(id);
    if (kind == ir::NodeKind::MapEntry && id != kernel.root) inner = id;
  }
  if (!inner || tasklets.size() != 3 || accesses.size() != 2) return std::nullopt;
  r.innerEntry = *inner;
  ir::NodeId innerExit = state.exitOf(*inner);
  bool init = false, reduce = false, epilogue = false;
  for (ir::NodeId t : tasklets) {
    std::vector<ir::EdgeId> out = state.outEdges(t);
    if (out.size() != 1) return std::nullopt;
    const ir::Edge& write = state.edge(out.front());
    if (write.dst == innerExit) {
      r.reduceTasklet = t;
      r.wcr = write.memlet.wcr;
      reduce = true;
    } else if (write.dst == outerExit) {
      r.epilogueTasklet = t;
      epilogue = true;
    } else if (state.node(write.dst).kind() == ir::NodeKind::Access) {
      r.initTasklet = t;
      r.accumulator = write.memlet.data;
      init = true;
    }
  }
  if (!init || !reduce || !epilogue || r.wcr == ir::Wcr::None) return std::nullopt;
  for (ir::EdgeId e : state.inEdges(r.epilogueTasklet)) {
    const ir::Edge& edge = state.edge(e);
    if (edge.memlet.data == r.accumulator) r.epilogueConn = edge.dstConn;
  }
  if (r.epilogueConn.empty()) return std::nullopt;
  return r;
}

namespace {

/// The node an edge out of `node` leads to, when it has exactly one out edge.
std::optional<ir::NodeId> soleSuccessor(const ir::State& state, ir::NodeId node) {
  std::vector<ir::EdgeId> out = state.outEdges(node);
  if (out.size() != 1) return std::nullopt;
  return state.edge(out.front()).dst;
}

/// The stage of the inner map `entry` of a row kernel, or nothing. Its output stage writes
/// through `outputTo` (the row kernel's exit, or an attention's probability buffer).
std::optional<RowStage> rowStage(const ir::State& state, ir::NodeId entry, ir::NodeId outputTo) {
  RowStage stage;
  stage.innerEntry = entry;
  ir::NodeId exit = state.exitOf(entry);
  std::optional<ir::NodeId> tasklet;
  for (ir::EdgeId e : state.outEdges(entry)) {
    ir::NodeId dst = state.edge(e).dst;
    if (state.node(dst).kind() != ir::NodeKind::Tasklet || (tasklet && *tasklet != dst)) return std::nullopt;
    tasklet = dst;
  }
  if (!tasklet || soleSuccessor(state, *tasklet) != exit) return std::nullopt;
  stage.tasklet = *tasklet;
  const ir::Memlet& write = state.edge(state.outEdges(*tasklet).front()).memlet;
  stage.wcr = write.wcr;
  std::optional<ir::NodeId> after = soleSuccessor(state, exit);
  if (stage.wcr == ir::Wcr::None) return after == outputTo ? std::optional<RowStage>(stage) : std::nullopt;
  // acc = init -> (inner map) -> acc -> statistic = finish(acc).
  stage.accumulator = write.data;
  std::optional<ir::NodeId> finish = after ? soleSuccessor(state, *after) : std::nullopt;
  if (!finish || state.node(*finish).kind() != ir::NodeKind::Tasklet) return std::nullopt;
  std::optional<ir::NodeId> statistic = soleSuccessor(state, *finish);
  if (!statistic || state.node(*statistic).kind() != ir::NodeKind::Access) return std::nullopt;
  stage.finishTasklet = finish;
  stage.statistic = std::get<ir::AccessNode>(state.node(*statistic).payload).data;
  for (ir::EdgeId e : state.inEdges(entry)) {
    ir::NodeId src = state.edge(e).src;
    const auto* access = std::get_if<ir::AccessNode>(&state.node(src).payload);
    if (!access || access->data != stage.accumulator || state.inEdges(src).size() != 1) continue;
    ir::NodeId init = state.edge(state.inEdges(src).front()).src;
    if (state.node(init).kind() == ir::NodeKind::Tasklet) stage.initTasklet = init;
  }
  if (!stage.initTasklet) return std::nullopt;
  return stage;
}

}  // namespace

std::optional<RowKernel> rowKernel(const ir::State& state, const Kernel& kernel) {
  if (state.node(kernel.root).kind() != ir::NodeKind::MapEntry) return std::nullopt;
  ir::ScopeTree scopes(state);
  ir::NodeId rowExit = state.exitOf(kernel.root);
  RowKernel k;
  k.rowEntry = kernel.root;
  size_t children = 0;
  std::optional<RowStage> output;
  std::vector<ir::NodeId> order = *state.topologicalOrder();
  for (ir::NodeId id : order) {
    if (scopes.scopeOf(id) != kernel.root) continue;
    ++children;
    if (state.node(id).kind() != ir::NodeKind::MapEntry) continue;
    std::optional<RowStage> stage = rowStage(state, id, rowExit);
    if (!stage) return std::nullopt;
    if (stage->wcr != ir::Wcr::None) {
      k.reductions.push_back(*stage);
    } else if (output) {
      return std::nullopt;
    } else {
      output = stage;
    }
  }
  // Per reduction: init, acc, inner entry and exit, acc, finish, statistic; the output's map.
  if (!output || k.reductions.empty() || children != 7 * k.reductions.size() + 2) return std::nullopt;
  k.output = *output;
  return k;
}

namespace {

/// The nodes of the map scope opened by `entry`: it, its exit and everything nested in it.
Kernel scopeOf(const ir::State& state, const ir::ScopeTree& scopes, ir::NodeId entry) {
  Kernel scope;
  scope.root = entry;
  std::set<ir::NodeId> members{entry, state.exitOf(entry)};
  for (ir::NodeId id : state.nodeIds())
    for (ir::NodeId enclosing : scopes.chain(scopes.scopeOf(id)))
      if (enclosing == entry) members.insert(id);
  scope.nodes.assign(members.begin(), members.end());
  return scope;
}

/// The data of the access node `id`, or "".
std::string accessData(const ir::State& state, ir::NodeId id) {
  const auto* access = std::get_if<ir::AccessNode>(&state.node(id).payload);
  return access ? access->data : "";
}

}  // namespace

std::optional<AttentionKernel> attentionKernel(const ir::State& state, const Kernel& kernel) {
  if (state.node(kernel.root).kind() != ir::NodeKind::MapEntry) return std::nullopt;
  ir::ScopeTree scopes(state);
  std::vector<ir::NodeId> entries;
  size_t children = 0;
  std::vector<ir::NodeId> order = *state.topologicalOrder();
  for (ir::NodeId id : order) {
    if (scopes.scopeOf(id) != kernel.root) continue;
    ++children;
    if (state.node(id).kind() == ir::NodeKind::MapEntry) entries.push_back(id);
  }
  if (entries.size() < 4) return std::nullopt;
  AttentionKernel k;
  k.rowEntry = kernel.root;
  std::optional<NestedReduction> scores = nestedReduction(state, scopeOf(state, scopes, entries.front()));
  std::optional<NestedReduction> output = nestedReduction(state, scopeOf(state, scopes, entries.back()));
  if (!scores || !output) return std::nullopt;
  std::optional<ir::NodeId> scoreAccess = soleSuccessor(state, state.exitOf(entries.front()));
  std::optional<ir::NodeId> probabilityAccess = soleSuccessor(state, state.exitOf(entries[entries.size() - 2]));
  std::optional<ir::NodeId> outputWrite = soleSuccessor(state, state.exitOf(entries.back()));
  if (!scoreAccess || !probabilityAccess || outputWrite != state.exitOf(kernel.root)) return std::nullopt;
  k.scoreBuffer = accessData(state, *scoreAccess);
  k.probabilityBuffer = accessData(state, *probabilityAccess);
  if (k.scoreBuffer.empty() || k.probabilityBuffer.empty()) return std::nullopt;
  k.softmax.rowEntry = kernel.root;
  for (size_t m = 1; m + 1 < entries.size(); ++m) {
    std::optional<RowStage> stage = rowStage(state, entries[m], *probabilityAccess);
    if (!stage || (stage->wcr == ir::Wcr::None) != (m + 2 == entries.size())) return std::nullopt;
    if (stage->wcr == ir::Wcr::None) {
      k.softmax.output = *stage;
    } else {
      k.softmax.reductions.push_back(*stage);
    }
  }
  // The scores' map, exit and buffer; 7 nodes per reduction stage; the probabilities' map, exit
  // and buffer; the output's map and exit.
  if (children != 8 + 7 * k.softmax.reductions.size()) return std::nullopt;
  k.scores = *scores;
  k.output = *output;
  return k;
}

std::optional<ir::Expr> valueInOutputTerms(const ir::State& state, const RowKernel& row, const RowStage& stage) {
  const ir::Map& inner = state.mapOf(stage.innerEntry);
  const ir::Map& out = state.mapOf(row.output.innerEntry);
  if (inner.params.size() != out.params.size() || !(inner.ranges == out.ranges)) return std::nullopt;
  std::map<std::string, ir::AffineExpr> paired;
  for (size_t k = 0; k < inner.params.size(); ++k) paired[inner.params[k]] = ir::AffineExpr::symbol(out.params[k]);
  std::map<std::string, std::string> renames;
  for (ir::EdgeId e : state.inEdges(stage.tasklet)) {
    const ir::Edge& read = state.edge(e);
    if (read.memlet.isEmpty()) continue;
    ir::Memlet want = read.memlet;
    want.subset = reindexed(want.subset, paired);
    for (ir::EdgeId o : state.inEdges(row.output.tasklet))
      if (state.edge(o).memlet == want) renames[read.dstConn] = state.edge(o).dstConn;
    if (!renames.count(read.dstConn)) return std::nullopt;
  }
  const auto& tasklet = std::get<ir::Tasklet>(state.node(stage.tasklet).payload);
  const auto& output = std::get<ir::Tasklet>(state.node(row.output.tasklet).payload);
  if (tasklet.outputs.size() != 1 || output.outputs.size() != 1) return std::nullopt;
  return ir::substitute(tasklet.outputs.front().expr, {}, renames);
}

std::optional<ir::Expr> valueSharedWithOutput(const ir::State& state, const RowKernel& row, const RowStage& stage) {
  std::optional<ir::Expr> value = valueInOutputTerms(state, row, stage);
  // A value that is one element read (softmax's maximum of x) is read again at no cost.
  if (!value || (*value)->args.empty()) return std::nullopt;
  const auto& output = std::get<ir::Tasklet>(state.node(row.output.tasklet).payload);
  if (!ir::containsEqual(output.outputs.front().expr, *value)) return std::nullopt;
  return value;
}

}  // namespace conflux::passes
