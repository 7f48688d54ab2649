#include "frontends/model_checks.h"

#include <algorithm>
#include <map>
#include <set>

#include "frontends/op_table.h"
#include "ir/error.h"

namespace conflux::frontends {

namespace {

/// Tensors defined before any node runs: graph inputs and values (initializers, constants).
bool isDefinedUpfront(const Model& model, const std::string& name) {
  if (std::find(model.inputs.begin(), model.inputs.end(), name) != model.inputs.end()) return true;
  auto it = model.tensors.find(name);
  return it != model.tensors.end() && it->second.value != nullptr;
}

/// Tensor name -> index of the node that produces it.
std::map<std::string, size_t> producers(const Model& model) {
  std::map<std::string, size_t> result;
  for (size_t n = 0; n < model.nodes.size(); ++n) {
    const ModelNode& node = model.nodes[n];
    for (const std::string& output : node.outputs) {
      if (output.empty()) continue;
      if (isDefinedUpfront(model, output))
        throw Error(node.describe() + ": writes tensor '" + output +
                    "', which is already a graph input or a constant");
      auto [it, fresh] = result.emplace(output, n);
      if (!fresh)
        throw Error("tensor '" + output + "' is produced by both " + model.nodes[it->second].describe() +
                    " and " + node.describe());
    }
  }
  return result;
}

void checkOpsAndInputs(const Model& model, const std::map<std::string, size_t>& producedBy) {
  for (const ModelNode& node : model.nodes) {
    if (!findOp(node.op))
      throw Error(node.describe() + ": unsupported operator '" + node.op +
                  "' (docs/library_nodes.md lists the supported ones)");
    for (const std::string& input : node.inputs)
      if (!input.empty() && !producedBy.count(input) && !isDefinedUpfront(model, input))
        throw Error(node.describe() + ": input '" + input +
                    "' is not defined (not a graph input, constant or node output)");
  }
  if (model.outputs.empty()) throw Error("the model has no outputs");
  for (const std::string& output : model.outputs)
    if (!producedBy.count(output) && !isDefinedUpfront(model, output))
      throw Error("graph output '" + output + "' is not produced by any node");
}

/// Indices of the nodes the graph outputs depend on.
std::set<size_t> liveNodes(const Model& model, const std::map<std::string, size_t>& producedBy) {
  std::set<size_t> live;
  std::vector<std::string> pending = model.outputs;
  while (!pending.empty()) {
    std::string tensor = std::move(pending.back());
    pending.pop_back();
    auto it = producedBy.find(tensor);
    if (it == producedBy.end() || !live.insert(it->second).second) continue;
    for (const std::string& input : model.nodes[it->second].inputs)
      if (!input.empty()) pending.push_back(input);
  }
  return live;
}

/// Kahn's algorithm over `nodes`, lowest file index first; throws on a cycle.
std::vector<size_t> topologicalOrder(const Model& model, const std::map<std::string, size_t>& producedBy,
                                     const std::set<size_t>& nodes) {
  std::map<size_t, size_t> missing;           // node -> number of unfinished producers it waits for
  std::map<size_t, std::vector<size_t>> consumers;
  for (size_t n : nodes) {
    missing[n] = 0;
    for (const std::string& input : model.nodes[n].inputs) {
      auto it = producedBy.find(input);
      if (input.empty() || it == producedBy.end()) continue;
      ++missing[n];
      consumers[it->second].push_back(n);
    }
  }
  std::set<size_t> ready;
  for (const auto& [n, count] : missing)
    if (count == 0) ready.insert(n);
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t n = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(n);
    for (size_t consumer : consumers[n])
      if (--missing[consumer] == 0) ready.insert(consumer);
  }
  if (order.size() != nodes.size()) {
    std::string cycle;
    for (const auto& [n, count] : missing)
      if (count > 0) cycle += (cycle.empty() ? "" : ", ") + model.nodes[n].describe();
    throw Error("the node graph has a cycle through " + cycle);
  }
  return order;
}

}  // namespace

void checkAndSortModel(Model& model) {
  std::map<std::string, size_t> producedBy = producers(model);
  checkOpsAndInputs(model, producedBy);
  std::set<size_t> all;
  for (size_t n = 0; n < model.nodes.size(); ++n) all.insert(n);
  std::vector<size_t> order = topologicalOrder(model, producedBy, all);  // finds dead cycles too
  std::set<size_t> live = liveNodes(model, producedBy);
  std::vector<ModelNode> sorted;
  for (size_t n : order)
    if (live.count(n)) sorted.push_back(std::move(model.nodes[n]));
  model.nodes = std::move(sorted);
}

}  // namespace conflux::frontends
