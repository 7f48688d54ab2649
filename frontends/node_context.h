#pragma once
// What an op's attribute parser and shape rule see of one node: its input types and constant
// values, its attributes (each read is recorded so that unsupported attributes are reported),
// and the output types the rule sets. Internal to frontends/.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/model.h"
#include "ir/op_kind.h"

namespace conflux::frontends {

/// The static type of a tensor.
struct TensorType {
  ir::DType dtype = ir::DType::F32;
  std::vector<int64_t> shape;
  bool operator==(const TensorType&) const = default;
};

/// What is known about the tensors of a model while walking its nodes in order.
struct TensorFacts {
  std::map<std::string, TensorType> types;
  std::map<std::string, std::shared_ptr<const ir::Tensor>> values;
};

/// One node under inference. Every failure throws conflux::Error naming the node.
class NodeContext {
 public:
  NodeContext(const ModelNode& node, int64_t opset, const TensorFacts& facts, ir::OpKind kind);

  const ModelNode& node() const { return node_; }
  int64_t opset() const { return opset_; }
  /// The library op the node becomes; a parser may change it (a no-op ReduceSum is Identity).
  ir::OpKind kind() const { return kind_; }
  void setKind(ir::OpKind kind) { kind_ = kind; }

  /// Throws conflux::Error "node 'n' (Op): message".
  [[noreturn]] void fail(const std::string& message) const;

  // ---- Inputs
  /// Whether input `i` is given (present and not an empty name).
  bool hasInput(size_t i) const;
  size_t numInputs() const { return node_.inputs.size(); }
  /// The type of input `i`; fails when a required input is missing.
  const TensorType& input(size_t i) const;
  const std::vector<int64_t>& shape(size_t i) const { return input(i).shape; }
  ir::DType dtype(size_t i) const { return input(i).dtype; }
  int64_t rank(size_t i) const { return static_cast<int64_t>(input(i).shape.size()); }
  /// "input 1 'shape'", for messages.
  std::string describeInput(size_t i) const;
  /// The value of input `i`, or null when it is absent or only known at run time.
  const ir::Tensor* value(size_t i) const;
  /// The value of input `i`; fails, saying it decides `role`, when not a constant.
  const ir::Tensor& constantInput(size_t i, std::string_view role) const;
  /// The elements of a constant input as integers.
  std::vector<int64_t> constantInts(size_t i, std::string_view role) const;
  /// The single element of a constant scalar (or one-element) input.
  double constantScalar(size_t i, std::string_view role) const;

  // ---- Attributes (reading one marks it supported)
  bool hasAttr(std::string_view name) const;
  int64_t intAttr(std::string_view name, int64_t fallback) const;
  double floatAttr(std::string_view name, double fallback) const;
  std::string stringAttr(std::string_view name, const std::string& fallback) const;
  std::vector<int64_t> intsAttr(std::string_view name, std::vector<int64_t> fallback = {}) const;
  std::vector<double> floatsAttr(std::string_view name, std::vector<double> fallback = {}) const;
  /// A tensor attribute, or null when absent.
  const ir::Tensor* tensorAttr(std::string_view name) const;
  /// Marks attributes that do not change inference results (momentum, seed...) as read.
  void ignoreAttrs(std::initializer_list<std::string_view> names) const;
  /// The ints of input `i` when given (newer opsets), else of attribute `name` (older opsets);
  /// nullopt when neither is given.
  std::optional<std::vector<int64_t>> intsFromInputOrAttr(size_t i, std::string_view name,
                                                          std::string_view role) const;
  /// Fails naming the first attribute that no parser or rule read.
  void checkAllAttrsRead() const;

  // ---- Helpers
  /// `axis` in [-rank, rank) made non-negative; fails naming `what` otherwise.
  int64_t normalizeAxis(int64_t axis, int64_t rank, std::string_view what) const;

  // ---- Outputs
  bool hasOutput(size_t i) const;
  size_t numOutputs() const { return node_.outputs.size(); }
  /// Sets the type of output `i` (ignored when the output is omitted).
  void setOutput(size_t i, TensorType type);
  /// Sets the type and the known value of output `i`.
  void setOutputValue(size_t i, ir::Tensor value);
  const std::optional<TensorType>& output(size_t i) const { return outputs_.at(i); }
  const std::shared_ptr<const ir::Tensor>& outputValue(size_t i) const { return values_.at(i); }

 private:
  const AttrValue* findAttr(std::string_view name) const;
  template <typename T>
  const T* attrAs(std::string_view name, std::string_view expected) const;

  const ModelNode& node_;
  int64_t opset_;
  const TensorFacts& facts_;
  ir::OpKind kind_;
  mutable std::set<std::string, std::less<>> read_;
  std::vector<std::optional<TensorType>> outputs_;
  std::vector<std::shared_ptr<const ir::Tensor>> values_;
};

}  // namespace conflux::frontends
