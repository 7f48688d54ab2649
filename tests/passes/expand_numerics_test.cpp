// Expanded library nodes compute what their ops mean: each test expands a one-node graph, runs
// it through the reference interpreter on small random inputs and compares with plain loops
// (tests/passes/expansion_checks.h). The ops that index with run-time values — gathers,
// scatters, OneHot, TopK, the losses — are in expand_indexing_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <random>

#include "ir/error.h"
#include "passes/expand_library_nodes.h"
#include "tests/passes/expansion_checks.h"
#include "tests/passes/library_graphs.h"

namespace conflux::passes {
namespace {

using namespace ir;
using namespace testing::expansion;
using testing::singleOpGraph;

/// The index into an input of `shape` broadcast to output index `index` (NumPy rules).
Index broadcast(const Index& shape, const Index& index) {
  Index result;
  size_t lead = index.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) result.push_back(shape[d] == 1 ? 0 : index[lead + d]);
  return result;
}

// ---- Element-wise ----------------------------------------------------------------------------

TEST(ExpandNumerics, AddBroadcasts) {
  Tensor a = random({2, 3, 4}, 1), b = random({3, 1}, 2);
  checkOp(OpKind::Add, NoAttrs{}, {a, b}, expected({2, 3, 4}, [&](const Index& i) {
            return get(a, i) + get(b, broadcast(b.shape(), i));
          }));
}

TEST(ExpandNumerics, WhereBroadcastsAllThree) {
  Tensor c(DType::Bool, {2, 1});
  c.set(0, 1);
  c.set(1, 0);
  Tensor a = random({2, 3}, 3), b = random({3}, 4);
  checkOp(OpKind::Where, NoAttrs{}, {c, a, b}, expected({2, 3}, [&](const Index& i) {
            return get(c, {i[0], 0}) != 0 ? get(a, i) : get(b, {i[1]});
          }));
}

TEST(ExpandNumerics, ClipBetweenBounds) {
  Tensor x = random({3, 4}, 5, -3, 3);
  checkOp(OpKind::Clip, ActivationAttrs{-1.0, 0.5}, {x},
          expected({3, 4}, [&](const Index& i) { return std::clamp(get(x, i), -1.0, 0.5); }));
}

TEST(ExpandNumerics, GeluErfAndTanh) {
  Tensor x = random({2, 5}, 6, -3, 3);
  checkOp(OpKind::Gelu, ActivationAttrs{}, {x}, expected({2, 5}, [&](const Index& i) {
            double v = get(x, i);
            return 0.5 * v * (1 + std::erf(v / std::numbers::sqrt2));
          }));
  ActivationAttrs tanh;
  tanh.tanhApproximation = true;
  checkOp(OpKind::Gelu, tanh, {x}, expected({2, 5}, [&](const Index& i) {
            double v = get(x, i);
            double inner = std::sqrt(2 / std::numbers::pi) * (v + 0.044715 * v * v * v);
            return 0.5 * v * (1 + std::tanh(inner));
          }));
}

TEST(ExpandNumerics, SinhAsinhAndAtanhKeepTheLowBitsOfSmallInputs) {
  // e^x - e^-x and log(1 + x) round away the low bits of a small x (sinh(1e-7) came out 1.2e-7):
  // below 0.1 the expansions switch to the Taylor series; the formulas take over with a relative
  // error of about 5e-7 just above it.
  const std::vector<double> values = {1e-7, -3e-5, 2e-3, -0.05, 0.0999, 0.1, -0.3, 0.7};
  Tensor x = Tensor::fromDoubles(DType::F32, {8}, values);
  const std::vector<std::pair<OpKind, double (*)(double)>> functions = {
      {OpKind::Sinh, std::sinh}, {OpKind::Asinh, std::asinh}, {OpKind::Atanh, std::atanh}};
  for (const auto& [op, exact] : functions) {
    Graph g = singleOpGraph(op, NoAttrs{}, {{"x", {8}}}, {{"y", {8}}});
    Tensor y = expandAndRun(std::move(g), {{"x", x}}).at("y");
    for (int64_t i = 0; i < 8; ++i) {
      double want = exact(x.at(i));
      EXPECT_NEAR(y.at(i), want, 1e-6 * std::abs(want)) << opKindName(op) << " of " << x.at(i);
    }
  }
}

// ---- Contractions ----------------------------------------------------------------------------

TEST(ExpandNumerics, MatMulBroadcastsBatches) {
  Tensor a = random({2, 1, 3, 4}, 7), b = random({5, 4, 6}, 8);
  checkOp(OpKind::MatMul, NoAttrs{}, {a, b}, expected({2, 5, 3, 6}, [&](const Index& i) {
            double sum = 0;
            for (int64_t k = 0; k < 4; ++k)
              sum += get(a, {i[0], 0, i[2], k}) * get(b, {i[1], k, i[3]});
            return sum;
          }));
}

TEST(ExpandNumerics, MatMulPromotesVectors) {
  Tensor v = random({4}, 9), m = random({2, 4, 3}, 10);
  checkOp(OpKind::MatMul, NoAttrs{}, {v, m}, expected({2, 3}, [&](const Index& i) {
            double sum = 0;
            for (int64_t k = 0; k < 4; ++k) sum += get(v, {k}) * get(m, {i[0], k, i[1]});
            return sum;
          }));
}

TEST(ExpandNumerics, GemmTransBWithBias) {
  Tensor a = random({3, 4}, 11), b = random({5, 4}, 12), c = random({5}, 13);
  checkOp(OpKind::Gemm, GemmAttrs{0.5, 2.0, false, true}, {a, b, c},
          expected({3, 5}, [&](const Index& i) {
            double sum = 0;
            for (int64_t k = 0; k < 4; ++k) sum += get(a, {i[0], k}) * get(b, {i[1], k});
            return 0.5 * sum + 2.0 * get(c, {i[1]});
          }));
}

/// Conv over two spatial dimensions with plain loops; taps outside the input read zero.
Tensor convReference(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvAttrs& a,
                     const Index& yShape) {
  int64_t groupOut = yShape[1] / a.group, groupIn = x.shape()[1] / a.group;
  return expected(yShape, [&](const Index& i) {
    int64_t g = i[1] / groupOut;
    double sum = get(bias, {i[1]});
    for (int64_t c = 0; c < groupIn; ++c)
      for (int64_t kh = 0; kh < a.kernelShape[0]; ++kh)
        for (int64_t kw = 0; kw < a.kernelShape[1]; ++kw) {
          int64_t h = i[2] * a.strides[0] + kh * a.dilations[0] - a.pads[0];
          int64_t v = i[3] * a.strides[1] + kw * a.dilations[1] - a.pads[1];
          if (h < 0 || h >= x.shape()[2] || v < 0 || v >= x.shape()[3]) continue;
          sum += get(x, {i[0], g * groupIn + c, h, v}) * get(w, {i[1], c, kh, kw});
        }
    return sum;
  });
}

TEST(ExpandNumerics, ConvWithGroupsStridesPadsAndDilations) {
  ConvAttrs a{{3, 3}, {2, 1}, {1, 2, 1, 0}, {1, 2}, {}, 2};
  Tensor x = random({2, 4, 7, 6}, 14), w = random({6, 2, 3, 3}, 15), b = random({6}, 16);
  checkOp(OpKind::Conv, a, {x, w, b}, convReference(x, w, b, a, {2, 6, 4, 4}));
}

TEST(ExpandNumerics, DepthwiseConv) {
  ConvAttrs a{{3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, {}, 3};
  Tensor x = random({1, 3, 5, 5}, 17), w = random({3, 1, 3, 3}, 18), b = random({3}, 19);
  checkOp(OpKind::Conv, a, {x, w, b}, convReference(x, w, b, a, {1, 3, 5, 5}));
}

/// Marks the library node of a one-node graph for Winograd's expansion.
void chooseWinograd(Graph& g) {
  State& state = g.state(0);
  for (NodeId id : state.nodeIds())
    if (auto* library = std::get_if<LibraryNode>(&state.node(id).payload)) library->expansion = Expansion::Winograd;
}

/// Conv `a` of x by the constant weights w (array x1) and the bias b, expanded by Winograd's
/// algorithm, against plain loops.
void checkWinograd(const ConvAttrs& a, const Tensor& x, const Tensor& w, const Tensor& b, const Index& yShape) {
  Graph g = singleOpGraph(OpKind::Conv, a,
                          {{"x0", x.shape()}, {"x1", w.shape()}, {"x2", b.shape()}}, {{"y", yShape}});
  g.setConstantValue("x1", w);
  g.setInputs({"x0", "x2"});
  chooseWinograd(g);
  std::map<std::string, Tensor> out = expandAndRun(std::move(g), {{"x0", x}, {"x2", b}});
  expectClose(out.at("y"), convReference(x, w, b, a, yShape));
}

TEST(ExpandNumerics, WinogradConvWithAndWithoutPadding) {
  Tensor x = random({2, 3, 6, 8}, 23), w = random({5, 3, 3, 3}, 24), b = random({5}, 25);
  checkWinograd({{3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, {}, 1}, x, w, b, {2, 5, 6, 8});
  checkWinograd({{3, 3}, {1, 1}, {0, 0, 0, 0}, {1, 1}, {}, 1}, x, w, b, {2, 5, 4, 6});
  // Uneven pads: one row above, three below (6 + 4 - 2 = 8 rows out).
  checkWinograd({{3, 3}, {1, 1}, {1, 0, 3, 2}, {1, 1}, {}, 1}, x, w, b, {2, 5, 8, 8});
}

TEST(ExpandNumerics, WinogradRefusesAConvItDoesNotHandle) {
  ConvAttrs strided{{3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, {}, 1};
  Graph g = singleOpGraph(OpKind::Conv, strided, {{"x0", {1, 3, 8, 8}}, {"x1", {4, 3, 3, 3}}}, {{"y", {1, 4, 4, 4}}});
  g.setConstantValue("x1", random({4, 3, 3, 3}, 26));
  g.setInputs({"x0"});
  chooseWinograd(g);
  try {
    expandLibraryNodes(g);
    FAIL() << "expanded a stride-2 convolution by Winograd's algorithm";
  } catch (const conflux::Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'node' (Conv): Winograd's expansion needs"), std::string::npos) << e.what();
  }
}

/// ConvTranspose over two spatial dimensions: every input element scatters into the output.
Tensor convTransposeReference(const Tensor& x, const Tensor& w, const Tensor* bias,
                              const ConvAttrs& a, const Index& yShape) {
  Tensor y(DType::F32, yShape);
  int64_t groupIn = x.shape()[1] / a.group, groupOut = w.shape()[1];
  forEachIndex(yShape,
               [&](const Index& i) { y.set(offset(yShape, i), bias ? get(*bias, {i[1]}) : 0); });
  forEachIndex(x.shape(), [&](const Index& i) {
    int64_t g = i[1] / groupIn;
    for (int64_t m = 0; m < groupOut; ++m)
      for (int64_t kh = 0; kh < a.kernelShape[0]; ++kh)
        for (int64_t kw = 0; kw < a.kernelShape[1]; ++kw) {
          int64_t h = i[2] * a.strides[0] + kh * a.dilations[0] - a.pads[0];
          int64_t v = i[3] * a.strides[1] + kw * a.dilations[1] - a.pads[1];
          if (h < 0 || h >= yShape[2] || v < 0 || v >= yShape[3]) continue;
          int64_t at = offset(yShape, {i[0], g * groupOut + m, h, v});
          y.set(at, y.at(at) + get(x, i) * get(w, {i[1], m, kh, kw}));
        }
  });
  return y;
}

TEST(ExpandNumerics, ConvTransposeWithPadsAndOutputPadding) {
  ConvAttrs a{{3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, {1, 1}, 1};
  Tensor x = random({1, 2, 3, 3}, 20), w = random({2, 3, 3, 3}, 21), b = random({3}, 22);
  checkOp(OpKind::ConvTranspose, a, {x, w, b}, convTransposeReference(x, w, &b, a, {1, 3, 6, 6}));
}

TEST(ExpandNumerics, GroupedDilatedConvTransposeWithoutBias) {
  ConvAttrs a{{2, 2}, {1, 2}, {0, 0, 0, 0}, {2, 1}, {}, 2};
  Tensor x = random({2, 4, 3, 2}, 23), w = random({4, 1, 2, 2}, 24);
  checkOp(OpKind::ConvTranspose, a, {x, w}, convTransposeReference(x, w, nullptr, a, {2, 2, 5, 4}));
}

// ---- Normalisations and reductions -----------------------------------------------------------

/// exp(x - max) / sum over axis 1 of a rank-3 tensor, or its log.
Tensor softmaxReference(const Tensor& x, bool log) {
  return expected(x.shape(), [&](const Index& i) {
    double max = -std::numeric_limits<double>::infinity(), sum = 0;
    for (int64_t k = 0; k < x.shape()[1]; ++k) max = std::max(max, get(x, {i[0], k, i[2]}));
    for (int64_t k = 0; k < x.shape()[1]; ++k) sum += std::exp(get(x, {i[0], k, i[2]}) - max);
    double shifted = get(x, i) - max;
    return log ? shifted - std::log(sum) : std::exp(shifted) / sum;
  });
}

TEST(ExpandNumerics, SoftmaxAndLogSoftmaxAlongAnInnerAxis) {
  Tensor x = random({2, 5, 3}, 25, -4, 4);
  checkOp(OpKind::Softmax, AxisAttrs{1}, {x}, softmaxReference(x, false));
  checkOp(OpKind::LogSoftmax, AxisAttrs{1}, {x}, softmaxReference(x, true));
}

TEST(ExpandNumerics, LayerNormWithMeanAndInvStdDevOutputs) {
  Tensor x = random({2, 3, 4}, 26), scale = random({3, 4}, 27), bias = random({4}, 28);
  double epsilon = 1e-5;
  Graph g = singleOpGraph(OpKind::LayerNormalization, NormAttrs{epsilon, 1},
                          {{"x", {2, 3, 4}}, {"s", {3, 4}}, {"b", {4}}},
                          {{"y", {2, 3, 4}}, {"mean", {2, 1, 1}}, {"inv", {2, 1, 1}}});
  auto out = expandAndRun(std::move(g), {{"x", x}, {"s", scale}, {"b", bias}});
  std::vector<double> mean(2, 0), inv(2, 0);
  for (int64_t n = 0; n < 2; ++n) {
    double sum = 0, squares = 0;
    forEachIndex({3, 4}, [&](const Index& i) { sum += get(x, {n, i[0], i[1]}); });
    mean[n] = sum / 12;
    forEachIndex({3, 4}, [&](const Index& i) {
      double d = get(x, {n, i[0], i[1]}) - mean[n];
      squares += d * d;
    });
    inv[n] = 1 / std::sqrt(squares / 12 + epsilon);
  }
  expectClose(out.at("y"),
              expected({2, 3, 4},
                       [&](const Index& i) {
                         return (get(x, i) - mean[i[0]]) * inv[i[0]] * get(scale, {i[1], i[2]}) +
                                get(bias, {i[2]});
                       }),
              1e-4);
  expectClose(out.at("mean"), expected({2, 1, 1}, [&](const Index& i) { return mean[i[0]]; }));
  expectClose(out.at("inv"), expected({2, 1, 1}, [&](const Index& i) { return inv[i[0]]; }), 1e-4);
}

TEST(ExpandNumerics, BatchNormalization) {
  Tensor x = random({2, 3, 4, 4}, 29), scale = random({3}, 30), bias = random({3}, 31);
  Tensor mean = random({3}, 32), var = random({3}, 33, 0.5, 2.0);
  double epsilon = 1e-3;
  checkOp(OpKind::BatchNormalization, NormAttrs{epsilon, -1}, {x, scale, bias, mean, var},
          expected({2, 3, 4, 4},
                   [&](const Index& i) {
                     int64_t c = i[1];
                     return (get(x, i) - get(mean, {c})) / std::sqrt(get(var, {c}) + epsilon) *
                                get(scale, {c}) +
                            get(bias, {c});
                   }),
          1e-4);
}

TEST(ExpandNumerics, ReduceMeanKeepDims) {
  Tensor x = random({2, 3, 4}, 34);
  checkOp(OpKind::ReduceMean, ReduceAttrs{{1, 2}, true}, {x},
          expected({2, 1, 1}, [&](const Index& i) {
            double sum = 0;
            forEachIndex({3, 4}, [&](const Index& j) { sum += get(x, {i[0], j[0], j[1]}); });
            return sum / 12;
          }));
}

TEST(ExpandNumerics, ReduceLogSumExpOfLargeValuesDoesNotOverflow) {
  // exp(1000) overflows float32; the expansion subtracts the row's maximum first.
  Tensor x(DType::F32, {2, 3});
  const double values[] = {1000, 999, -1000, -5, 0.5, 2};
  for (int64_t i = 0; i < 6; ++i) x.set(i, values[i]);
  checkOp(OpKind::ReduceLogSumExp, ReduceAttrs{{1}, false}, {x}, expected({2}, [&](const Index& i) {
            double m = std::max({get(x, {i[0], 0}), get(x, {i[0], 1}), get(x, {i[0], 2})}), sum = 0;
            for (int64_t j = 0; j < 3; ++j) sum += std::exp(get(x, {i[0], j}) - m);
            return m + std::log(sum);
          }));
}

TEST(ExpandNumerics, ArgMaxAndArgMinPickTheFirstOrLastOfEqualExtremes) {
  Tensor x(DType::F32, {2, 4});
  const double values[] = {3, 7, 7, 1, 2, 2, 5, 2};
  for (int64_t i = 0; i < 8; ++i) x.set(i, values[i]);
  auto indices = [](std::vector<double> v) {
    Tensor t(DType::I64, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.set(static_cast<int64_t>(i), v[i]);
    return t;
  };
  checkOp(OpKind::ArgMax, ArgReduceAttrs{1, false, false}, {x}, indices({1, 2}));
  checkOp(OpKind::ArgMax, ArgReduceAttrs{1, false, true}, {x}, indices({2, 2}));
  checkOp(OpKind::ArgMin, ArgReduceAttrs{1, false, false}, {x}, indices({3, 0}));
  checkOp(OpKind::ArgMin, ArgReduceAttrs{1, false, true}, {x}, indices({3, 3}));
}

TEST(ExpandNumerics, ReduceMaxDropsDims) {
  Tensor x = random({2, 3, 4}, 35);
  checkOp(OpKind::ReduceMax, ReduceAttrs{{0, 2}, false}, {x}, expected({3}, [&](const Index& i) {
            double max = -std::numeric_limits<double>::infinity();
            forEachIndex({2, 4}, [&](const Index& j) {
              max = std::max(max, get(x, {j[0], i[0], j[1]}));
            });
            return max;
          }));
}

TEST(ExpandNumerics, LrnSumsSquaresOverTheNeighbouringChannelsThatExist) {
  Tensor x = random({1, 5, 2, 2}, 61);
  for (int64_t size : {3, 4}) {  // an even size reaches one channel further up than down
    LrnAttrs a{0.5, 0.75, 2.0, size};
    checkOp(OpKind::LRN, a, {x}, expected(x.shape(), [&](const Index& i) {
              double sum = 0;
              for (int64_t c = i[1] - (size - 1) / 2; c <= i[1] + size / 2; ++c)
                if (c >= 0 && c < 5) sum += std::pow(get(x, {i[0], c, i[2], i[3]}), 2);
              return get(x, i) /
                     std::pow(a.bias + a.alpha / static_cast<double>(size) * sum, a.beta);
            }));
  }
}

// ---- Pooling ---------------------------------------------------------------------------------

/// A 2-D pool with plain loops. Max and sums see only in-bounds taps; an average divides by the
/// taps inside the padded input (countIncludePad) or inside the input.
Tensor poolReference(const Tensor& x, const PoolAttrs& a, const Index& yShape, bool max) {
  Index dilations = a.dilations.empty() ? Index{1, 1} : a.dilations;
  Index pads = a.pads.empty() ? Index{0, 0, 0, 0} : a.pads;
  return expected(yShape, [&](const Index& i) {
    double acc = max ? -std::numeric_limits<double>::infinity() : 0;
    int64_t count = 0;
    for (int64_t kh = 0; kh < a.kernelShape[0]; ++kh)
      for (int64_t kw = 0; kw < a.kernelShape[1]; ++kw) {
        int64_t h = i[2] * a.strides[0] + kh * dilations[0] - pads[0];
        int64_t v = i[3] * a.strides[1] + kw * dilations[1] - pads[1];
        bool inside = h >= 0 && h < x.shape()[2] && v >= 0 && v < x.shape()[3];
        bool inPadded = h >= -pads[0] && h < x.shape()[2] + pads[2] && v >= -pads[1] &&
                        v < x.shape()[3] + pads[3];
        count += (a.countIncludePad ? inPadded : inside) ? 1 : 0;
        if (!inside) continue;
        double value = get(x, {i[0], i[1], h, v});
        acc = max ? std::max(acc, value) : acc + value;
      }
    return max ? acc : acc / static_cast<double>(count);
  });
}

TEST(ExpandNumerics, MaxPoolWithPads) {
  PoolAttrs a{{3, 3}, {2, 2}, {1, 1, 1, 1}, {}, false, false};
  Tensor x = random({1, 2, 5, 5}, 36);
  checkOp(OpKind::MaxPool, a, {x}, poolReference(x, a, {1, 2, 3, 3}, true));
}

TEST(ExpandNumerics, AveragePoolCountIncludePad) {
  PoolAttrs a{{3, 3}, {2, 2}, {1, 1, 1, 1}, {}, false, true};
  Tensor x = random({1, 2, 5, 5}, 37);
  checkOp(OpKind::AveragePool, a, {x}, poolReference(x, a, {1, 2, 3, 3}, false));
}

TEST(ExpandNumerics, AveragePoolCeilModeExcludesPadAndOverhang) {
  PoolAttrs a{{2, 3}, {2, 2}, {0, 1, 0, 1}, {1, 1}, true, false};
  Tensor x = random({1, 2, 5, 6}, 38);
  // H: ceil((5 - 2) / 2) + 1 = 3 (the last window overhangs); W: ceil((6 + 2 - 3) / 2) + 1 = 4.
  checkOp(OpKind::AveragePool, a, {x}, poolReference(x, a, {1, 2, 3, 4}, false));
}

TEST(ExpandNumerics, GlobalAveragePool) {
  Tensor x = random({2, 3, 4, 5}, 39);
  checkOp(OpKind::GlobalAveragePool, NoAttrs{}, {x}, expected({2, 3, 1, 1}, [&](const Index& i) {
            double sum = 0;
            forEachIndex({4, 5}, [&](const Index& j) { sum += get(x, {i[0], i[1], j[0], j[1]}); });
            return sum / 20;
          }));
}

// ---- Data movement ---------------------------------------------------------------------------

TEST(ExpandNumerics, Transpose) {
  Tensor x = random({2, 3, 4}, 40);
  checkOp(OpKind::Transpose, TransposeAttrs{{2, 0, 1}}, {x},
          expected({4, 2, 3}, [&](const Index& i) {
            return get(x, {i[1], i[2], i[0]});
          }));
}

/// Reshape keeps the row-major order of the elements.
Tensor reshaped(const Tensor& x, const Index& shape) {
  Tensor y(DType::F32, shape);
  for (int64_t i = 0; i < x.numElements(); ++i) y.set(i, x.at(i));
  return y;
}

TEST(ExpandNumerics, ReshapeAffineAndGeneral) {
  Tensor x = random({6, 4}, 41);
  checkOp(OpKind::Reshape, NoAttrs{}, {x}, reshaped(x, {4, 6}));
  checkOp(OpKind::Reshape, NoAttrs{}, {x}, reshaped(x, {2, 3, 1, 4}));
  checkOp(OpKind::Flatten, NoAttrs{}, {random({2, 3, 4}, 42)},
          reshaped(random({2, 3, 4}, 42), {2, 12}));
}

TEST(ExpandNumerics, ConcatAlongAnInnerAxis) {
  Tensor a = random({2, 1}, 43), b = random({2, 3}, 44), c = random({2, 2}, 45);
  checkOp(OpKind::Concat, AxisAttrs{1}, {a, b, c}, expected({2, 6}, [&](const Index& i) {
            if (i[1] < 1) return get(a, i);
            if (i[1] < 4) return get(b, {i[0], i[1] - 1});
            return get(c, {i[0], i[1] - 4});
          }));
}

TEST(ExpandNumerics, SliceWithNegativeSteps) {
  Tensor x = random({4, 6}, 46);
  // Axis 1 from 5 down to (excluded) 0 by -2: 5, 3, 1; axis 0 from 1 to 3: 1, 2.
  checkOp(OpKind::Slice, SliceAttrs{{1, 0}, {5, 1}, {0, 3}, {-2, 1}}, {x},
          expected({2, 3}, [&](const Index& i) {
            return get(x, {1 + i[0], 5 - 2 * i[1]});
          }));
}

TEST(ExpandNumerics, PadReflect) {
  Tensor x = random({3, 4}, 48);
  Index pads = {2, 0, 1, 3};
  auto reflect = [](int64_t j, int64_t n) {
    while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
    return j;
  };
  checkOp(OpKind::Pad, PadAttrs{pads, "reflect", 0.0}, {x}, expected({6, 7}, [&](const Index& i) {
            return get(x, {reflect(i[0] - 2, 3), reflect(i[1], 4)});
          }));
}

TEST(ExpandNumerics, PadConstant) {
  Tensor x = random({3, 4}, 49);
  checkOp(OpKind::Pad, PadAttrs{{1, 0, 0, 2}, "constant", 1.5}, {x},
          expected({4, 6}, [&](const Index& i) {
            bool inside = i[0] >= 1 && i[1] < 4;
            return inside ? get(x, {i[0] - 1, i[1]}) : 1.5;
          }));
}

TEST(ExpandNumerics, ResizeNearestAsymmetricFloor) {
  Tensor x = random({1, 1, 3, 4}, 50);
  ResizeAttrs a;
  a.scales = {1, 1, 2, 1.5};
  a.coordinateTransformation = "asymmetric";
  a.nearestMode = "floor";
  checkOp(OpKind::Resize, a, {x}, expected({1, 1, 6, 6}, [&](const Index& i) {
            int64_t h = static_cast<int64_t>(std::floor(static_cast<double>(i[2]) / 2));
            int64_t w = static_cast<int64_t>(std::floor(static_cast<double>(i[3]) / 1.5));
            return get(x, {0, 0, std::min<int64_t>(h, 2), std::min<int64_t>(w, 3)});
          }));
}

TEST(ExpandNumerics, ResizeLinearHalfPixel) {
  Tensor x = random({1, 2, 3, 4}, 51);
  ResizeAttrs a;
  a.scales = {1, 1, 2, 1.5};
  a.mode = "linear";
  // Source coordinate (o + 0.5) / scale - 0.5; taps floor and floor + 1 clamped to the edge.
  auto taps = [](int64_t o, double scale, int64_t n) {
    double x = (static_cast<double>(o) + 0.5) / scale - 0.5;
    double base = std::floor(x), r = x - base;
    auto clamp = [n](double i) { return std::clamp<int64_t>(static_cast<int64_t>(i), 0, n - 1); };
    return std::vector<std::pair<int64_t, double>>{{clamp(base), 1 - r}, {clamp(base + 1), r}};
  };
  checkOp(OpKind::Resize, a, {x},
          expected({1, 2, 6, 6},
                   [&](const Index& i) {
                     double sum = 0;
                     for (auto [h, wh] : taps(i[2], 2, 3))
                       for (auto [w, ww] : taps(i[3], 1.5, 4))
                         sum += wh * ww * get(x, {0, i[1], h, w});
                     return sum;
                   }),
          1e-4);
}

TEST(ExpandNumerics, ExpandAndTile) {
  Tensor x = random({3, 1}, 52);
  checkOp(OpKind::Expand, NoAttrs{}, {x}, expected({2, 3, 4}, [&](const Index& i) {
            return get(x, {i[1], 0});
          }));
  Tensor t = random({2, 3}, 53);
  checkOp(OpKind::Tile, NoAttrs{}, {t}, expected({4, 6}, [&](const Index& i) {
            return get(t, {i[0] % 2, i[1] % 3});
          }));
}

TEST(ExpandNumerics, TriluUpperFromFirstSuperdiagonal) {
  Tensor x = random({2, 3, 4}, 54);
  checkOp(OpKind::Trilu, TriluAttrs{true, 1}, {x},
          expected({2, 3, 4}, [&](const Index& i) { return i[2] - i[1] >= 1 ? get(x, i) : 0.0; }));
}

}  // namespace
}  // namespace conflux::passes
