#include "tests/ir/example_graphs.h"

#include "ir/memlet_propagation.h"

namespace conflux::testing {

using namespace ir;

namespace {

DataDesc array(std::vector<int64_t> shape, bool transient = false) {
  DataDesc d;
  d.dtype = DType::F32;
  d.shape = std::move(shape);
  d.transient = transient;
  return d;
}

Map map(std::vector<std::string> params, std::string_view ranges, Schedule schedule) {
  return Map{std::move(params), Subset::parse(ranges), schedule};
}

/// Wires `data` from `src` through a map entry into `dst`.`conn` with the inner `subset`.
void feed(State& s, NodeId src, NodeId entry, NodeId dst, const std::string& conn,
          const std::string& data, std::string_view subset) {
  s.addEdge(src, "", entry, "IN_" + data, Memlet::of(data, subset));
  s.addEdge(entry, "OUT_" + data, dst, conn, Memlet::of(data, Subset::parse(subset)));
}

/// Wires tasklet output `conn` through a map exit into access node `dst`.
void drain(State& s, NodeId src, const std::string& conn, NodeId exit, NodeId dst,
           const std::string& data, std::string_view subset, Wcr wcr = Wcr::None) {
  s.addEdge(src, conn, exit, "IN_" + data, Memlet::of(data, subset, wcr));
  s.addEdge(exit, "OUT_" + data, dst, "", Memlet::of(data, subset, wcr));
}

}  // namespace

Graph matmulBiasRelu() {
  Graph g("mlp");
  g.addArray("x", array({8, 16}));
  g.addArray("w", array({16, 32}));
  g.addArray("b", array({32}));
  g.addArray("h", array({8, 32}, true));
  g.addArray("y", array({8, 32}));
  g.setInputs({"x", "w", "b"});
  g.setOutputs({"y"});

  State init("init");
  {
    auto [entry, exit] = init.addMap("zero", map({"i", "j"}, "0:7, 0:31", Schedule::CpuParallel));
    NodeId t = init.addTasklet("zero", Tasklet{{}, {{"o", constant(0.0)}}});
    NodeId h = init.addAccess("h");
    init.addEdge(entry, "", t, "", Memlet::empty());
    drain(init, t, "o", exit, h, "h", "i, j");
  }

  State compute("compute");
  {
    NodeId x = compute.addAccess("x", {"fc1"});
    NodeId w = compute.addAccess("w", {"fc1"});
    NodeId h = compute.addAccess("h", {"fc1"});
    auto [mmEntry, mmExit] =
        compute.addMap("matmul", map({"i", "j", "k"}, "0:7, 0:31, 0:15", Schedule::CpuParallel), {"fc1"});
    NodeId mul = compute.addTasklet(
        "mul",
        Tasklet{{"a", "b"},
                {{"c", binary(BinaryOp::Mul, ref("a", DType::F32), ref("b", DType::F32))}}},
        {"fc1"});
    feed(compute, x, mmEntry, mul, "a", "x", "i, k");
    feed(compute, w, mmEntry, mul, "b", "w", "k, j");
    drain(compute, mul, "c", mmExit, h, "h", "i, j", Wcr::Sum);

    NodeId b = compute.addAccess("b", {"bias"});
    NodeId y = compute.addAccess("y", {"act"});
    auto [brEntry, brExit] =
        compute.addMap("bias_relu", map({"i", "j"}, "0:7, 0:31", Schedule::Vectorized), {"bias", "act"});
    Expr sum = binary(BinaryOp::Add, ref("a", DType::F32), ref("b", DType::F32));
    NodeId relu = compute.addTasklet(
        "bias_relu", Tasklet{{"a", "b"}, {{"c", binary(BinaryOp::Max, sum, constant(0.0))}}},
        {"bias", "act"});
    feed(compute, h, brEntry, relu, "a", "h", "i, j");
    feed(compute, b, brEntry, relu, "b", "b", "j");
    drain(compute, relu, "c", brExit, y, "y", "i, j");
  }
  g.addState(std::move(init));
  g.addState(std::move(compute));
  g.addInterstateEdge({0, 1, nullptr, {}});
  propagateMemlets(g);
  return g;
}

Graph conv3x3Tile(int64_t channels, int64_t height, int64_t width, int64_t filters) {
  Graph g("conv3x3");
  g.addArray("x", array({channels, height + 2, width + 2}));
  g.addArray("wt", array({filters, channels, 3, 3}));
  g.addArray("y", array({filters, height, width}));
  g.setInputs({"x", "wt"});
  g.setOutputs({"y"});
  State s("conv");
  NodeId x = s.addAccess("x", {"conv1"});
  NodeId wt = s.addAccess("wt", {"conv1"});
  NodeId y = s.addAccess("y", {"conv1"});
  std::string ranges = "0:" + std::to_string(filters - 1) + ", 0:" + std::to_string(height - 1) +
                       ", 0:" + std::to_string(width - 1) + ", 0:" + std::to_string(channels - 1) +
                       ", 0:2, 0:2";
  auto [entry, exit] =
      s.addMap("conv", map({"k", "h", "w", "c", "r", "s"}, ranges, Schedule::CpuParallel), {"conv1"});
  NodeId mac = s.addTasklet(
      "mac", Tasklet{{"in", "wgt"},
                     {{"out", binary(BinaryOp::Mul, ref("in", DType::F32), ref("wgt", DType::F32))}}},
      {"conv1"});
  feed(s, x, entry, mac, "in", "x", "c, h + r, w + s");
  feed(s, wt, entry, mac, "wgt", "wt", "k, c, r, s");
  drain(s, mac, "out", exit, y, "y", "k, h, w", Wcr::Sum);
  g.addState(std::move(s));
  propagateMemlets(g);
  return g;
}

}  // namespace conflux::testing
