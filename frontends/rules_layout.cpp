// Attribute parsers and shape rules of ops that rearrange elements without computing:
// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Expand, Tile, Concat, Split, Gather,
// GatherElements, GatherND, OneHot, ScatterElements, ScatterND, DepthToSpace and SpaceToDepth.
#include <algorithm>
#include <functional>
#include <numeric>

#include "frontends/op_rules.h"

namespace conflux::frontends {

namespace {

int64_t product(std::vector<int64_t>::const_iterator begin, std::vector<int64_t>::const_iterator end) {
  return std::accumulate(begin, end, int64_t{1}, std::multiplies<>());
}

/// Normalised, sorted, duplicate-free axes for a tensor of rank `rank`.
std::vector<int64_t> normalizeAxes(const NodeContext& node, const std::vector<int64_t>& axes,
                                   int64_t rank, std::string_view what) {
  std::vector<int64_t> result;
  for (int64_t axis : axes) result.push_back(node.normalizeAxis(axis, rank, what));
  std::sort(result.begin(), result.end());
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    node.fail(std::string(what) + "s " + formatShape(axes) + " repeat an axis");
  return result;
}

}  // namespace

void inferReshape(NodeContext& node, const ir::OpAttrs&) {
  std::vector<int64_t> target = node.constantInts(1, "the output shape");
  bool allowZero = node.intAttr("allowzero", 0) != 0;
  const std::vector<int64_t>& x = node.shape(0);
  std::string request = "reshape " + formatShape(x) + " to " + formatShape(target);
  std::optional<size_t> inferred;
  for (size_t d = 0; d < target.size(); ++d) {
    if (target[d] == 0 && !allowZero) {
      if (d >= x.size()) node.fail("cannot " + request + ": 0 copies a dimension the input lacks");
      target[d] = x[d];
    } else if (target[d] == -1) {
      if (inferred) node.fail("cannot " + request + ": more than one -1");
      inferred = d;
    } else if (target[d] < 0) {
      node.fail("cannot " + request + ": negative dimension " + std::to_string(target[d]));
    }
  }
  int64_t elements = product(x.begin(), x.end());
  if (inferred) {
    target[*inferred] = 1;
    int64_t known = checkedElementCount(target, node.node().describe() + " output shape");
    if (known == 0 || elements % known != 0)
      node.fail("cannot " + request + ": " + std::to_string(elements) + " elements do not divide evenly");
    target[*inferred] = elements / known;
  }
  if (checkedElementCount(target, node.node().describe() + " output shape") != elements)
    node.fail("cannot " + request + ": " + std::to_string(elements) + " elements != " +
              std::to_string(product(target.begin(), target.end())));
  node.setOutput(0, {node.dtype(0), target});
}

void inferFlatten(NodeContext& node, const ir::OpAttrs&) {
  const std::vector<int64_t>& x = node.shape(0);
  int64_t rank = node.rank(0);
  // Unlike most axes, Flatten's ranges over [-rank, rank]: a negative one counts from rank.
  int64_t axis = node.intAttr("axis", 1);
  if (axis < -rank || axis > rank)
    node.fail("attribute 'axis' = " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  node.setOutput(0, {node.dtype(0), {product(x.begin(), x.begin() + axis), product(x.begin() + axis, x.end())}});
}

void inferSqueeze(NodeContext& node, const ir::OpAttrs&) {
  const std::vector<int64_t>& x = node.shape(0);
  std::optional<std::vector<int64_t>> given = node.intsFromInputOrAttr(1, "axes", "the squeezed axes");
  std::vector<int64_t> axes;
  if (given) axes = normalizeAxes(node, *given, node.rank(0), "squeezed axis");
  std::vector<int64_t> out;
  for (int64_t d = 0; d < node.rank(0); ++d) {
    bool listed = std::binary_search(axes.begin(), axes.end(), d);
    if (listed && x[d] != 1)
      node.fail("cannot squeeze axis " + std::to_string(d) + " of " + formatShape(x) + ": its size is not 1");
    if (!(listed || (!given && x[d] == 1))) out.push_back(x[d]);
  }
  node.setOutput(0, {node.dtype(0), out});
}

void inferUnsqueeze(NodeContext& node, const ir::OpAttrs&) {
  const std::vector<int64_t>& x = node.shape(0);
  std::optional<std::vector<int64_t>> given = node.intsFromInputOrAttr(1, "axes", "the inserted axes");
  if (!given) node.fail("needs 'axes' (an input from opset 13, an attribute before)");
  int64_t rank = node.rank(0) + static_cast<int64_t>(given->size());
  std::vector<int64_t> axes = normalizeAxes(node, *given, rank, "inserted axis");
  std::vector<int64_t> out;
  auto next = x.begin();
  for (int64_t d = 0; d < rank; ++d)
    out.push_back(std::binary_search(axes.begin(), axes.end(), d) ? 1 : *next++);
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parseTranspose(NodeContext& node) {
  int64_t rank = node.rank(0);
  std::vector<int64_t> reversed(static_cast<size_t>(rank));
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  ir::TransposeAttrs attrs{node.intsAttr("perm", reversed)};
  std::vector<int64_t> sorted = attrs.perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(static_cast<size_t>(rank));
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    node.fail("attribute 'perm' " + formatShape(attrs.perm) + " is not a permutation of " +
              std::to_string(rank) + " axes");
  return attrs;
}

void inferTranspose(NodeContext& node, const ir::OpAttrs& attrs) {
  std::vector<int64_t> out;
  for (int64_t axis : std::get<ir::TransposeAttrs>(attrs).perm) out.push_back(node.shape(0)[axis]);
  node.setOutput(0, {node.dtype(0), out});
}

void inferExpand(NodeContext& node, const ir::OpAttrs&) {
  std::vector<int64_t> target = node.constantInts(1, "the output shape");
  for (int64_t d : target)
    if (d < 0) node.fail("cannot expand to shape " + formatShape(target) + ": negative dimension");
  std::optional<std::vector<int64_t>> out = broadcastShapes(node.shape(0), target);
  if (!out)
    node.fail("cannot expand " + formatShape(node.shape(0)) + " to " + formatShape(target) +
              " (NumPy broadcasting)");
  node.setOutput(0, {node.dtype(0), *out});
}

void inferTile(NodeContext& node, const ir::OpAttrs&) {
  std::vector<int64_t> repeats = node.constantInts(1, "the repeats");
  const std::vector<int64_t>& x = node.shape(0);
  if (repeats.size() != x.size())
    node.fail("repeats " + formatShape(repeats) + " must have one value per axis of " + formatShape(x));
  std::vector<int64_t> out;
  for (size_t d = 0; d < x.size(); ++d) {
    if (repeats[d] < 0) node.fail("repeats " + formatShape(repeats) + " must not be negative");
    if (repeats[d] != 0 && x[d] > kMaxElements / repeats[d]) node.fail("repeats " + formatShape(repeats) + " are too large");
    out.push_back(x[d] * repeats[d]);
  }
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parseConcat(NodeContext& node) {
  if (!node.hasAttr("axis")) node.fail("attribute 'axis' is required");
  return ir::AxisAttrs{node.normalizeAxis(node.intAttr("axis", 0), node.rank(0), "attribute 'axis'")};
}

void inferConcat(NodeContext& node, const ir::OpAttrs& attrs) {
  int64_t axis = std::get<ir::AxisAttrs>(attrs).axis;
  std::vector<int64_t> out = node.shape(0);
  for (size_t i = 1; i < node.numInputs(); ++i) {
    const std::vector<int64_t>& s = node.shape(i);
    bool matches = s.size() == out.size() && node.dtype(i) == node.dtype(0);
    for (size_t d = 0; matches && d < s.size(); ++d)
      matches = static_cast<int64_t>(d) == axis || s[d] == out[d];
    if (!matches)
      node.fail(node.describeInput(i) + " of shape " + formatShape(s) + " does not match input 0 " +
                formatShape(node.shape(0)) + " outside axis " + std::to_string(axis));
    out[axis] += s[axis];
  }
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parseSplit(NodeContext& node) {
  ir::SplitAttrs attrs;
  attrs.axis = node.normalizeAxis(node.intAttr("axis", 0), node.rank(0), "attribute 'axis'");
  int64_t dim = node.shape(0)[attrs.axis];
  int64_t pieces = static_cast<int64_t>(node.numOutputs());
  std::optional<std::vector<int64_t>> sizes = node.intsFromInputOrAttr(1, "split", "the split sizes");
  if (sizes) {
    attrs.sizes = *sizes;
  } else if (node.hasAttr("num_outputs")) {  // opset 18: the last piece may be smaller
    pieces = node.intAttr("num_outputs", pieces);
    if (pieces < 1 || pieces != static_cast<int64_t>(node.numOutputs()))
      node.fail("attribute 'num_outputs' must equal the number of outputs");
    int64_t piece = (dim + pieces - 1) / pieces;
    for (int64_t k = 0; k < pieces; ++k) attrs.sizes.push_back(std::max<int64_t>(0, std::min(piece, dim - k * piece)));
  } else {
    if (pieces == 0 || dim % pieces != 0)
      node.fail("cannot split axis " + std::to_string(attrs.axis) + " of size " + std::to_string(dim) +
                " into " + std::to_string(pieces) + " equal parts");
    attrs.sizes.assign(static_cast<size_t>(pieces), dim / pieces);
  }
  if (static_cast<int64_t>(attrs.sizes.size()) != pieces)
    node.fail("split sizes " + formatShape(attrs.sizes) + " must have one value per output (" +
              std::to_string(pieces) + ")");
  int64_t total = 0;
  for (int64_t s : attrs.sizes) {
    if (s < 0) node.fail("split sizes " + formatShape(attrs.sizes) + " must not be negative");
    total += s;
  }
  if (total != dim)
    node.fail("split sizes " + formatShape(attrs.sizes) + " sum to " + std::to_string(total) +
              ", expected the axis size " + std::to_string(dim));
  return attrs;
}

void inferSplit(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& split = std::get<ir::SplitAttrs>(attrs);
  for (size_t k = 0; k < split.sizes.size(); ++k) {
    std::vector<int64_t> out = node.shape(0);
    out[split.axis] = split.sizes[k];
    node.setOutput(k, {node.dtype(0), out});
  }
}

ir::OpAttrs parseGather(NodeContext& node) {
  return ir::AxisAttrs{node.normalizeAxis(node.intAttr("axis", 0), node.rank(0), "attribute 'axis'")};
}

namespace {

/// Fails unless the indices (input 1) are int64 or int32.
void requireIndices(const NodeContext& node) {
  if (node.dtype(1) != ir::DType::I64 && node.dtype(1) != ir::DType::I32)
    node.fail("indices must be int64 or int32, got " + std::string(ir::dtypeName(node.dtype(1))));
}

/// Fails unless the indices (input 1) are integers, and, when constant, within the axis.
void checkIndices(NodeContext& node, int64_t axis) {
  requireIndices(node);
  const std::vector<int64_t>& data = node.shape(0);
  if (const ir::Tensor* indices = node.value(1))
    for (int64_t index : indices->toInts())
      if (index < -data[axis] || index >= data[axis])
        node.fail("index " + std::to_string(index) + " is out of range for axis " + std::to_string(axis) +
                  " of size " + std::to_string(data[axis]));
}

/// Fails unless the indices (input 1) have the data's rank and no dimension but `axis` longer
/// than the data's (GatherElements, ScatterElements).
void requireElementIndices(const NodeContext& node, int64_t axis) {
  const std::vector<int64_t>& data = node.shape(0);
  const std::vector<int64_t>& indices = node.shape(1);
  if (indices.size() != data.size())
    node.fail("the indices' rank " + std::to_string(indices.size()) + " differs from the data's " +
              std::to_string(data.size()));
  for (size_t d = 0; d < data.size(); ++d)
    if (static_cast<int64_t>(d) != axis && indices[d] > data[d])
      node.fail("the indices' dimension " + std::to_string(d) + " (" + std::to_string(indices[d]) +
                ") exceeds the data's (" + std::to_string(data[d]) + ")");
}

}  // namespace

void inferGather(NodeContext& node, const ir::OpAttrs& attrs) {
  int64_t axis = std::get<ir::AxisAttrs>(attrs).axis;
  checkIndices(node, axis);
  const std::vector<int64_t>& data = node.shape(0);
  std::vector<int64_t> out(data.begin(), data.begin() + axis);
  out.insert(out.end(), node.shape(1).begin(), node.shape(1).end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  node.setOutput(0, {node.dtype(0), out});
}

void inferGatherElements(NodeContext& node, const ir::OpAttrs& attrs) {
  int64_t axis = std::get<ir::AxisAttrs>(attrs).axis;
  checkIndices(node, axis);
  requireElementIndices(node, axis);
  node.setOutput(0, {node.dtype(0), node.shape(1)});
}

ir::OpAttrs parseBlockShuffle(NodeContext& node) {
  int64_t size = node.intAttr("blocksize", 0);
  if (size < 1) node.fail("attribute 'blocksize' must be at least 1, got " + std::to_string(size));
  std::string mode = node.stringAttr("mode", "DCR");
  if (mode != "DCR" && mode != "CRD")
    node.fail("attribute 'mode' must be \"DCR\" or \"CRD\", got \"" + mode + "\"");
  return ir::BlockAttrs{size, mode == "CRD"};
}

void inferBlockShuffle(NodeContext& node, const ir::OpAttrs& attrs) {
  int64_t s = std::get<ir::BlockAttrs>(attrs).blockSize;
  std::vector<int64_t> x = node.shape(0);
  if (x.size() != 4) node.fail("the input must be 4-D [N, C, H, W], got " + formatShape(x));
  if (node.kind() == ir::OpKind::DepthToSpace) {
    if (x[1] % (s * s) != 0)
      node.fail(std::to_string(x[1]) + " channels do not divide into blocks of " +
                std::to_string(s) + "x" + std::to_string(s));
    node.setOutput(0, {node.dtype(0), {x[0], x[1] / (s * s), x[2] * s, x[3] * s}});
  } else {
    if (x[2] % s != 0 || x[3] % s != 0)
      node.fail("the image " + formatShape(x) + " does not divide into blocks of " +
                std::to_string(s));
    node.setOutput(0, {node.dtype(0), {x[0], x[1] * s * s, x[2] / s, x[3] / s}});
  }
}

ir::OpAttrs parseGatherNd(NodeContext& node) {
  int64_t batchDims = node.intAttr("batch_dims", 0);
  if (batchDims < 0) node.fail("attribute 'batch_dims' must not be negative");
  return ir::GatherNdAttrs{batchDims};
}

void inferGatherNd(NodeContext& node, const ir::OpAttrs& attrs) {
  auto batch = static_cast<size_t>(std::get<ir::GatherNdAttrs>(attrs).batchDims);
  const std::vector<int64_t>& data = node.shape(0);
  const std::vector<int64_t>& indices = node.shape(1);
  requireIndices(node);
  if (indices.size() <= batch || data.size() <= batch)
    node.fail("the data " + formatShape(data) + " and indices " + formatShape(indices) +
              " must have more than batch_dims = " + std::to_string(batch) + " dimensions");
  int64_t tuple = indices.back();
  if (tuple < 1 || tuple > static_cast<int64_t>(data.size() - batch))
    node.fail("the indices' last dimension (" + std::to_string(tuple) + ") must be in [1, " +
              std::to_string(data.size() - batch) + "]");
  for (size_t d = 0; d < batch; ++d)
    if (indices[d] != data[d])
      node.fail("batch dimension " + std::to_string(d) + " differs: data " + formatShape(data) +
                ", indices " + formatShape(indices));
  std::vector<int64_t> out(indices.begin(), indices.end() - 1);
  out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(batch) + tuple, data.end());
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parseOneHot(NodeContext& node) {
  auto depth = static_cast<int64_t>(node.constantScalar(1, "the output's depth"));
  if (depth < 1) node.fail("the depth must be at least 1, got " + std::to_string(depth));
  int64_t axis = node.normalizeAxis(node.intAttr("axis", -1), node.rank(0) + 1, "attribute 'axis'");
  return ir::OneHotAttrs{axis, depth};
}

void inferOneHot(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& oneHot = std::get<ir::OneHotAttrs>(attrs);
  requireNumeric(node, 0);
  if (node.shape(2) != std::vector<int64_t>{2})
    node.fail("the values must have shape [2] (off, on), got " + formatShape(node.shape(2)));
  std::vector<int64_t> out = node.shape(0);
  out.insert(out.begin() + oneHot.axis, oneHot.depth);
  node.setOutput(0, {node.dtype(2), out});
}

ir::OpAttrs parseScatter(NodeContext& node) {
  ir::ScatterAttrs attrs;
  if (node.kind() == ir::OpKind::ScatterElements)
    attrs.axis = node.normalizeAxis(node.intAttr("axis", 0), node.rank(0), "attribute 'axis'");
  attrs.reduction = node.stringAttr("reduction", "none");
  for (const char* known : {"none", "add", "mul", "max", "min"})
    if (attrs.reduction == known) return attrs;
  node.fail("attribute 'reduction' must be none, add, mul, max or min, got \"" + attrs.reduction +
            "\"");
}

namespace {

/// Fails unless the updates (input 2) have the data's dtype and `shape`.
void checkUpdates(const NodeContext& node, const std::vector<int64_t>& shape) {
  if (node.dtype(2) != node.dtype(0)) node.fail("the updates' dtype differs from the data's");
  if (node.shape(2) != shape)
    node.fail("the updates of shape " + formatShape(node.shape(2)) + " must have shape " +
              formatShape(shape));
}

}  // namespace

void inferScatterElements(NodeContext& node, const ir::OpAttrs& attrs) {
  requireIndices(node);
  requireElementIndices(node, std::get<ir::ScatterAttrs>(attrs).axis);
  checkUpdates(node, node.shape(1));
  node.setOutput(0, node.input(0));
}

void inferScatterNd(NodeContext& node, const ir::OpAttrs&) {
  const std::vector<int64_t>& data = node.shape(0);
  const std::vector<int64_t>& indices = node.shape(1);
  requireIndices(node);
  if (indices.empty() || indices.back() < 1 || indices.back() > static_cast<int64_t>(data.size()))
    node.fail("the indices' last dimension must be in [1, " + std::to_string(data.size()) +
              "], got " + formatShape(indices));
  std::vector<int64_t> updates(indices.begin(), indices.end() - 1);
  updates.insert(updates.end(), data.begin() + indices.back(), data.end());
  checkUpdates(node, updates);
  node.setOutput(0, node.input(0));
}

}  // namespace conflux::frontends
