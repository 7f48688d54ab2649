#include "passes/expand_library_nodes.h"

#include <algorithm>
#include <set>

#include "ir/error.h"
#include "ir/memlet_propagation.h"
#include "ir/scope.h"
#include "passes/expansions/expansions.h"
#include "passes/expansions/winograd.h"

namespace conflux::passes {
namespace {

using namespace ir;
using expansions::Builder;

/// The expansion of each op (a switch without default: a new OpKind must be placed here);
/// ops the frontend folds to constants have none.
void expand(Builder& b) {
  namespace x = expansions;
  // clang-format off
  switch (b.op().op) {
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Pow:
    case OpKind::Sqrt: case OpKind::Exp: case OpKind::Log: case OpKind::Erf: case OpKind::Tanh:
    case OpKind::Sigmoid: case OpKind::Relu: case OpKind::LeakyRelu: case OpKind::HardSigmoid:
    case OpKind::HardSwish: case OpKind::Clip: case OpKind::Neg: case OpKind::Abs:
    case OpKind::Reciprocal: case OpKind::Max: case OpKind::Min: case OpKind::Sum:
    case OpKind::Mean: case OpKind::Where: case OpKind::Equal: case OpKind::Less:
    case OpKind::Greater: case OpKind::Cast: case OpKind::Gelu: case OpKind::Identity:
    case OpKind::Dropout: case OpKind::Floor: case OpKind::Ceil: case OpKind::Round:
    case OpKind::Sign: case OpKind::Sin: case OpKind::Cos: case OpKind::Tan: case OpKind::Sinh:
    case OpKind::Cosh: case OpKind::Asinh: case OpKind::Acosh: case OpKind::Atanh:
    case OpKind::Softplus: case OpKind::Softsign: case OpKind::Elu: case OpKind::Selu:
    case OpKind::Celu: case OpKind::ThresholdedRelu: case OpKind::Shrink: case OpKind::PRelu:
    case OpKind::Mod: case OpKind::IsNaN: case OpKind::IsInf: case OpKind::Not: case OpKind::And:
    case OpKind::Or: case OpKind::Xor: case OpKind::LessOrEqual: case OpKind::GreaterOrEqual:
    case OpKind::Asin: case OpKind::Acos: case OpKind::Atan:
      return x::expandElementwise(b);
    case OpKind::MatMul: return x::expandMatMul(b);
    case OpKind::Gemm: return x::expandGemm(b);
    case OpKind::Conv:
      return b.op().expansion == Expansion::Winograd ? x::expandConvWinograd(b) : x::expandConv(b);
    case OpKind::ConvTranspose: return x::expandConvTranspose(b);
    case OpKind::BatchNormalization: return x::expandBatchNorm(b);
    case OpKind::LayerNormalization: return x::expandLayerNorm(b);
    case OpKind::InstanceNormalization: return x::expandInstanceNorm(b);
    case OpKind::Softmax: case OpKind::LogSoftmax: return x::expandSoftmax(b);
    case OpKind::ArgMax: case OpKind::ArgMin: return x::expandArgReduce(b);
    case OpKind::Hardmax: return x::expandHardmax(b);
    case OpKind::TopK: return x::expandTopK(b);
    case OpKind::MeanVarianceNormalization: return x::expandMeanVarianceNorm(b);
    case OpKind::ReduceProd: case OpKind::ReduceSumSquare: case OpKind::ReduceL1:
    case OpKind::ReduceL2: case OpKind::ReduceLogSum: case OpKind::ReduceLogSumExp:
    case OpKind::ReduceMean: case OpKind::ReduceSum: case OpKind::ReduceMax:
    case OpKind::ReduceMin:
      return x::expandReduce(b);
    case OpKind::MaxPool: case OpKind::AveragePool: case OpKind::GlobalAveragePool:
    case OpKind::GlobalMaxPool:
      return x::expandPool(b);
    case OpKind::Flatten: case OpKind::Reshape: case OpKind::Squeeze: case OpKind::Unsqueeze:
      return x::expandReshape(b);
    case OpKind::Transpose: case OpKind::Concat: case OpKind::Split: case OpKind::Slice:
    case OpKind::Expand: case OpKind::Tile: case OpKind::Trilu: case OpKind::DepthToSpace:
    case OpKind::SpaceToDepth:
      return x::expandAffineCopy(b);
    case OpKind::Gather: return x::expandGather(b);
    case OpKind::GatherElements: return x::expandGatherElements(b);
    case OpKind::GatherND: return x::expandGatherNd(b);
    case OpKind::OneHot: return x::expandOneHot(b);
    case OpKind::ScatterElements: case OpKind::ScatterND: return x::expandScatter(b);
    case OpKind::LRN: return x::expandLrn(b);
    case OpKind::NegativeLogLikelihoodLoss: case OpKind::SoftmaxCrossEntropyLoss:
      return x::expandLoss(b);
    case OpKind::Pad: return x::expandPad(b);
    case OpKind::Resize: return x::expandResize(b);
    case OpKind::Range: case OpKind::Shape: case OpKind::Constant: case OpKind::ConstantOfShape:
    case OpKind::Size: case OpKind::EyeLike:
      b.fail("must be folded to a constant by the frontend; it has no expansion");
  }
  // clang-format on
  b.fail("has no expansion");
}

/// Access nodes the expansion left without any edge (an input it does not read).
void removeIsolated(State& state, const std::vector<NodeId>& candidates) {
  for (NodeId n : candidates)
    if (state.hasNode(n) && state.inEdges(n).empty() && state.outEdges(n).empty())
      state.removeNode(n);
}

/// Expands the library nodes of `state`; returns whether there were any.
bool expandState(Graph& graph, State& state) {
  ScopeTree scopes(state);
  bool expanded = false;
  for (NodeId id : state.nodeIds()) {
    if (!state.hasNode(id)) continue;  // an input access node an earlier expansion dropped
    Node& node = state.node(id);
    if (auto* nested = std::get_if<NestedGraphNode>(&node.payload)) {
      if (nested->graph && expandLibraryNodes(*nested->graph)) expanded = true;
      continue;
    }
    if (node.kind() != NodeKind::Library) continue;
    if (scopes.scopeOf(id))
      throw Error("node '" + node.label + "': library nodes inside map scopes are not expanded");
    std::vector<NodeId> neighbours;
    for (EdgeId e : state.inEdges(id)) neighbours.push_back(state.edge(e).src);
    for (EdgeId e : state.outEdges(id)) neighbours.push_back(state.edge(e).dst);
    Builder builder(graph, state, id);
    expand(builder);
    state.removeNode(id);
    removeIsolated(state, neighbours);
    expanded = true;
  }
  return expanded;
}

/// Drops the constants no access node of `graph` reads any more: the filter of a convolution
/// expanded by Winograd's algorithm, which reads its transformed copy instead, would otherwise
/// be stored and loaded with the program.
void dropUnreadConstants(Graph& graph) {
  std::set<std::string> read;
  for (const State& state : graph.states())
    for (NodeId id : state.nodeIds())
      if (const auto* access = std::get_if<AccessNode>(&state.node(id).payload)) read.insert(access->data);
  std::vector<std::string> unread;
  for (const auto& [name, value] : graph.constantValues())
    if (!read.count(name) && !graph.array(name).transient &&
        std::find(graph.inputs().begin(), graph.inputs().end(), name) == graph.inputs().end() &&
        std::find(graph.outputs().begin(), graph.outputs().end(), name) == graph.outputs().end())
      unread.push_back(name);
  for (const std::string& name : unread) graph.removeArray(name);
}

class ExpandLibraryNodesPass : public Pass {
 public:
  std::string_view name() const override { return "expand-library-nodes"; }
  Modified run(Graph& graph, PassContext&) override {
    return expandLibraryNodes(graph) ? Modified::All : Modified::None;
  }
};

}  // namespace

bool expandLibraryNodes(Graph& graph) {
  // Only expanded states are touched: a graph without library nodes comes back unchanged.
  bool expanded = false;
  for (State& state : graph.states())
    if (expandState(graph, state)) {
      propagateMemlets(state);
      expanded = true;
    }
  if (expanded) dropUnreadConstants(graph);
  return expanded;
}

std::unique_ptr<Pass> makeExpandLibraryNodesPass() {
  return std::make_unique<ExpandLibraryNodesPass>();
}

}  // namespace conflux::passes
