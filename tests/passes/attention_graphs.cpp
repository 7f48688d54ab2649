#include "tests/passes/attention_graphs.h"

#include <iomanip>
#include <sstream>

#include "ir/memlet_propagation.h"
#include "passes/attention_fusion.h"
#include "passes/map_fusion.h"
#include "passes/reduction_fusion.h"
#include "passes/row_fusion.h"
#include "tests/passes/library_graphs.h"

namespace conflux::testing {
namespace {

std::string shapeText(std::vector<int64_t> batch, std::initializer_list<int64_t> last) {
  batch.insert(batch.end(), last.begin(), last.end());
  std::string text = "[";
  for (size_t k = 0; k < batch.size(); ++k) text += (k ? ", " : "") + std::to_string(batch[k]);
  return text + "]";
}

}  // namespace

std::string attentionJson(const AttentionSpec& a) {
  std::ostringstream tensors, nodes;
  auto tensor = [&](const std::string& name, const std::string& shape, const std::string& kind,
                    const std::string& extra = "", const std::string& dtype = "float32") {
    tensors << (tensors.tellp() > 0 ? ",\n" : "") << "\"" << name << "\": {\"shape\": " << shape
            << ", \"dtype\": \"" << dtype << "\", \"kind\": \"" << kind << "\"" << extra << "}";
  };
  auto node = [&](const std::string& name, const std::string& op, const std::string& inputs,
                  const std::string& output, const std::string& attrs = "") {
    nodes << (nodes.tellp() > 0 ? ",\n" : "") << "{\"name\": \"" << name << "\", \"op\": \"" << op
          << "\", \"inputs\": [" << inputs << "], \"outputs\": [\"" << output << "\"]" << attrs << "}";
  };
  tensor("q", shapeText(a.batch, {a.queries, a.depth}), "input");
  tensor("kt", shapeText(a.batch, {a.depth, a.keys}), "input");
  tensor("v", shapeText(a.batch, {a.keys, a.values}), "input");
  tensor("o", shapeText(a.batch, {a.queries, a.values}), "output");
  node("qk", "MatMul", "\"q\", \"kt\"", "scores");
  std::string scores = "scores";
  if (a.scale) {
    tensor("scale", "[]", "constant", ", \"data\": [0.125]");
    node("scaled", "Mul", "\"scores\", \"scale\"", "scaled");
    scores = "scaled";
  }
  if (a.mask == "padding") {
    std::vector<int64_t> ones(a.batch.size() - 1, 1);
    ones.insert(ones.begin(), a.batch.front());
    tensor("mask", shapeText(ones, {1, a.keys}), "input");
    node("masked", "Add", "\"" + scores + "\", \"mask\"", "masked");
    scores = "masked";
  } else if (a.mask == "causal" || a.mask == "causal-additive") {
    bool additive = a.mask == "causal-additive";
    std::ostringstream data, hidden;
    hidden << std::setprecision(9) << a.hidden;
    for (int64_t i = 0; i < a.queries; ++i)
      for (int64_t j = 0; j < a.keys; ++j) {
        bool visible = j <= i + a.diagonal;
        data << (i || j ? ", " : "") << (additive ? (visible ? "0" : hidden.str()) : (visible ? "true" : "false"));
      }
    std::string values = ", \"data\": [" + data.str() + "]";
    if (additive) {
      tensor("causal", shapeText({}, {a.queries, a.keys}), "constant", values);
      node("masked", "Add", "\"" + scores + "\", \"causal\"", "masked");
    } else {
      tensor("causal", shapeText({}, {a.queries, a.keys}), "constant", values, "bool");
      tensor("hidden", "[]", "constant", ", \"data\": [" + hidden.str() + "]");
      node("masked", "Where", "\"causal\", \"" + scores + "\", \"hidden\"", "masked");
    }
    scores = "masked";
  }
  node("softmax", "Softmax", "\"" + scores + "\"", "probabilities", ", \"attrs\": {\"axis\": -1}");
  node("pv", "MatMul", "\"probabilities\", \"v\"", "o");
  return R"({"format": "conflux-graph", "version": 1, "name": "attention", "tensors": {)" + tensors.str() +
         R"(}, "nodes": [)" + nodes.str() + "]}";
}

ir::Graph rowFused(const std::string& json) {
  ir::Graph graph = expandedGraph(json);
  passes::fuseElementwiseMaps(graph);
  passes::fuseReductions(graph);
  passes::fuseRowGroups(graph);
  ir::propagateMemlets(graph);
  return graph;
}

ir::Graph attentionFused(ir::Graph graph) { return fusedBy(std::move(graph), passes::fuseAttentions, 1); }

}  // namespace conflux::testing
