// Attribute parsers and shape rules of the matrix products: MatMul and Gemm.
#include "frontends/op_rules.h"

namespace conflux::frontends {

namespace {

std::string dtypeText(ir::DType dtype) { return std::string(ir::dtypeName(dtype)); }

void requireSameDtypes(const NodeContext& node) {
  for (size_t i = 1; i < node.numInputs(); ++i)
    if (node.hasInput(i) && node.dtype(i) != node.dtype(0))
      node.fail("inputs have different dtypes: " + dtypeText(node.dtype(0)) + " and " +
                dtypeText(node.dtype(i)));
}

}  // namespace

void inferMatMul(NodeContext& node, const ir::OpAttrs&) {
  requireSameDtypes(node);
  std::vector<int64_t> a = node.shape(0), b = node.shape(1);
  std::string both = formatShape(a) + " x " + formatShape(b);
  if (a.empty() || b.empty()) node.fail("inputs must have rank >= 1, got " + both);
  bool vectorA = a.size() == 1, vectorB = b.size() == 1;
  if (vectorA) a.insert(a.begin(), 1);  // NumPy promotion of 1-D operands
  if (vectorB) b.push_back(1);
  int64_t k = a.back();
  if (b[b.size() - 2] != k)
    node.fail("inner dimensions do not match: " + both + " (" + std::to_string(k) +
              " != " + std::to_string(b[b.size() - 2]) + ")");
  std::optional<std::vector<int64_t>> batch = broadcastShapes(
      std::vector<int64_t>(a.begin(), a.end() - 2), std::vector<int64_t>(b.begin(), b.end() - 2));
  if (!batch) node.fail("batch dimensions do not broadcast: " + both);
  std::vector<int64_t> out = *batch;
  if (!vectorA) out.push_back(a[a.size() - 2]);
  if (!vectorB) out.push_back(b.back());
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parseGemm(NodeContext& node) {
  ir::GemmAttrs attrs;
  attrs.alpha = node.floatAttr("alpha", 1.0);
  attrs.beta = node.floatAttr("beta", 1.0);
  attrs.transA = node.intAttr("transA", 0) != 0;
  attrs.transB = node.intAttr("transB", 0) != 0;
  node.ignoreAttrs({"broadcast"});  // opsets before 7
  return attrs;
}

void inferGemm(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& gemm = std::get<ir::GemmAttrs>(attrs);
  requireSameDtypes(node);
  const std::vector<int64_t>& a = node.shape(0);
  const std::vector<int64_t>& b = node.shape(1);
  std::string both = formatShape(a) + " x " + formatShape(b);
  if (a.size() != 2 || b.size() != 2) node.fail("A and B must be matrices, got " + both);
  int64_t m = gemm.transA ? a[1] : a[0], k = gemm.transA ? a[0] : a[1];
  int64_t kb = gemm.transB ? b[1] : b[0], n = gemm.transB ? b[0] : b[1];
  if (k != kb)
    node.fail("inner dimensions do not match: " + both + " with transA=" + std::to_string(gemm.transA) +
              ", transB=" + std::to_string(gemm.transB) + " (" + std::to_string(k) + " != " +
              std::to_string(kb) + ")");
  std::vector<int64_t> out{m, n};
  if (node.hasInput(2) && broadcastShapes(node.shape(2), out) != out)
    node.fail("C of shape " + formatShape(node.shape(2)) + " does not broadcast to " + formatShape(out));
  node.setOutput(0, {node.dtype(0), out});
}

}  // namespace conflux::frontends
