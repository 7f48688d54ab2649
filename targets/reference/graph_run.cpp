#include "targets/reference/graph_run.h"

#include <set>

#include "targets/reference/expr_compiler.h"
#include "targets/reference/scalar_ops.h"
#include "targets/reference/state_executor.h"

namespace conflux::targets::reference {

/// An interstate condition or assignment compiled for a single lane over the symbols.
class ScalarProgram {
 public:
  ScalarProgram(const ir::Expr& e, const NameScope& symbols, const std::string& where) {
    if (!e) throw Error(where + ": missing expression");
    ExprLeaves leaves;
    leaves.where = where;
    leaves.names = symbols;
    result_ = ExprCompiler(std::move(leaves), columns_, steps_).compile(e);
  }

  /// The value, converted to i64 (bool: 0 or 1).
  int64_t evaluate(const int64_t* env) const {
    Lanes one{1, env};
    for (const Step& step : steps_) step(one);
    return dispatch(result_->dtype(), "interstate expression", [&](auto tag) {
      using T = typename decltype(tag)::type;
      return ops::convert<int64_t>(result_->data<T>()[0]);
    });
  }

 private:
  ColumnPool columns_;
  std::vector<Step> steps_;
  Column* result_ = nullptr;
};

namespace {

std::string shapeText(ir::DType dtype, const std::vector<int64_t>& shape) {
  std::string text = std::string(ir::dtypeName(dtype)) + " [";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace

GraphRun::GraphRun(const ir::Graph& graph, const std::map<std::string, ir::Tensor>& inputs,
                   const std::map<std::string, int64_t>& symbols, const std::string& where)
    : graph_(graph), where_((where.empty() ? "" : where + ": ") + "graph '" + graph.name() + "'") {
  allocate(inputs);
  compileTransitions(symbols);
  int nextSlot = static_cast<int>(env_.size());
  for (const ir::State& state : graph_.states())
    states_.push_back(std::make_unique<StateExecutor>(graph_, state, buffers_, symbols_, nextSlot));
  env_.resize(static_cast<size_t>(nextSlot), 0);
}

GraphRun::~GraphRun() = default;

void GraphRun::allocate(const std::map<std::string, ir::Tensor>& inputs) {
  const std::vector<std::string>& signature = graph_.inputs();
  for (const auto& [name, value] : inputs) {
    std::string what = where_ + ": input '" + name + "'";
    if (!graph_.hasArray(name)) throw Error(what + " is not an array of the graph");
    const ir::DataDesc& desc = graph_.array(name);
    if (desc.transient) throw Error(what + " names a transient array");
    bool isInput = std::find(signature.begin(), signature.end(), name) != signature.end();
    if (graph_.constantValue(name) && !isInput)
      throw Error(what + " names a constant array, whose value is fixed");
    if (value.dtype() != desc.dtype || value.shape() != desc.shape)
      throw Error(what + " is " + shapeText(value.dtype(), value.shape()) + ", expected " +
                  shapeText(desc.dtype, desc.shape) + " (wrong dtype or shape)");
  }
  for (const std::string& name : signature)
    if (!inputs.count(name) && !graph_.constantValue(name))
      throw Error(where_ + ": missing input '" + name + "' (" +
                  shapeText(graph_.array(name).dtype, graph_.array(name).shape) + ")");
  for (const auto& [name, desc] : graph_.arrays()) {
    if (!isSupported(desc.dtype))
      throw Error(where_ + ", array '" + name + "': dtype " +
                  std::string(ir::dtypeName(desc.dtype)) + " is not supported; " + kSupportedTypes);
    auto given = inputs.find(name);
    if (given != inputs.end()) buffers_.emplace(name, given->second);
    else if (const ir::Tensor* constant = graph_.constantValue(name)) buffers_.emplace(name, *constant);
    else buffers_.emplace(name, ir::Tensor(desc.dtype, desc.shape, name));
  }
}

void GraphRun::compileTransitions(const std::map<std::string, int64_t>& symbols) {
  std::set<std::string> names;
  for (const auto& [name, type] : graph_.symbols()) names.insert(name);
  for (const ir::InterstateEdge& edge : graph_.interstateEdges())
    for (const auto& [name, value] : edge.assignments) names.insert(name);
  for (const std::string& name : names) {
    symbols_.bind(name, static_cast<int>(env_.size()));
    auto initial = symbols.find(name);
    env_.push_back(initial == symbols.end() ? 0 : initial->second);
  }
  size_t numStates = graph_.states().size();
  const auto& edges = graph_.interstateEdges();
  for (size_t i = 0; i < edges.size(); ++i) {
    std::string what = where_ + ", interstate edge " + std::to_string(i);
    if (edges[i].src >= numStates || edges[i].dst >= numStates)
      throw Error(what + ": refers to a state that does not exist");
    Transition t{edges[i].src, edges[i].dst, nullptr, {}};
    if (edges[i].condition)
      t.condition = std::make_unique<ScalarProgram>(edges[i].condition, symbols_, what);
    for (const auto& [name, value] : edges[i].assignments)
      t.assignments.emplace_back(*symbols_.find(name),
                                 std::make_unique<ScalarProgram>(value, symbols_,
                                                                 what + ", assignment to '" + name + "'"));
    transitions_.push_back(std::move(t));
  }
}

void GraphRun::execute() {
  if (graph_.startState() >= states_.size())
    throw Error(where_ + ": the start state does not exist");
  size_t current = graph_.startState();
  for (int64_t runs = 1;; ++runs) {
    if (runs > kMaxStateRuns)
      throw Error(where_ + ": more than " + std::to_string(kMaxStateRuns) +
                  " state executions; an interstate loop does not terminate");
    states_[current]->run(env_.data());
    const Transition* next = nullptr;
    for (const Transition& t : transitions_) {
      if (t.src != current) continue;
      if (!t.condition || t.condition->evaluate(env_.data()) != 0) {
        next = &t;
        break;
      }
    }
    if (!next) return;
    for (const auto& [slot, value] : next->assignments) env_[slot] = value->evaluate(env_.data());
    current = next->dst;
  }
}

}  // namespace conflux::targets::reference
