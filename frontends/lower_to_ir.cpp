#include "frontends/lower_to_ir.h"

#include <algorithm>
#include <map>
#include <set>

#include "frontends/op_table.h"
#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// Builds the single state of library nodes and declares arrays as nodes use them.
class Lowering {
 public:
  Lowering(const Model& model, const InferredModel& inferred)
      : model_(model), facts_(inferred.facts), inferred_(inferred), graph_(model.name.empty() ? "graph" : model.name),
        state_("main") {}

  ir::Graph run() {
    for (const std::string& name : model_.inputs) declare(name, false);
    for (const std::string& name : model_.outputs)
      if (!isInput(name)) declare(name, false);
    for (size_t n = 0; n < model_.nodes.size(); ++n)
      if (!inferred_.nodes[n].folded) addLibraryNode(model_.nodes[n], inferred_.nodes[n]);
    for (const std::string& name : model_.outputs)
      if (isConstant(name)) addConstantOutput(name);
    graph_.addState(std::move(state_));
    graph_.setInputs(model_.inputs);
    graph_.setOutputs(model_.outputs);
    return std::move(graph_);
  }

 private:
  bool isInput(const std::string& name) const {
    return std::find(model_.inputs.begin(), model_.inputs.end(), name) != model_.inputs.end();
  }
  bool isOutput(const std::string& name) const {
    return std::find(model_.outputs.begin(), model_.outputs.end(), name) != model_.outputs.end();
  }
  bool isConstant(const std::string& name) const { return facts_.values.count(name) != 0; }

  /// The array holding a constant tensor: its own name, unless a graph output has that name
  /// (the output array is then written by an Identity node from a renamed constant array).
  std::string constantArray(const std::string& tensor) {
    if (!isOutput(tensor)) return tensor;
    auto [it, fresh] = renamed_.emplace(tensor, "");
    if (fresh) {
      std::string name = tensor + "_value";
      while (facts_.types.count(name) || graph_.hasArray(name)) name += "_";
      it->second = name;
    }
    return it->second;
  }

  /// Declares the array of `tensor` (once); constants get their value.
  void declare(const std::string& array, bool transient, const std::string& tensor = "") {
    if (graph_.hasArray(array)) return;
    const std::string& source = tensor.empty() ? array : tensor;
    const TensorType& type = facts_.types.at(source);
    for (int64_t d : type.shape)
      if (d == 0)
        throw Error("tensor '" + source + "' has shape " + formatShape(type.shape) +
                    "; zero-size tensors are not supported");
    ir::DataDesc desc;
    desc.dtype = type.dtype;
    desc.shape = type.shape;
    desc.layout = ir::Layout::rowMajor(type.shape.size());
    desc.transient = transient;
    graph_.addArray(array, desc);
    if (!transient && !isOutput(array) && isConstant(source)) graph_.setConstantValue(array, facts_.values.at(source));
  }

  /// The array a node reads for `tensor`, declared on first use.
  std::string readArray(const std::string& tensor) {
    if (!isConstant(tensor)) return tensor;  // declared by its producer or as a graph input
    std::string array = constantArray(tensor);
    declare(array, false, tensor);
    return array;
  }

  ir::NodeId access(const std::string& array) {
    auto [it, fresh] = accesses_.emplace(array, ir::NodeId{});
    if (fresh) it->second = state_.addAccess(array);
    return it->second;
  }

  ir::Memlet wholeArray(const std::string& array) {
    return ir::Memlet::of(array, ir::Subset::full(graph_.array(array).shape));
  }

  void addLibraryNode(const ModelNode& node, const InferredNode& inferred) {
    const OpInfo& info = *findOp(node.op);
    ir::LibraryNode library{inferred.kind, inferred.attrs, {}, {}, ir::Expansion::Pure};
    std::vector<std::pair<std::string, std::string>> reads, writes;  // connector, array
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i].empty() || info.isValueInput(i) || info.isTypeInput(i)) continue;
      reads.emplace_back("in" + std::to_string(i), readArray(node.inputs[i]));
    }
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      const std::string& output = node.outputs[i];
      if (output.empty()) continue;
      declare(output, !isOutput(output));
      writes.emplace_back("out" + std::to_string(i), output);
    }
    for (const auto& [connector, array] : reads) library.inputs.push_back(connector);
    for (const auto& [connector, array] : writes) library.outputs.push_back(connector);
    ir::NodeId id = state_.addLibrary(node.name, std::move(library), {node.name});
    for (const auto& [connector, array] : reads) state_.addEdge(access(array), "", id, connector, wholeArray(array));
    for (const auto& [connector, array] : writes) state_.addEdge(id, connector, access(array), "", wholeArray(array));
  }

  /// Graph output `name` is known at load time: Identity from a constant array to it.
  void addConstantOutput(const std::string& name) {
    if (!written_.insert(name).second || isInput(name)) return;
    std::string source = readArray(name);
    std::string label = name;
    for (const ModelNode& node : model_.nodes)
      if (std::find(node.outputs.begin(), node.outputs.end(), name) != node.outputs.end()) label = node.name;
    ir::LibraryNode identity{ir::OpKind::Identity, ir::NoAttrs{}, {"in0"}, {"out0"}, ir::Expansion::Pure};
    ir::NodeId id = state_.addLibrary(label, std::move(identity), {label});
    state_.addEdge(access(source), "", id, "in0", wholeArray(source));
    state_.addEdge(id, "out0", access(name), "", wholeArray(name));
  }

  const Model& model_;
  const TensorFacts& facts_;
  const InferredModel& inferred_;
  ir::Graph graph_;
  ir::State state_;
  std::map<std::string, ir::NodeId> accesses_;
  std::map<std::string, std::string> renamed_;
  std::set<std::string> written_;
};

}  // namespace

ir::Graph lowerToIr(const Model& model, const InferredModel& inferred) { return Lowering(model, inferred).run(); }

}  // namespace conflux::frontends
