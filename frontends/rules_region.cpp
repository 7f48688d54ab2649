// Attribute parsers and shape rules of ops that select, pad or resample a region of their input:
// Slice, Pad, Resize (and the deprecated Upsample, an asymmetric Resize) and Trilu. Their
// shape-deciding inputs are constants turned into attributes.
#include <algorithm>
#include <cmath>
#include <set>

#include "frontends/op_rules.h"

namespace conflux::frontends {

namespace {

/// Clamps a start or end index to the valid range for the step's direction (ONNX Slice).
int64_t clampSliceIndex(int64_t index, int64_t dim, bool forward, bool isEnd) {
  if (index < 0) index += dim;  // cannot overflow: dim >= 0
  if (forward) return std::clamp<int64_t>(index, 0, dim);
  return std::clamp<int64_t>(index, isEnd ? -1 : 0, dim - 1);
}

int64_t sliceLength(int64_t start, int64_t end, int64_t step) {
  if (step > 0) return end > start ? (end - start + step - 1) / step : 0;
  return start > end ? (start - end - step - 1) / -step : 0;
}

const std::set<std::string> kResizeModes{"nearest", "linear", "cubic"};
const std::set<std::string> kCoordinateModes{"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                                             "align_corners", "asymmetric", "tf_half_pixel_for_nn"};
const std::set<std::string> kNearestModes{"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};

std::string oneOf(const std::set<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

/// A string attribute that must be one of `allowed`.
std::string choiceAttr(const NodeContext& node, std::string_view name, const std::string& fallback,
                       const std::set<std::string>& allowed) {
  std::string value = node.stringAttr(name, fallback);
  if (!allowed.count(value))
    node.fail("attribute '" + std::string(name) + "' \"" + value + "\" is not supported (expected one of " +
              oneOf(allowed) + ")");
  return value;
}

/// The values of an optional float input that may also be given as an empty tensor.
std::optional<std::vector<double>> optionalFloats(const NodeContext& node, size_t i, std::string_view role) {
  if (!node.hasInput(i)) return std::nullopt;
  const ir::Tensor& t = node.constantInput(i, role);
  if (t.numElements() == 0) return std::nullopt;
  std::vector<double> values;
  for (int64_t k = 0; k < t.numElements(); ++k) values.push_back(t.at(k));
  return values;
}

}  // namespace

ir::OpAttrs parseSlice(NodeContext& node) {
  bool attributes = node.opset() < 10;  // starts/ends/axes were attributes before opset 10
  auto read = [&](size_t input, std::string_view name, std::string_view role) {
    return attributes ? (node.hasAttr(name) ? std::optional(node.intsAttr(name)) : std::nullopt)
                      : node.intsFromInputOrAttr(input, name, role);
  };
  std::optional<std::vector<int64_t>> starts = read(1, "starts", "the slice starts");
  std::optional<std::vector<int64_t>> ends = read(2, "ends", "the slice ends");
  std::optional<std::vector<int64_t>> axes = read(3, "axes", "the sliced axes");
  std::optional<std::vector<int64_t>> steps = attributes ? std::nullopt : read(4, "steps", "the slice steps");
  if (!starts || !ends) node.fail("needs starts and ends");
  size_t count = starts->size();
  if (!axes) {
    axes.emplace(count);
    for (size_t k = 0; k < count; ++k) (*axes)[k] = static_cast<int64_t>(k);
  }
  if (!steps) steps.emplace(count, 1);
  if (ends->size() != count || axes->size() != count || steps->size() != count)
    node.fail("starts " + formatShape(*starts) + ", ends " + formatShape(*ends) + ", axes " + formatShape(*axes) +
              " and steps " + formatShape(*steps) + " must have the same length");
  ir::SliceAttrs attrs;
  std::set<int64_t> seen;
  for (size_t k = 0; k < count; ++k) {
    int64_t axis = node.normalizeAxis((*axes)[k], node.rank(0), "sliced axis");
    if (!seen.insert(axis).second) node.fail("sliced axes " + formatShape(*axes) + " repeat an axis");
    int64_t step = (*steps)[k];
    if (step == 0) node.fail("slice step 0 along axis " + std::to_string(axis));
    int64_t dim = node.shape(0)[axis];
    attrs.axes.push_back(axis);
    attrs.starts.push_back(clampSliceIndex((*starts)[k], dim, step > 0, false));
    attrs.ends.push_back(clampSliceIndex((*ends)[k], dim, step > 0, true));
    attrs.steps.push_back(step);
  }
  return attrs;
}

void inferSlice(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& slice = std::get<ir::SliceAttrs>(attrs);
  std::vector<int64_t> out = node.shape(0);
  for (size_t k = 0; k < slice.axes.size(); ++k)
    out[slice.axes[k]] = sliceLength(slice.starts[k], slice.ends[k], slice.steps[k]);
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parsePad(NodeContext& node) {
  ir::PadAttrs attrs;
  attrs.mode = choiceAttr(node, "mode", "constant", {"constant", "reflect", "edge"});
  int64_t rank = node.rank(0);
  std::optional<std::vector<int64_t>> pads;
  if (node.opset() < 11) {  // pads and value were attributes
    pads = node.intsAttr("pads");
    attrs.value = node.floatAttr("value", 0.0);
  } else {
    pads = node.constantInts(1, "the padding");
    if (node.hasInput(2) && node.constantInput(2, "the padding value").numElements() > 0)
      attrs.value = node.constantScalar(2, "the padding value");
  }
  std::vector<int64_t> axes(static_cast<size_t>(rank));
  for (int64_t d = 0; d < rank; ++d) axes[d] = d;
  if (node.hasInput(3)) {  // opset 18: pads for the listed axes only
    axes.clear();
    for (int64_t axis : node.constantInts(3, "the padded axes"))
      axes.push_back(node.normalizeAxis(axis, rank, "padded axis"));
  }
  size_t count = axes.size();
  if (pads->size() != 2 * count)
    node.fail("pads " + formatShape(*pads) + " must have " + std::to_string(2 * count) +
              " values (begin and end per axis)");
  attrs.pads.assign(2 * static_cast<size_t>(rank), 0);
  for (size_t k = 0; k < count; ++k) {
    attrs.pads[axes[k]] = (*pads)[k];
    attrs.pads[axes[k] + rank] = (*pads)[k + count];
  }
  return attrs;
}

void inferPad(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& pad = std::get<ir::PadAttrs>(attrs);
  std::vector<int64_t> out = node.shape(0);
  size_t rank = out.size();
  for (size_t d = 0; d < rank; ++d) {
    int64_t begin = pad.pads[d], end = pad.pads[d + rank];
    if (pad.mode == "reflect" && std::max(begin, end) >= out[d])
      node.fail("reflect pads " + formatShape(pad.pads) + " must be smaller than the input's dimensions " +
                formatShape(node.shape(0)));
    out[d] += begin + end;
    if (out[d] < 0) node.fail("pads " + formatShape(pad.pads) + " remove more than the input " + formatShape(node.shape(0)));
  }
  node.setOutput(0, {node.dtype(0), out});
}

namespace {

/// Resize's per-axis scales from `given` scales (or output sizes, `areSizes`); fails unless
/// there is one positive value per axis of input 0.
std::vector<double> perAxisScales(const NodeContext& node, const std::vector<double>& given,
                                  bool areSizes) {
  const std::vector<int64_t>& x = node.shape(0);
  std::string what = areSizes ? "sizes" : "scales";
  if (given.size() != x.size())
    node.fail(what + " must have one value per axis of " + formatShape(x));
  std::vector<double> scales;
  for (size_t d = 0; d < x.size(); ++d) {
    if (!(given[d] > 0)) node.fail(what + " must be positive");
    scales.push_back(areSizes ? given[d] / static_cast<double>(x[d]) : given[d]);
  }
  return scales;
}

}  // namespace

ir::OpAttrs parseResize(NodeContext& node) {
  ir::ResizeAttrs attrs;
  attrs.mode = choiceAttr(node, "mode", "nearest", kResizeModes);
  std::string coordinates = node.stringAttr("coordinate_transformation_mode", node.opset() < 11 ? "asymmetric" : "half_pixel");
  if (coordinates == "tf_crop_and_resize") node.fail("coordinate_transformation_mode tf_crop_and_resize is not supported");
  node.ignoreAttrs({"coordinate_transformation_mode", "extrapolation_value"});  // extrapolation: crop only
  if (!kCoordinateModes.count(coordinates))
    node.fail("coordinate_transformation_mode \"" + coordinates + "\" is not supported (expected one of " +
              oneOf(kCoordinateModes) + ")");
  attrs.coordinateTransformation = coordinates;
  attrs.nearestMode = choiceAttr(node, "nearest_mode", "round_prefer_floor", kNearestModes);
  attrs.cubicCoeffA = node.floatAttr("cubic_coeff_a", -0.75);
  attrs.excludeOutside = node.intAttr("exclude_outside", 0) != 0;
  if (node.intAttr("antialias", 0) != 0) node.fail("antialiasing is not supported");
  if (node.hasAttr("axes")) node.fail("attribute 'axes' (opset 18) is not supported");
  if (node.stringAttr("keep_aspect_ratio_policy", "stretch") != "stretch")
    node.fail("only keep_aspect_ratio_policy \"stretch\" is supported");
  size_t scalesInput = node.opset() < 11 ? 1 : 2;
  std::optional<std::vector<double>> scales = optionalFloats(node, scalesInput, "the scales");
  std::optional<std::vector<double>> sizes =
      node.opset() < 11 ? std::nullopt : optionalFloats(node, 3, "the output sizes");
  // The region of interest (input 1 from opset 11) only matters for tf_crop_and_resize.
  if (scales.has_value() == sizes.has_value()) node.fail("needs exactly one of scales and sizes");
  attrs.scales = perAxisScales(node, scales ? *scales : *sizes, !scales);
  return attrs;
}

ir::OpAttrs parseUpsample(NodeContext& node) {
  // Resize's asymmetric coordinates: output element o reads input o / scale (nearest: floor).
  ir::ResizeAttrs attrs;
  attrs.mode = choiceAttr(node, "mode", "nearest", {"nearest", "linear"});
  attrs.coordinateTransformation = "asymmetric";
  attrs.nearestMode = "floor";
  std::optional<std::vector<double>> scales =
      node.hasInput(1) ? optionalFloats(node, 1, "the scales") : std::nullopt;
  if (!scales && node.hasAttr("scales")) scales = node.floatsAttr("scales");  // opsets 7 and 8
  if (!scales) node.fail("needs the scales (input 1, or attribute 'scales' before opset 9)");
  attrs.scales = perAxisScales(node, *scales, false);
  return attrs;
}

void inferResize(NodeContext& node, const ir::OpAttrs& attrs) {
  const auto& resize = std::get<ir::ResizeAttrs>(attrs);
  const std::vector<int64_t>& x = node.shape(0);
  std::vector<int64_t> out;
  bool fromSizes = node.opset() >= 11 && node.hasInput(3) && node.value(3)->numElements() > 0;
  for (size_t d = 0; d < x.size(); ++d) {
    double size = fromSizes ? node.value(3)->at(static_cast<int64_t>(d))
                            : std::floor(static_cast<double>(x[d]) * resize.scales[d]);
    if (size > static_cast<double>(kMaxElements)) node.fail("output size is too large");
    out.push_back(static_cast<int64_t>(size));
  }
  node.setOutput(0, {node.dtype(0), out});
}

ir::OpAttrs parseTrilu(NodeContext& node) {
  ir::TriluAttrs attrs;
  attrs.upper = node.intAttr("upper", 1) != 0;
  if (node.hasInput(1)) attrs.k = static_cast<int64_t>(node.constantScalar(1, "the diagonal offset k"));
  return attrs;
}

void inferTrilu(NodeContext& node, const ir::OpAttrs&) {
  if (node.rank(0) < 2) node.fail("input must have rank >= 2, got " + formatShape(node.shape(0)));
  node.setOutput(0, node.input(0));
}

}  // namespace conflux::frontends
