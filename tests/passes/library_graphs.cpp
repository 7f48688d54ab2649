#include "tests/passes/library_graphs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "ir/memlet_propagation.h"
#include "ir/validate.h"
#include "passes/kernels.h"
#include "passes/pass_manager.h"
#include "targets/target_registry.h"
#include "tests/support/graph_json.h"

namespace conflux::testing {

using namespace ir;

Graph singleOpGraph(OpKind op, OpAttrs attrs, const std::vector<ArraySpec>& inputs,
                    const std::vector<ArraySpec>& outputs) {
  Graph g("single_op");
  State s("main");
  LibraryNode lib{op, std::move(attrs), {}, {}, Expansion::Pure};
  std::vector<std::string> ins, outs;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i].name.empty()) lib.inputs.push_back("in" + std::to_string(i));
  for (size_t i = 0; i < outputs.size(); ++i)
    if (!outputs[i].name.empty()) lib.outputs.push_back("out" + std::to_string(i));
  NodeId node = s.addLibrary("node", lib, {"node"});
  auto declare = [&](const ArraySpec& a, std::vector<std::string>& signature) {
    if (g.hasArray(a.name)) return;
    DataDesc d;
    d.dtype = a.dtype;
    d.shape = a.shape;
    g.addArray(a.name, d);
    signature.push_back(a.name);
  };
  std::map<std::string, NodeId> reads;  // one access node per array read
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].name.empty()) continue;
    declare(inputs[i], ins);
    auto [it, fresh] = reads.emplace(inputs[i].name, NodeId{});
    if (fresh) it->second = s.addAccess(inputs[i].name);
    NodeId a = it->second;
    s.addEdge(a, "", node, "in" + std::to_string(i),
              Memlet::of(inputs[i].name, Subset::full(inputs[i].shape)));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].name.empty()) continue;
    declare(outputs[i], outs);
    NodeId a = s.addAccess(outputs[i].name);
    s.addEdge(node, "out" + std::to_string(i), a, "",
              Memlet::of(outputs[i].name, Subset::full(outputs[i].shape)));
  }
  g.addState(std::move(s));
  g.setInputs(ins);
  g.setOutputs(outs);
  return g;
}

ir::Graph expandedGraph(const std::string& json) {
  ir::Graph graph = loadGraphJson(json, "pass");
  passes::PassContext context;
  passes::runPasses(graph, {"expand-library-nodes", "propagate-memlets"}, context);
  return graph;
}

ir::Graph fusedBy(ir::Graph graph, int (*fuseAll)(ir::Graph&), int expectedFusions) {
  EXPECT_EQ(fuseAll(graph), expectedFusions);
  ir::propagateMemlets(graph);
  ir::validate(graph);
  return graph;
}

std::vector<ir::NodeId> accessNodesOf(const ir::Graph& graph, size_t state, const std::string& data) {
  std::vector<ir::NodeId> nodes;
  for (ir::NodeId id : graph.state(state).nodeIds())
    if (const auto* access = std::get_if<ir::AccessNode>(&graph.state(state).node(id).payload); access && access->data == data)
      nodes.push_back(id);
  return nodes;
}

size_t kernelsAtLevel(const std::string& json, int level) {
  ir::Graph graph = expandedGraph(json);
  api::OptimizeOptions options;
  options.level = level;
  api::optimize(graph, options);
  return passes::extractKernels(graph).size();
}

void expectSameOutputs(const ir::Graph& want, const ir::Graph& got, const std::string& gotTarget, double tolerance) {
  expectSameOutputs(want, got, targets::targetDesc(gotTarget), tolerance);
}

void expectSameOutputs(const ir::Graph& want, const ir::Graph& got, const ir::TargetDesc& gotTarget, double tolerance) {
  api::TensorMap inputs = api::randomInputs(want, 11);
  api::TensorMap expected = api::compile(want, "reference")->run(inputs);
  api::TensorMap actual = api::compile(got, gotTarget)->run(inputs);
  for (const std::string& name : want.outputs()) {
    ASSERT_EQ(actual.at(name).numElements(), expected.at(name).numElements());
    for (int64_t i = 0; i < expected.at(name).numElements(); ++i) {
      double w = expected.at(name).at(i), g = actual.at(name).at(i);
      if (tolerance == 0) {
        ASSERT_EQ(g, w) << name << " element " << i;
      } else {
        ASSERT_NEAR(g, w, tolerance * std::max(1.0, std::abs(w))) << name << " element " << i;
      }
    }
  }
}

}  // namespace conflux::testing
