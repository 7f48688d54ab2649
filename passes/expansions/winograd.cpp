// Conv 3x3 (stride 1, no dilation, one group) as Winograd's minimal filtering F(2x2, 3x3)
// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): the output is
// cut into 2x2 tiles, each computed from its 4x4 input tile d and the 3x3 filter g as
//   Y = A^T [ (G g G^T) . (B^T d B) ] A
// with "." the element-wise product over the 16 transformed positions p. Summed over input
// channels, the product becomes 16 independent matrix products, one per position:
// 16 multiplications per tile and channel pair instead of 36 (2.25x fewer).
//
// Three maps, each a plain contraction the targets already schedule:
//   V[p, n, ty, tx, c] = sum_ij BB[p, i, j] * xp[n, c, 2ty + i, 2tx + j]     (input transform)
//   M[p, n, ty, tx, k] = sum_c  V[p, n, ty, tx, c] * U[p, c, k]              (16 products)
//   Y[n, k, 2ty + a, 2tx + b] = bias[k] + sum_p AA[a, b, p] * M[p, n, ty, tx, k]  (output)
// with BB and AA the outer products of B^T's and A^T's rows, and U = G g G^T computed here,
// once, from the constant weights (a compile-time packing of the filter).
#include "passes/expansions/winograd.h"

#include <array>
#include <utility>

#include "passes/expansions/convolution.h"
#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

constexpr int kTile = 4;        // input tile edge (output tile 2 + filter 3 - 1)
constexpr int kPositions = 16;  // transformed positions p = 4 * xi + nu

constexpr std::array<std::array<double, 4>, 4> kBt = {
    {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}};
constexpr std::array<std::array<double, 3>, 4> kG = {
    {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}};
constexpr std::array<std::array<double, 4>, 2> kAt = {{{1, 1, 1, 0}, {0, 1, -1, -1}}};

/// BB[p, i, j] = B^T[xi, i] * B^T[nu, j].
Tensor inputTransform(DType dtype) {
  std::vector<double> values;
  for (int p = 0; p < kPositions; ++p)
    for (int i = 0; i < kTile; ++i)
      for (int j = 0; j < kTile; ++j) values.push_back(kBt[p / 4][i] * kBt[p % 4][j]);
  return Tensor::fromDoubles(dtype, {kPositions, kTile, kTile}, values);
}

/// AA[a, b, p] = A^T[a, xi] * A^T[b, nu].
Tensor outputTransform(DType dtype) {
  std::vector<double> values;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int p = 0; p < kPositions; ++p) values.push_back(kAt[a][p / 4] * kAt[b][p % 4]);
  return Tensor::fromDoubles(dtype, {2, 2, kPositions}, values);
}

/// U[p, c, k] = sum_rs G[xi, r] * G[nu, s] * W[k, c, r, s] for float32 weights W of shape
/// [K, C, 3, 3], as (G g) G^T per filter g = W[k, c] (84 multiply-adds instead of 144).
Tensor filterTransform(const Tensor& weights) {
  int64_t channelsOut = weights.shape()[0], channelsIn = weights.shape()[1];
  Tensor u(DType::F32, {kPositions, channelsIn, channelsOut}, "winograd filter");
  const float* w = weights.data<float>();
  float* out = u.data<float>();
  for (int64_t k = 0; k < channelsOut; ++k)
    for (int64_t c = 0; c < channelsIn; ++c) {
      const float* g = w + (k * channelsIn + c) * 9;
      double gg[4][3] = {};  // G g
      for (int xi = 0; xi < 4; ++xi)
        for (int r = 0; r < 3; ++r)
          for (int s = 0; s < 3; ++s) gg[xi][s] += kG[xi][r] * g[r * 3 + s];
      for (int xi = 0; xi < 4; ++xi)
        for (int nu = 0; nu < 4; ++nu) {
          double sum = 0;
          for (int s = 0; s < 3; ++s) sum += gg[xi][s] * kG[nu][s];
          out[((xi * 4 + nu) * channelsIn + c) * channelsOut + k] = static_cast<float>(sum);
        }
    }
  return u;
}

/// A transient "<label>_<role>" of `shape` and the fill writing zeros into it ("<role>_init"):
/// the access node the fill writes, which accumulating maps run after, and the one they write.
std::pair<NodeId, NodeId> zeroed(Builder& b, const std::string& role, DType dtype,
                                 std::vector<int64_t> shape) {
  std::string name = b.addTransient(role, dtype, std::move(shape));
  NodeId init = b.fill(b.addAccess(name), constant(0.0, dtype), role + "_init");
  return {init, b.addAccess(name)};
}

/// A map accumulating a * b into `out` with WCR sum after `after`.
void accumulate(Builder& b, const std::string& role, std::vector<std::string> params,
                std::vector<int64_t> sizes, Port lhs, Port rhs, Port out, NodeId after) {
  DType dtype = b.descOf(out.access).dtype;
  out.wcr = Wcr::Sum;
  b.addMap({role,
            std::move(params),
            Subset::full(sizes),
            {lhs, rhs},
            {out},
            {mul(ref(lhs.conn, dtype), ref(rhs.conn, dtype))},
            {after}});
}

}  // namespace

bool winogradApplies(const Builder& b) {
  if (b.op().op != OpKind::Conv || !b.constantValue("in1")) return false;
  for (const char* conn : {"in0", "in1", "out0"})
    if (b.dtype(conn) != DType::F32) return false;
  const auto [xShape, wShape, yShape, w] = convOperands(b);
  if (w.spatial != 2 || b.attrs<ConvAttrs>().group != 1) return false;
  for (size_t d = 0; d < 2; ++d)
    if (w.kernel[d] != 3 || w.strides[d] != 1 || w.dilations[d] != 1 || yShape[d + 2] % 2 != 0)
      return false;
  return wShape[0] == yShape[1] && wShape[1] == xShape[1];
}

void expandConvWinograd(Builder& b) {
  if (!winogradApplies(b))
    b.fail(
        "Winograd's expansion needs a float32 2-D Conv with constant 3x3 weights, stride 1, no "
        "dilation, one group and an even output size");
  const auto [xShape, wShape, yShape, w] = convOperands(b);
  DType dtype = b.dtype("out0");
  int64_t batch = yShape[0], channelsIn = xShape[1], channelsOut = yShape[1];
  int64_t tilesY = yShape[2] / 2, tilesX = yShape[3] / 2;

  NodeId x = b.access("in0");
  std::vector<int64_t> padded = {batch, channelsIn, 2 * tilesY + 2, 2 * tilesX + 2};
  if (padded != xShape) {
    NodeId xp = b.addAccess(b.addTransient("padded", b.dtype("in0"), padded));
    copyPadded(b, x, xp, {0, 0, w.padBegin[0], w.padBegin[1]}, constant(0.0, dtype), "pad");
    x = xp;
  }
  auto sym = [](const char* name) { return AffineExpr::symbol(name); };
  AffineExpr p = sym("p"), n = sym("n"), ty = sym("ty"), tx = sym("tx"), c = sym("c"), k = sym("k");

  NodeId bb = b.addAccess(b.addConstant("winograd_bt", inputTransform(dtype)));
  auto [vInit, v] =
      zeroed(b, "winograd_in", dtype, {kPositions, batch, tilesY, tilesX, channelsIn});
  accumulate(b, "winograd_in", {"p", "n", "ty", "tx", "c", "i", "j"},
             {kPositions, batch, tilesY, tilesX, channelsIn, kTile, kTile},
             {bb, "bt", point({p, sym("i"), sym("j")})},
             {x, "x", point({n, c, ty * 2 + sym("i"), tx * 2 + sym("j")})},
             {v, "v", point({p, n, ty, tx, c})}, vInit);

  NodeId u =
      b.addAccess(b.addConstant("winograd_filter", filterTransform(*b.constantValue("in1"))));
  auto [mInit, m] =
      zeroed(b, "winograd_product", dtype, {kPositions, batch, tilesY, tilesX, channelsOut});
  accumulate(b, "winograd_product", {"p", "n", "ty", "tx", "k", "c"},
             {kPositions, batch, tilesY, tilesX, channelsOut, channelsIn},
             {v, "v", point({p, n, ty, tx, c})}, {u, "u", point({p, c, k})},
             {m, "m", point({p, n, ty, tx, k})}, mInit);

  NodeId aa = b.addAccess(b.addConstant("winograd_at", outputTransform(dtype)));
  NodeId y = b.access("out0");
  accumulate(b, "", {"n", "k", "ty", "a", "tx", "b", "p"},
             {batch, channelsOut, tilesY, 2, tilesX, 2, kPositions},
             {aa, "at", point({sym("a"), sym("b"), p})}, {m, "m", point({p, n, ty, tx, k})},
             {y, "y", point({n, k, ty * 2 + sym("a"), tx * 2 + sym("b")})},
             initWithBias(b, b.addAccess(b.array("out0")), "init"));
}

}  // namespace conflux::passes::expansions
