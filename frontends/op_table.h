#pragma once
// The one table of supported operators: ONNX op name -> library op kind, arity, the inputs whose
// values decide shapes or attributes, the attribute parser and the shape rule.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ir/op_attrs.h"
#include "ir/op_kind.h"

namespace conflux::frontends {

class NodeContext;

/// Reads a node's attributes (and its value inputs) into the typed, normalised attributes of
/// docs/library_nodes.md; fails on invalid values.
using AttrParser = ir::OpAttrs (*)(NodeContext& node);
/// Sets the types of a node's outputs (and the values of outputs known at load time: Shape,
/// Constant, ConstantOfShape, Range); fails on mismatched input shapes.
using ShapeRule = void (*)(NodeContext& node, const ir::OpAttrs& attrs);

/// One supported operator.
struct OpInfo {
  std::string_view name;
  ir::OpKind kind;
  size_t minInputs;
  size_t maxInputs;
  /// Bit i set: input i decides a shape or an attribute, so it must be a constant and becomes
  /// an attribute (its connector is dropped).
  uint32_t valueInputs;
  AttrParser parse;
  ShapeRule infer;

  bool isValueInput(size_t i) const { return i < 32 && ((valueInputs >> i) & 1u) != 0; }
};

/// The entry of an ONNX op type, or null when Conflux does not support it.
const OpInfo* findOp(std::string_view onnxOpType);

/// Whether Conflux supports an ONNX op type (opsets 13-17, plus Gelu).
bool isSupportedOp(std::string_view onnxOpType);

}  // namespace conflux::frontends
