// Expanded ops that index with run-time values compute what they mean: gathers, scatters,
// OneHot, TopK and the losses (which pick each target's class), each a one-node graph expanded,
// run on the reference interpreter and compared with plain loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "tests/passes/expansion_checks.h"
#include "tests/passes/library_graphs.h"

namespace conflux::passes {
namespace {

using namespace ir;
using namespace testing::expansion;
using testing::singleOpGraph;

// ---- Gathers and OneHot ----------------------------------------------------------------------

TEST(ExpandNumerics, GatherWrapsNegativeIndices) {
  Tensor x = random({2, 5, 3}, 47);
  Tensor idx = Tensor::fromDoubles(DType::I64, {2, 2}, {0, -1, 3, -5});
  checkOp(OpKind::Gather, AxisAttrs{1}, {x, idx}, expected({2, 2, 2, 3}, [&](const Index& i) {
            int64_t k = static_cast<int64_t>(get(idx, {i[1], i[2]}));
            return get(x, {i[0], k < 0 ? k + 5 : k, i[3]});
          }));
}

TEST(ExpandNumerics, GatherNdLoadsTheElementOrBlockEachIndexTupleNames) {
  Tensor x = random({2, 3, 2}, 65);
  Tensor pairs = Tensor::fromDoubles(DType::I64, {2, 1, 2}, {1, -1, 0, 2});
  checkOp(OpKind::GatherND, GatherNdAttrs{0}, {x, pairs}, expected({2, 1, 2}, [&](const Index& i) {
            auto row = static_cast<int64_t>(get(pairs, {i[0], 0, 0}));
            auto col = static_cast<int64_t>(get(pairs, {i[0], 0, 1}));
            return get(x, {row, col < 0 ? col + 3 : col, i[2]});
          }));
  Tensor perBatch = Tensor::fromDoubles(DType::I64, {2, 1}, {2, 1});
  checkOp(OpKind::GatherND, GatherNdAttrs{1}, {x, perBatch}, expected({2, 2}, [&](const Index& i) {
            return get(x, {i[0], static_cast<int64_t>(get(perBatch, {i[0], 0})), i[1]});
          }));
}

TEST(ExpandNumerics, OneHotMarksEachIndexAlongTheInsertedAxis) {
  Tensor idx = Tensor::fromDoubles(DType::F32, {2, 2}, {1.7, -1, 7, 0});  // 7 is out of range
  Tensor values = Tensor::fromDoubles(DType::F32, {2}, {-2, 5});
  Graph g = singleOpGraph(OpKind::OneHot, OneHotAttrs{1, 4},
                          {{"idx", {2, 2}}, {"", {}}, {"values", {2}}}, {{"y", {2, 4, 2}}});
  Tensor want = expected({2, 4, 2}, [&](const Index& i) {
    auto k = static_cast<int64_t>(get(idx, {i[0], i[2]}));
    return (k < 0 ? k + 4 : k) == i[1] ? 5.0 : -2.0;
  });
  expectClose(expandAndRun(std::move(g), {{"idx", idx}, {"values", values}}).at("y"), want, 0);
}

/// ScatterElements along axis 1 of a [3, 4] data with plain loops: updates in order, so the last
/// of equal indices wins ("none"), or combined by `combine`.
Tensor scatterReference(const Tensor& data, const Tensor& idx, const Tensor& upd,
                        const std::function<double(double, double)>& combine) {
  Tensor out = data;
  forEachIndex(idx.shape(), [&](const Index& j) {
    auto k = static_cast<int64_t>(get(idx, j));
    Index at = {j[0], k < 0 ? k + 4 : k};
    out.set(offset(out.shape(), at), combine(get(out, at), get(upd, j)));
  });
  return out;
}

TEST(ExpandNumerics, ScatterElementsLetsTheLastUpdateWinOrCombinesThem) {
  Tensor data = random({3, 4}, 66), upd = random({2, 3}, 67);
  // Rows 0 and 1 of the indices (row 2 of the data gets no update); 1 and -3 name one element.
  Tensor idx = Tensor::fromDoubles(DType::I64, {2, 3}, {1, -3, 3, 0, 2, 2});
  auto replace = [](double, double u) { return u; };
  checkOp(OpKind::ScatterElements, ScatterAttrs{1, "none"}, {data, idx, upd},
          scatterReference(data, idx, upd, replace));
  checkOp(OpKind::ScatterElements, ScatterAttrs{1, "add"}, {data, idx, upd},
          scatterReference(data, idx, upd, std::plus<>()));
  checkOp(OpKind::ScatterElements, ScatterAttrs{1, "max"}, {data, idx, upd},
          scatterReference(data, idx, upd, [](double a, double u) { return std::max(a, u); }));
}

TEST(ExpandNumerics, ScatterNdWritesTheSliceEachTupleNames) {
  Tensor data = random({4, 3}, 68), upd = random({3, 3}, 69);
  Tensor rows = Tensor::fromDoubles(DType::I64, {3, 1}, {2, -4, 2});  // row 2 twice, row 0 once
  auto expectedRows = [&](bool add) {
    return expected({4, 3}, [&, add](const Index& i) {
      double value = get(data, i);
      for (int64_t t = 0; t < 3; ++t) {
        auto row = static_cast<int64_t>(get(rows, {t, 0}));
        if ((row < 0 ? row + 4 : row) == i[0])
          value = add ? value + get(upd, {t, i[1]}) : get(upd, {t, i[1]});
      }
      return value;
    });
  };
  checkOp(OpKind::ScatterND, ScatterAttrs{0, "none"}, {data, rows, upd}, expectedRows(false));
  checkOp(OpKind::ScatterND, ScatterAttrs{0, "add"}, {data, rows, upd}, expectedRows(true));
}

TEST(ExpandNumerics, TopKSortsTheKLargestOrSmallestWithTheLowerIndexFirst) {
  Tensor x = Tensor::fromDoubles(DType::F32, {2, 5}, {3, 9, 3, -1, 9, 0, 2, 2, 7, -4});
  for (bool largest : {true, false}) {
    Graph g = singleOpGraph(OpKind::TopK, TopKAttrs{1, 3, largest}, {{"x", {2, 5}}},
                            {{"values", {2, 3}}, {"indices", {2, 3}, DType::I64}});
    std::map<std::string, Tensor> out = expandAndRun(std::move(g), {{"x", x}});
    // Row 0: 9 at 1 and 4, then 3 at 0 (largest); -1, 3 at 0, 3 at 2 (smallest).
    std::vector<double> values =
        largest ? std::vector<double>{9, 9, 3, 7, 2, 2} : std::vector<double>{-1, 3, 3, -4, 0, 2};
    std::vector<double> indices =
        largest ? std::vector<double>{1, 4, 0, 3, 1, 2} : std::vector<double>{3, 0, 2, 4, 0, 1};
    expectClose(out.at("values"), Tensor::fromDoubles(DType::F32, {2, 3}, values), 0);
    expectClose(out.at("indices"), Tensor::fromDoubles(DType::I64, {2, 3}, indices), 0);
  }
}

// ---- Losses ----------------------------------------------------------------------------------

/// The per-element losses -x[n, t, d] * w[t] of scores x [N, C, D] and target t [N, D] (0 where
/// t is `ignored`), and the sum of the weights they picked.
std::pair<Tensor, double> nllReference(const Tensor& x, const Tensor& t, const Tensor& w,
                                       int64_t ignored) {
  double weights = 0;
  Tensor losses = expected(t.shape(), [&](const Index& i) {
    auto cls = static_cast<int64_t>(get(t, i));
    if (cls == ignored) return 0.0;
    weights += get(w, {cls});
    return -get(x, {i[0], cls, i[1]}) * get(w, {cls});
  });
  return {losses, weights};
}

TEST(ExpandNumerics, NegativeLogLikelihoodLossPicksEachTargetsClassAndSkipsTheIgnoredOne) {
  Tensor x = random({2, 3, 2}, 62), w = random({3}, 63, 0.5, 2.0);
  Tensor t = Tensor::fromDoubles(DType::I64, {2, 2}, {2, 0, 7, 1});  // 7 is ignored
  auto [losses, weights] = nllReference(x, t, w, 7);
  checkOp(OpKind::NegativeLogLikelihoodLoss, LossAttrs{"none", true, 7}, {x, t, w}, losses);
  double sum = 0;
  for (int64_t i = 0; i < losses.numElements(); ++i) sum += losses.at(i);
  checkOp(OpKind::NegativeLogLikelihoodLoss, LossAttrs{"sum", true, 7}, {x, t, w},
          expected({}, [&](const Index&) { return sum; }));
  checkOp(OpKind::NegativeLogLikelihoodLoss, LossAttrs{"mean", true, 7}, {x, t, w},
          expected({}, [&](const Index&) { return sum / weights; }));
}

TEST(ExpandNumerics, SoftmaxCrossEntropyLossIsTheLogLikelihoodOfTheLogSoftmax) {
  Tensor x = random({3, 4}, 64, -3.0, 3.0);
  Tensor t = Tensor::fromDoubles(DType::I64, {3}, {3, 0, 2});
  checkOp(OpKind::SoftmaxCrossEntropyLoss, LossAttrs{}, {x, t}, expected({}, [&](const Index&) {
            double mean = 0;
            for (int64_t n = 0; n < 3; ++n) {
              double sum = 0;
              for (int64_t c = 0; c < 4; ++c) sum += std::exp(get(x, {n, c}));
              mean -= (get(x, {n, static_cast<int64_t>(get(t, {n}))}) - std::log(sum)) / 3;
            }
            return mean;
          }));
}

}  // namespace
}  // namespace conflux::passes
