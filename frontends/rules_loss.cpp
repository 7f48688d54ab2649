// Attribute parsers and shape rules of the losses: NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss, both over scores (N, C, d1, ...) with one class per element of the
// target (N, d1, ...) and optional per-class weights (C).
#include "frontends/op_rules.h"

namespace conflux::frontends {

ir::OpAttrs parseLoss(NodeContext& node) {
  ir::LossAttrs attrs;
  attrs.reduction = node.stringAttr("reduction", "mean");
  if (attrs.reduction != "none" && attrs.reduction != "sum" && attrs.reduction != "mean")
    node.fail("attribute 'reduction' must be \"none\", \"sum\" or \"mean\", got \"" +
              attrs.reduction + "\"");
  attrs.ignores = node.hasAttr("ignore_index");
  attrs.ignoreIndex = node.intAttr("ignore_index", 0);
  return attrs;
}

void inferLoss(NodeContext& node, const ir::OpAttrs& attrs) {
  requireFloat(node, 0);
  const std::vector<int64_t>& scores = node.shape(0);
  if (scores.size() < 2)
    node.fail("the scores must have rank >= 2 (N, C, ...), got " + formatShape(scores));
  if (node.dtype(1) != ir::DType::I64 && node.dtype(1) != ir::DType::I32)
    node.fail("the target must be int64 or int32, got " +
              std::string(ir::dtypeName(node.dtype(1))));
  std::vector<int64_t> perElement = scores;
  perElement.erase(perElement.begin() + 1);
  if (node.shape(1) != perElement)
    node.fail("the target of shape " + formatShape(node.shape(1)) + " must have shape " +
              formatShape(perElement) + " (the scores " + formatShape(scores) +
              " without the class dimension)");
  if (node.hasInput(2)) {
    if (node.dtype(2) != node.dtype(0)) node.fail("the weights' dtype differs from the scores'");
    if (node.shape(2) != std::vector<int64_t>{scores[1]})
      node.fail("the weights of shape " + formatShape(node.shape(2)) + " must have shape [" +
                std::to_string(scores[1]) + "] (one per class)");
  }
  bool perElementLoss = std::get<ir::LossAttrs>(attrs).reduction == "none";
  node.setOutput(0, {node.dtype(0), perElementLoss ? perElement : std::vector<int64_t>{}});
  if (node.kind() == ir::OpKind::SoftmaxCrossEntropyLoss)
    node.setOutput(1, node.input(0));
  else if (node.hasOutput(1))
    node.fail("has one output");
}

}  // namespace conflux::frontends
