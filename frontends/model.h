#pragma once
// The neutral model both readers (ONNX, graph JSON) produce and the rest of the frontend reads:
// declared tensors (dtype, shape, optional value) and nodes (op type, inputs, outputs, typed
// attributes). Strings of the file formats end here. Internal to frontends/.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/dtype.h"
#include "ir/tensor.h"

namespace conflux::frontends {

/// A dimension the model leaves open (an ONNX dim_param or a missing dim_value).
constexpr int64_t kUnknownDim = -1;
/// The most elements any tensor may have (as ir::Tensor).
constexpr int64_t kMaxElements = int64_t{1} << 40;
/// The largest tensor the frontend materialises at load time (ConstantOfShape, Range): 2^26
/// elements. Anything larger is reported as an error instead of allocated.
constexpr int64_t kMaxFoldedElements = int64_t{1} << 26;

/// A node attribute: the ONNX attribute types Conflux reads.
using AttrValue = std::variant<int64_t, double, std::string, ir::Tensor, std::vector<double>,
                               std::vector<int64_t>, std::vector<std::string>>;

/// What the model declares about a tensor; every field is optional.
struct TensorDecl {
  std::optional<ir::DType> dtype;
  /// Declared shape; kUnknownDim for open dimensions.
  std::optional<std::vector<int64_t>> shape;
  /// The value of an initializer or constant.
  std::shared_ptr<const ir::Tensor> value;
  /// The name of each open dimension (an ONNX dim_param such as "batch"; "" where it has none);
  /// empty when no dimension is named.
  std::vector<std::string> dimNames;
};

/// One operator application. An empty input or output name is an omitted optional one.
struct ModelNode {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, AttrValue> attrs;

  /// "node 'name' (Op)", how messages name the node.
  std::string describe() const { return "node '" + name + "' (" + op + ")"; }
};

/// A whole model as read from a file.
struct Model {
  /// The file it was read from, for messages.
  std::string source;
  std::string name;
  /// Opset of the default ONNX domain (graph JSON follows opset 17).
  int64_t opset = 17;
  std::map<std::string, TensorDecl> tensors;
  /// Graph inputs and outputs, in signature order.
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<ModelNode> nodes;
};

/// The dtype of an ONNX TensorProto.DataType code, or nullopt when Conflux does not support it.
std::optional<ir::DType> dtypeFromOnnx(int64_t onnxType);
/// The ONNX name of a data type code ("DOUBLE").
std::string onnxTypeName(int64_t onnxType);
/// "data type DOUBLE is not supported (Conflux reads ...)".
std::string unsupportedDtypeMessage(int64_t onnxType);
/// "[1,128,768]" ("?" for open dimensions, or their names when `names` gives them).
std::string formatShape(const std::vector<int64_t>& shape,
                        const std::vector<std::string>& names = {});
/// The number of elements of `shape`; throws conflux::Error naming `what` when a dimension is
/// negative or the count exceeds kMaxElements. Call it before allocating.
int64_t checkedElementCount(const std::vector<int64_t>& shape, const std::string& what);

}  // namespace conflux::frontends
