// Benchmark (a program, not a test): convolutions on the reference target, built as the Conv
// expansion emits them: a pad map copying x into the interior of a zero-filled transient, then
// one map over (n, m, o0, o1, c, k0, k1) of a multiply tasklet with WCR sum into y.
//   reference_conv_bench            the ResNet-like 3x3 conv (N=1, C=64, H=W=56, K=64, pad 1);
//                                   spot-checks outputs against plain loops
//   reference_conv_bench --resnet50 every convolution of ResNet-50 at 224x224 (~4 GMAC)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "targets/reference/interpreter.h"
#include "tests/targets/reference_graphs.h"

using namespace conflux;
using namespace conflux::ir;
using namespace conflux::testing::reference;

namespace {

/// A square convolution: C -> K channels on an H x H input, kernel R, stride, pad.
struct Conv {
  int64_t C, H, K, R, stride, pad;
  int64_t out() const { return (H + 2 * pad - R) / stride + 1; }
  double gmacs() const { return double(K) * out() * out() * C * R * R / 1e9; }
};

std::string upTo(int64_t n) { return "0:" + std::to_string(n - 1); }

Graph convGraph(const Conv& cv) {
  int64_t P = cv.H + 2 * cv.pad, O = cv.out();
  Graph g("conv");
  g.addArray("x", desc(DType::F32, {1, cv.C, cv.H, cv.H}));
  g.addArray("xp", desc(DType::F32, {1, cv.C, P, P}, true));
  g.addArray("wt", desc(DType::F32, {cv.K, cv.C, cv.R, cv.R}));
  g.addArray("y", desc(DType::F32, {1, cv.K, O, O}));
  g.setInputs({"x", "wt"});
  g.setOutputs({"y"});
  State s("conv");
  NodeId x = s.addAccess("x"), xp = s.addAccess("xp"), wt = s.addAccess("wt"), y = s.addAccess("y");
  std::string p = std::to_string(cv.pad), st = std::to_string(cv.stride);
  addMappedTasklet(g, s, "pad", {"c", "h", "w"}, upTo(cv.C) + ", " + upTo(cv.H) + ", " + upTo(cv.H),
                   {{x, "in", "0, c, h, w"}}, {{xp, "out", "0, c, h + " + p + ", w + " + p}}, {f32("in")});
  addMappedTasklet(g, s, "conv", {"n", "m", "o0", "o1", "c", "k0", "k1"},
                   "0:0, " + upTo(cv.K) + ", " + upTo(O) + ", " + upTo(O) + ", " + upTo(cv.C) + ", " +
                       upTo(cv.R) + ", " + upTo(cv.R),
                   {{xp, "in", "n, c, " + st + "*o0 + k0, " + st + "*o1 + k1"}, {wt, "wgt", "m, c, k0, k1"}},
                   {{y, "out", "n, m, o0, o1", Wcr::Sum}}, {binary(BinaryOp::Mul, f32("in"), f32("wgt"))});
  g.addState(std::move(s));
  return g;
}

/// Runs `cv` on random data; returns seconds, and the worst error of sampled outputs.
double timeConv(const Conv& cv, double* worst) {
  Graph g = convGraph(cv);
  Tensor x = randomTensor({1, cv.C, cv.H, cv.H}, 1), wt = randomTensor({cv.K, cv.C, cv.R, cv.R}, 2);
  auto start = std::chrono::steady_clock::now();
  auto out = targets::reference::run(g, {{"x", x}, {"wt", wt}});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Tensor& y = out.at("y");
  int64_t O = cv.out();
  *worst = 0;
  for (int64_t k : {int64_t{0}, cv.K / 2, cv.K - 1})
    for (int64_t h : {int64_t{0}, O / 3, O - 1})
      for (int64_t w : {int64_t{0}, O / 2, O - 1}) {
        double acc = 0;
        for (int64_t c = 0; c < cv.C; ++c)
          for (int64_t r = 0; r < cv.R; ++r)
            for (int64_t s = 0; s < cv.R; ++s) {
              int64_t hi = h * cv.stride + r - cv.pad, wi = w * cv.stride + s - cv.pad;
              if (hi < 0 || hi >= cv.H || wi < 0 || wi >= cv.H) continue;
              acc += double(x.data<float>()[(c * cv.H + hi) * cv.H + wi]) *
                     wt.data<float>()[((k * cv.C + c) * cv.R + r) * cv.R + s];
            }
        *worst = std::max(*worst, std::fabs(acc - y.data<float>()[(k * O + h) * O + w]));
      }
  return seconds;
}

/// Every convolution of ResNet-50 v1.5 (stride in the 3x3), with repeat counts.
std::vector<std::pair<Conv, int>> resnet50() {
  std::vector<std::pair<Conv, int>> convs = {{{3, 224, 64, 7, 2, 3}, 1}};
  struct Stage { int64_t width, blocks, inChannels, size; };
  for (Stage st : {Stage{64, 3, 64, 56}, Stage{128, 4, 256, 56}, Stage{256, 6, 512, 28}, Stage{512, 3, 1024, 14}}) {
    int64_t stride = st.width == 64 ? 1 : 2, out = st.size / stride, wide = 4 * st.width;
    convs.push_back({{st.inChannels, st.size, st.width, 1, 1, 0}, 1});       // block 1: reduce
    convs.push_back({{st.width, st.size, st.width, 3, stride, 1}, 1});        // block 1: 3x3
    convs.push_back({{st.inChannels, st.size, wide, 1, stride, 0}, 1});       // downsample
    convs.push_back({{wide, out, st.width, 1, 1, 0}, int(st.blocks - 1)});    // reduce
    convs.push_back({{st.width, out, st.width, 3, 1, 1}, int(st.blocks - 1)}); // 3x3
    convs.push_back({{st.width, out, wide, 1, 1, 0}, int(st.blocks)});         // expand
  }
  return convs;
}

}  // namespace

int main(int argc, char** argv) {
  bool whole = argc > 1 && std::strcmp(argv[1], "--resnet50") == 0;
  std::vector<std::pair<Conv, int>> convs = whole ? resnet50() : std::vector<std::pair<Conv, int>>{{{64, 56, 64, 3, 1, 1}, 1}};
  double total = 0, gmacs = 0, worst = 0;
  for (const auto& [cv, repeats] : convs) {
    double error = 0;
    double seconds = timeConv(cv, &error);
    worst = std::max(worst, error);
    total += seconds * repeats;
    gmacs += cv.gmacs() * repeats;
    std::printf("conv C=%lld H=%lld K=%lld R=%lld stride=%lld x%d: %.3f s each (%.3f GMAC, %.0f MMAC/s)\n",
                (long long)cv.C, (long long)cv.H, (long long)cv.K, (long long)cv.R, (long long)cv.stride,
                repeats, seconds, cv.gmacs(), cv.gmacs() * 1e3 / seconds);
  }
  std::printf("total: %.2f s for %.2f GMAC (%.0f MMAC/s), max abs error vs loops %.2e\n", total, gmacs,
              gmacs * 1e3 / total, worst);
  return worst < 1e-3 ? 0 : 1;
}
