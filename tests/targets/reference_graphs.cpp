#include "tests/targets/reference_graphs.h"

#include <cmath>
#include <limits>
#include <map>
#include <random>

namespace conflux::testing::reference {

using namespace ir;

DataDesc desc(DType dtype, std::vector<int64_t> shape, bool transient) {
  DataDesc d;
  d.dtype = dtype;
  d.shape = std::move(shape);
  d.layout = Layout::rowMajor(d.shape.size());
  d.transient = transient;
  return d;
}

Tensor randomTensor(std::vector<int64_t> shape, uint32_t seed, float lo, float hi) {
  Tensor t(DType::F32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numElements(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

NodeId addMappedTasklet(Graph& graph, State& state, const std::string& label,
                        std::vector<std::string> params, const std::string& ranges,
                        const std::vector<Port>& inputs, const std::vector<Port>& outputs,
                        const std::vector<Expr>& exprs, const std::vector<NodeId>& after) {
  Tasklet tasklet;
  for (const Port& p : inputs) tasklet.inputs.push_back(p.conn);
  for (size_t i = 0; i < outputs.size(); ++i) tasklet.outputs.push_back({outputs[i].conn, exprs.at(i)});
  NodeId t = state.addTasklet(label, std::move(tasklet));
  auto arrayOf = [&](NodeId access) { return std::get<AccessNode>(state.node(access).payload).data; };
  auto whole = [&](const std::string& array) { return Subset::full(graph.array(array).shape); };

  if (params.empty()) {
    for (const Port& p : inputs) state.addEdge(p.access, "", t, p.conn, Memlet::of(arrayOf(p.access), p.subset));
    for (const Port& p : outputs)
      state.addEdge(t, p.conn, p.access, "", Memlet::of(arrayOf(p.access), p.subset, p.wcr));
    for (NodeId a : after) state.addEdge(a, "", t, "", Memlet::empty());
    return t;
  }
  auto [entry, exit] = state.addMap(label, Map{std::move(params), Subset::parse(ranges), Schedule::Sequential});
  std::map<std::string, bool> entered, exited;
  for (const Port& p : inputs) {
    std::string array = arrayOf(p.access);
    if (!entered[array]) state.addEdge(p.access, "", entry, "IN_" + array, Memlet::of(array, whole(array)));
    entered[array] = true;
    state.addEdge(entry, "OUT_" + array, t, p.conn, Memlet::of(array, p.subset));
  }
  if (inputs.empty()) state.addEdge(entry, "", t, "", Memlet::empty());
  for (const Port& p : outputs) {
    std::string array = arrayOf(p.access);
    state.addEdge(t, p.conn, exit, "IN_" + array, Memlet::of(array, p.subset, p.wcr));
    if (!exited[array])
      state.addEdge(exit, "OUT_" + array, p.access, "", Memlet::of(array, whole(array), p.wcr));
    exited[array] = true;
  }
  for (NodeId a : after) state.addEdge(a, "", entry, "", Memlet::empty());
  return t;
}

Expr f32(const std::string& name) { return ref(name, DType::F32); }
Expr i64(const std::string& name) { return ref(name, DType::I64); }
Expr f32c(double value) { return constant(value, DType::F32); }
Expr i64c(int64_t value) { return constant(static_cast<double>(value), DType::I64); }

double maxRelativeError(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != DType::F32 || b.dtype() != DType::F32)
    return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (int64_t i = 0; i < a.numElements(); ++i) {
    double x = a.data<float>()[i], y = b.data<float>()[i];
    double err = std::fabs(x - y) / std::max(1.0, std::fabs(y));
    if (std::isnan(err)) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, err);
  }
  return worst;
}

}  // namespace conflux::testing::reference
