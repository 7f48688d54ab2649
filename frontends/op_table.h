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

/// Inputs a node reads for something other than their elements at run time; each is dropped
/// from the library node's connectors. Bit i of a mask stands for input i.
struct InputRoles {
  /// Inputs whose values decide a shape or an attribute: constants, turned into attributes.
  uint32_t values = 0;
  /// Inputs only their dtype matters of (CastLike's target).
  uint32_t types = 0;
};

/// One supported operator.
struct OpInfo {
  std::string_view name;
  ir::OpKind kind;
  size_t minInputs;
  size_t maxInputs;
  InputRoles roles;
  AttrParser parse;
  ShapeRule infer;

  bool isValueInput(size_t i) const { return i < 32 && ((roles.values >> i) & 1u) != 0; }
  bool isTypeInput(size_t i) const { return i < 32 && ((roles.types >> i) & 1u) != 0; }
};

/// The entry of an ONNX op type, or null when Conflux does not support it.
const OpInfo* findOp(std::string_view onnxOpType);

/// Whether Conflux supports an ONNX op type (opsets 13-17, plus Gelu).
bool isSupportedOp(std::string_view onnxOpType);

}  // namespace conflux::frontends
