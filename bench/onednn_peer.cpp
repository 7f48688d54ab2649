// oneDNN as the peer of single contractions: for each MatMul, Gemm and Conv of a model, the
// median time of oneDNN's primitive for the same shapes next to the median time of the conflux
// kernels that compute the node, and their ratio.
//
// oneDNN gets its best case: every operand in the layout it prefers (format `any`), reordered
// outside the timing, and its bias fused; it runs each primitive alone, again and again, so its
// operands stay in cache as far as they fit. The conflux kernels are timed inside whole-model
// runs (`conflux report --measure`): the kernels that compute the node alone (a Winograd
// convolution's three), summed, or else the one computing it with more: the epilogues and
// prologues fusion gave it (bias, activation, residual add, the slices of a fused QKV), or
// several contractions (halo-tiling), then compared with the sum of their oneDNN times.
// The GFLOP column counts every window tap; oneDNN computes only those inside the image (a 3x3
// convolution over 7x7 skips 18% of them), conflux those of the window rows inside it.
//
//   onednn_peer MODEL [--runs N]     (2 threads: OMP_NUM_THREADS is set to 2 when unset)
#include <oneapi/dnnl/dnnl.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "api/conflux.h"
#include "api/random_inputs.h"
#include "ir/error.h"
#include "passes/data_movement.h"

namespace {

using namespace conflux;
using dnnl::memory;

/// One contraction of the model: its op, attributes and operand shapes.
struct Contraction {
  std::string name;
  ir::OpKind op;
  ir::OpAttrs attrs;
  std::vector<std::vector<int64_t>> inputs;  // in0, in1[, in2]
  std::vector<int64_t> output;
};

/// The MatMul, Gemm and Conv nodes of `graph` (before optimisation), in state order.
std::vector<Contraction> contractions(const ir::Graph& graph) {
  std::vector<Contraction> found;
  for (const ir::State& state : graph.states())
    for (ir::NodeId id : state.nodeIds()) {
      const auto* node = std::get_if<ir::LibraryNode>(&state.node(id).payload);
      if (!node || (node->op != ir::OpKind::MatMul && node->op != ir::OpKind::Gemm && node->op != ir::OpKind::Conv))
        continue;
      Contraction c{state.node(id).origins.empty() ? state.node(id).label : state.node(id).origins.front(),
                    node->op, node->attrs, {}, {}};
      std::map<std::string, std::vector<int64_t>> byConnector;
      for (ir::EdgeId e : state.inEdges(id))
        if (!state.edge(e).memlet.isEmpty()) byConnector[state.edge(e).dstConn] = graph.array(state.edge(e).memlet.data).shape;
      for (const auto& [conn, shape] : byConnector) c.inputs.push_back(shape);
      for (ir::EdgeId e : state.outEdges(id)) c.output = graph.array(state.edge(e).memlet.data).shape;
      found.push_back(std::move(c));
    }
  return found;
}

/// Multiply-adds times two: output elements times the reduction each sums.
double flops(const Contraction& c) {
  double outputs = 1;
  for (int64_t d : c.output) outputs *= static_cast<double>(d);
  double reduction = 1;
  if (c.op == ir::OpKind::Conv) {
    for (size_t k = 1; k < c.inputs[1].size(); ++k) reduction *= static_cast<double>(c.inputs[1][k]);
  } else {
    const auto* gemm = std::get_if<ir::GemmAttrs>(&c.attrs);
    reduction = static_cast<double>(gemm && gemm->transA ? c.inputs[0].front() : c.inputs[0].back());
  }
  return 2 * outputs * reduction;
}

memory::dims dims(const std::vector<int64_t>& shape) { return memory::dims(shape.begin(), shape.end()); }

/// Row-major strides of `shape`.
memory::dims rowMajor(const memory::dims& shape) {
  memory::dims strides(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * shape[k];
  return strides;
}

/// `shape` with leading ones up to `rank` dimensions.
memory::dims padded(const std::vector<int64_t>& shape, size_t rank) {
  memory::dims d(rank - shape.size(), 1);
  d.insert(d.end(), shape.begin(), shape.end());
  return d;
}

/// The primitive for one contraction and the memory descriptions of its arguments.
struct Primitive {
  dnnl::primitive primitive;
  std::map<int, memory::desc> arguments;
};

Primitive matmulOf(const Contraction& c, const dnnl::engine& engine) {
  memory::dims a, b, out;
  memory::dims aStrides, bStrides;
  std::optional<memory::dims> bias;
  if (c.op == ir::OpKind::MatMul && c.inputs[1].size() == 2 && c.inputs[0].size() >= 2) {
    // Shared weights: the batch of A is more rows of one GEMM ([128, 1, 768] x [768, 2304]).
    int64_t rows = 1;
    for (size_t k = 0; k + 1 < c.inputs[0].size(); ++k) rows *= c.inputs[0][k];
    a = {rows, c.inputs[0].back()};
    b = padded(c.inputs[1], 2);
    out = {rows, c.output.back()};
    aStrides = rowMajor(a);
    bStrides = rowMajor(b);
  } else if (c.op == ir::OpKind::MatMul) {
    size_t rank = std::max({c.inputs[0].size(), c.inputs[1].size(), size_t{2}});
    a = padded(c.inputs[0], rank);
    b = padded(c.inputs[1], rank);
    out = padded(c.output, rank);
    aStrides = rowMajor(a);
    bStrides = rowMajor(b);
  } else {
    const auto& g = std::get<ir::GemmAttrs>(c.attrs);
    memory::dims aStored = dims(c.inputs[0]), bStored = dims(c.inputs[1]);
    a = g.transA ? memory::dims{aStored[1], aStored[0]} : aStored;
    b = g.transB ? memory::dims{bStored[1], bStored[0]} : bStored;
    aStrides = g.transA ? memory::dims{1, aStored[1]} : rowMajor(aStored);
    bStrides = g.transB ? memory::dims{1, bStored[1]} : rowMajor(bStored);
    out = dims(c.output);
    if (c.inputs.size() > 2) bias = padded(c.inputs[2], 2);
  }
  auto f32 = memory::data_type::f32;
  // Weights without batch dimensions are oneDNN's to lay out (reordered once, outside the timing).
  bool batchedWeights = b.size() > 2 && std::any_of(b.begin(), b.end() - 2, [](int64_t d) { return d > 1; });
  memory::desc aMd(a, f32, aStrides), outMd(out, f32, rowMajor(out));
  memory::desc bMd = batchedWeights ? memory::desc(b, f32, bStrides) : memory::desc(b, f32, memory::format_tag::any);
  memory::desc biasMd = bias ? memory::desc(*bias, f32, rowMajor(*bias)) : memory::desc();
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(aMd, bMd, biasMd, outMd), engine);
  Primitive p{dnnl::matmul(pd), {{DNNL_ARG_SRC, pd.src_desc()}, {DNNL_ARG_WEIGHTS, pd.weights_desc()},
                                 {DNNL_ARG_DST, pd.dst_desc()}}};
  if (bias) p.arguments[DNNL_ARG_BIAS] = pd.bias_desc();
  return p;
}

Primitive convolutionOf(const Contraction& c, const dnnl::engine& engine) {
  const auto& attrs = std::get<ir::ConvAttrs>(c.attrs);
  size_t spatial = c.inputs[0].size() - 2;
  memory::dims strides(spatial, 1), dilations(spatial, 0), padBegin(spatial, 0), padEnd(spatial, 0);
  for (size_t k = 0; k < spatial; ++k) {
    if (k < attrs.strides.size()) strides[k] = attrs.strides[k];
    if (k < attrs.dilations.size()) dilations[k] = attrs.dilations[k] - 1;
    if (2 * spatial <= attrs.pads.size()) {
      padBegin[k] = attrs.pads[k];
      padEnd[k] = attrs.pads[spatial + k];
    }
  }
  memory::dims weights = dims(c.inputs[1]);
  if (attrs.group > 1) {
    weights[0] /= attrs.group;
    weights.insert(weights.begin(), attrs.group);
  }
  auto f32 = memory::data_type::f32;
  auto any = memory::format_tag::any;
  memory::desc srcMd(dims(c.inputs[0]), f32, any), weightsMd(weights, f32, any), dstMd(dims(c.output), f32, any);
  memory::desc biasMd = c.inputs.size() > 2 ? memory::desc(dims(c.inputs[2]), f32, memory::format_tag::x) : memory::desc();
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, srcMd,
                                       weightsMd, biasMd, dstMd, strides, dilations, padBegin, padEnd);
  dnnl::convolution_forward::primitive_desc pd(desc, engine);
  Primitive p{dnnl::convolution_forward(pd), {{DNNL_ARG_SRC, pd.src_desc()}, {DNNL_ARG_WEIGHTS, pd.weights_desc()},
                                              {DNNL_ARG_DST, pd.dst_desc()}}};
  if (c.inputs.size() > 2) p.arguments[DNNL_ARG_BIAS] = pd.bias_desc();
  return p;
}

/// Median milliseconds of `runs` executions of `p` on random operands (after three to warm up).
double timeOneDnn(const Primitive& p, const dnnl::engine& engine, int runs) {
  dnnl::stream stream(engine);
  std::unordered_map<int, memory> args;
  std::mt19937 random(1);
  std::uniform_real_distribution<float> value(-1, 1);
  for (const auto& [arg, md] : p.arguments) {
    memory m(md, engine);
    auto* data = static_cast<float*>(m.get_data_handle());
    for (size_t k = 0; k < md.get_size() / sizeof(float); ++k) data[k] = value(random);
    args.emplace(arg, m);
  }
  std::vector<double> times;
  for (int r = 0; r < runs + 3; ++r) {
    auto start = std::chrono::steady_clock::now();
    p.primitive.execute(stream, args);
    stream.wait();
    if (r >= 3) times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + static_cast<long>(times.size() / 2), times.end());
  return times[times.size() / 2];
}

std::string shapeText(const Contraction& c) {
  std::string text;
  for (const std::vector<int64_t>& shape : c.inputs) {
    text += text.empty() ? "" : " x ";
    for (size_t k = 0; k < shape.size(); ++k) text += (k ? "," : "") + std::to_string(shape[k]);
  }
  return text;
}

/// The timed kernels that compute contraction `c`: those with FLOPs whose origins hold it and
/// no other contraction (a Winograd convolution's three; a direct one's one — not a copy into
/// its padded input), else the one of those holding it whose FLOPs are nearest its own (its
/// padded input may be written by the kernel before; halo-tiling computes several in one).
std::vector<const passes::KernelTraffic*> kernelsComputing(const Contraction& c, const std::vector<Contraction>& nodes,
                                                           const std::vector<passes::KernelTraffic>& kernels,
                                                           const std::map<std::string, double>& times) {
  auto holds = [](const passes::KernelTraffic& k, const std::string& node) {
    return std::count(k.origins.begin(), k.origins.end(), node) > 0;
  };
  std::vector<const passes::KernelTraffic*> own;
  const passes::KernelTraffic* nearest = nullptr;
  auto distance = [&](const passes::KernelTraffic& k) { return std::abs(std::log(std::max(k.flops, 1.0) / flops(c))); };
  for (const passes::KernelTraffic& k : kernels) {
    if (!holds(k, c.name) || !times.count(k.name)) continue;
    if (!nearest || distance(k) < distance(*nearest)) nearest = &k;
    if (k.flops > 0 &&
        std::none_of(nodes.begin(), nodes.end(), [&](const Contraction& other) { return other.name != c.name && holds(k, other.name); }))
      own.push_back(&k);
  }
  if (own.empty() && nearest) own.push_back(nearest);
  return own;
}

int run(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: onednn_peer MODEL [--runs N]\n";
    return 2;
  }
  std::string model = argv[1];
  int runs = argc > 3 && std::string(argv[2]) == "--runs" ? std::atoi(argv[3]) : 20;
  if (runs < 1) {
    std::cerr << "onednn_peer: --runs needs a positive count\n";
    return 2;
  }

  ir::Graph graph = api::load(model);
  std::vector<Contraction> nodes = contractions(graph);
  api::optimize(graph, api::OptimizeOptions{});
  std::map<std::string, double> times = api::compile(graph, "cpu")->profileKernels(api::randomInputs(graph, 1), runs);
  std::vector<passes::KernelTraffic> kernels = passes::analyzeDataMovement(graph);

  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  std::printf("%-34s %-6s %-30s %9s %10s %10s %7s  %s\n", "node", "op", "operands", "GFLOP", "conflux ms", "oneDNN ms",
              "ratio", "conflux kernel");
  // Each contraction with the kernels computing it and oneDNN's time, grouped by kernels: a
  // kernel that computes several (halo-tiling's expansion inside the depthwise convolution) is
  // compared with the sum of their oneDNN times.
  struct Timed {
    const Contraction* contraction;
    double theirs;
  };
  using Kernels = std::vector<const passes::KernelTraffic*>;
  std::vector<std::pair<Kernels, std::vector<Timed>>> groups;
  for (const Contraction& c : nodes) {
    Kernels computing = kernelsComputing(c, nodes, kernels, times);
    if (computing.empty()) continue;
    double theirs = 0;
    try {
      Primitive p = c.op == ir::OpKind::Conv ? convolutionOf(c, engine) : matmulOf(c, engine);
      theirs = timeOneDnn(p, engine, runs);
    } catch (const dnnl::error& e) {
      std::printf("%-34s %-6s oneDNN cannot run it: %s\n", c.name.substr(0, 34).c_str(),
                  std::string(ir::opKindName(c.op)).c_str(), e.what());
      continue;
    }
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == computing; });
    if (group == groups.end()) group = groups.insert(groups.end(), {computing, {}});
    group->second.push_back({&c, theirs});
  }
  std::vector<double> ratios;
  for (const auto& [computing, timed] : groups) {
    double ours = 0, theirs = 0;
    for (const passes::KernelTraffic* k : computing) ours += times.at(k->name);
    for (const Timed& t : timed) theirs += t.theirs;
    ratios.push_back(ours / theirs);
    std::string names;
    for (const passes::KernelTraffic* k : computing) names += (names.empty() ? "" : "+") + k->name;
    for (const Timed& t : timed) {
      const Contraction& c = *t.contraction;
      std::printf("%-34s %-6s %-30s %9.4f %10.4f %10.4f %7.2f  %s (%zu ops%s)\n", c.name.substr(0, 34).c_str(),
                  std::string(ir::opKindName(c.op)).c_str(), shapeText(c).substr(0, 30).c_str(), flops(c) / 1e9, ours,
                  t.theirs, ours / theirs, names.c_str(), computing.front()->origins.size(),
                  timed.size() > 1 ? (", " + std::to_string(timed.size()) + " contractions: ratio of the sum").c_str() : "");
    }
  }
  if (ratios.empty()) return 0;
  std::sort(ratios.begin(), ratios.end());
  size_t within = static_cast<size_t>(std::count_if(ratios.begin(), ratios.end(), [](double r) { return r <= 1.10; }));
  std::printf("%zu kernels: conflux/oneDNN median %.2f, worst %.2f; %zu within 10%% of oneDNN or faster\n",
              ratios.size(), ratios[ratios.size() / 2], ratios.back(), within);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // oneDNN's OpenMP reads its thread count when the library loads: set it, then start over.
  if (!std::getenv("OMP_NUM_THREADS")) {
    setenv("OMP_NUM_THREADS", "2", 1);
    execv("/proc/self/exe", argv);
  }
  try {
    return run(argc, argv);
  } catch (const conflux::Error& e) {
    std::cerr << "onednn_peer: " << e.what() << "\n";
    return 2;
  } catch (const dnnl::error& e) {
    std::cerr << "onednn_peer: oneDNN: " << e.what() << "\n";
    return 1;
  }
}
