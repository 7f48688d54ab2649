#include "ir/graph.h"

#include "ir/error.h"

namespace conflux::ir {

void Graph::addArray(const std::string& name, DataDesc desc) {
  if (name.empty()) throw Error("graph '" + name_ + "': array with an empty name");
  if (hasArray(name)) throw Error("graph '" + name_ + "': array '" + name + "' declared twice");
  if (desc.layout.order.empty() && !desc.shape.empty())
    desc.layout = Layout::rowMajor(desc.shape.size());
  arrays_.emplace(name, std::move(desc));
}

void Graph::removeArray(const std::string& name) {
  arrays_.erase(name);
  constants_.erase(name);
}

const DataDesc& Graph::array(const std::string& name) const {
  auto it = arrays_.find(name);
  if (it == arrays_.end()) throw Error("graph '" + name_ + "': unknown array '" + name + "'");
  return it->second;
}

DataDesc& Graph::array(const std::string& name) {
  return const_cast<DataDesc&>(static_cast<const Graph*>(this)->array(name));
}

const Tensor* Graph::constantValue(const std::string& name) const {
  auto it = constants_.find(name);
  return it == constants_.end() ? nullptr : it->second.get();
}

void Graph::setConstantValue(const std::string& name, Tensor value) {
  setConstantValue(name, std::make_shared<const Tensor>(std::move(value)));
}

void Graph::setConstantValue(const std::string& name, std::shared_ptr<const Tensor> value) {
  CONFLUX_ASSERT(value, "graph '" + name_ + "': a null value for '" + name + "'");
  const DataDesc& desc = array(name);
  if (value->dtype() != desc.dtype || value->shape() != desc.shape)
    throw Error("graph '" + name_ + "': the value of '" + name + "' does not match its dtype or shape");
  constants_[name] = std::move(value);
}

size_t Graph::addState(State state) {
  states_.push_back(std::move(state));
  return states_.size() - 1;
}

// NestedGraphNode's special members live here, where Graph is complete.
NestedGraphNode::NestedGraphNode() = default;
NestedGraphNode::NestedGraphNode(Graph g, std::vector<std::string> in, std::vector<std::string> out)
    : graph(std::make_unique<Graph>(std::move(g))), inputs(std::move(in)), outputs(std::move(out)) {}
NestedGraphNode::NestedGraphNode(const NestedGraphNode& other)
    : graph(other.graph ? std::make_unique<Graph>(*other.graph) : nullptr),
      inputs(other.inputs), outputs(other.outputs) {}
NestedGraphNode::NestedGraphNode(NestedGraphNode&&) noexcept = default;
NestedGraphNode& NestedGraphNode::operator=(const NestedGraphNode& other) {
  if (this != &other) *this = NestedGraphNode(other);
  return *this;
}
NestedGraphNode& NestedGraphNode::operator=(NestedGraphNode&&) noexcept = default;
NestedGraphNode::~NestedGraphNode() = default;

}  // namespace conflux::ir
