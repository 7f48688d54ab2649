#include "frontends/node_context.h"

#include "ir/error.h"

namespace conflux::frontends {

NodeContext::NodeContext(const ModelNode& node, int64_t opset, const TensorFacts& facts,
                         ir::OpKind kind)
    : node_(node),
      opset_(opset),
      facts_(facts),
      kind_(kind),
      outputs_(node.outputs.size()),
      values_(node.outputs.size()) {}

void NodeContext::fail(const std::string& message) const {
  throw Error(node_.describe() + ": " + message);
}

// ---- Inputs

bool NodeContext::hasInput(size_t i) const {
  return i < node_.inputs.size() && !node_.inputs[i].empty();
}

std::string NodeContext::describeInput(size_t i) const {
  std::string name = i < node_.inputs.size() ? node_.inputs[i] : "";
  return "input " + std::to_string(i) + (name.empty() ? "" : " '" + name + "'");
}

const TensorType& NodeContext::input(size_t i) const {
  if (!hasInput(i)) fail("required input " + std::to_string(i) + " is missing");
  auto it = facts_.types.find(node_.inputs[i]);
  CONFLUX_ASSERT(it != facts_.types.end(), "inputs are typed before their consumers");
  return it->second;
}

const ir::Tensor* NodeContext::value(size_t i) const {
  if (!hasInput(i)) return nullptr;
  auto it = facts_.values.find(node_.inputs[i]);
  return it == facts_.values.end() ? nullptr : it->second.get();
}

const ir::Tensor& NodeContext::constantInput(size_t i, std::string_view role) const {
  input(i);
  const ir::Tensor* known = value(i);
  if (!known)
    fail(describeInput(i) + " must be a constant (it decides " + std::string(role) +
         ") but is only known at run time");
  return *known;
}

std::vector<int64_t> NodeContext::constantInts(size_t i, std::string_view role) const {
  const ir::Tensor& t = constantInput(i, role);
  if (isFloat(t.dtype())) fail(describeInput(i) + " (" + std::string(role) + ") must hold integers");
  return t.toInts();
}

double NodeContext::constantScalar(size_t i, std::string_view role) const {
  const ir::Tensor& t = constantInput(i, role);
  if (t.numElements() != 1)
    fail(describeInput(i) + " (" + std::string(role) + ") must be a scalar, got shape " +
         formatShape(t.shape()));
  return t.at(0);
}

// ---- Attributes

const AttrValue* NodeContext::findAttr(std::string_view name) const {
  auto it = node_.attrs.find(std::string(name));
  if (it == node_.attrs.end()) return nullptr;
  read_.insert(it->first);
  return &it->second;
}

template <typename T>
const T* NodeContext::attrAs(std::string_view name, std::string_view expected) const {
  const AttrValue* attr = findAttr(name);
  if (!attr) return nullptr;
  const T* typed = std::get_if<T>(attr);
  if (!typed) fail("attribute '" + std::string(name) + "' must be " + std::string(expected));
  return typed;
}

bool NodeContext::hasAttr(std::string_view name) const { return node_.attrs.count(std::string(name)) != 0; }

int64_t NodeContext::intAttr(std::string_view name, int64_t fallback) const {
  const int64_t* v = attrAs<int64_t>(name, "an integer");
  return v ? *v : fallback;
}

double NodeContext::floatAttr(std::string_view name, double fallback) const {
  const AttrValue* attr = findAttr(name);
  if (!attr) return fallback;
  if (const double* d = std::get_if<double>(attr)) return *d;
  if (const int64_t* i = std::get_if<int64_t>(attr)) return static_cast<double>(*i);
  fail("attribute '" + std::string(name) + "' must be a number");
}

std::string NodeContext::stringAttr(std::string_view name, const std::string& fallback) const {
  const std::string* v = attrAs<std::string>(name, "a string");
  return v ? *v : fallback;
}

std::vector<int64_t> NodeContext::intsAttr(std::string_view name, std::vector<int64_t> fallback) const {
  const std::vector<int64_t>* v = attrAs<std::vector<int64_t>>(name, "a list of integers");
  return v ? *v : fallback;
}

std::vector<double> NodeContext::floatsAttr(std::string_view name, std::vector<double> fallback) const {
  const AttrValue* attr = findAttr(name);
  if (!attr) return fallback;
  if (const auto* d = std::get_if<std::vector<double>>(attr)) return *d;
  if (const auto* i = std::get_if<std::vector<int64_t>>(attr)) return {i->begin(), i->end()};
  fail("attribute '" + std::string(name) + "' must be a list of numbers");
}

const ir::Tensor* NodeContext::tensorAttr(std::string_view name) const {
  return attrAs<ir::Tensor>(name, "a tensor");
}

void NodeContext::ignoreAttrs(std::initializer_list<std::string_view> names) const {
  for (std::string_view name : names) findAttr(name);
}

std::optional<std::vector<int64_t>> NodeContext::intsFromInputOrAttr(size_t i, std::string_view name,
                                                                     std::string_view role) const {
  if (hasInput(i)) {
    if (hasAttr(name)) fail("gives " + std::string(role) + " both as an input and as attribute '" + std::string(name) + "'");
    return constantInts(i, role);
  }
  if (hasAttr(name)) return intsAttr(name);
  return std::nullopt;
}

void NodeContext::checkAllAttrsRead() const {
  for (const auto& [name, value] : node_.attrs)
    if (!read_.count(name)) fail("unsupported attribute '" + name + "'");
}

// ---- Helpers

int64_t NodeContext::normalizeAxis(int64_t axis, int64_t rank, std::string_view what) const {
  if (axis < -rank || axis >= rank)
    fail(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
         std::to_string(rank) + " (expected " + std::to_string(-rank) + " to " + std::to_string(rank - 1) + ")");
  return axis < 0 ? axis + rank : axis;
}

// ---- Outputs

bool NodeContext::hasOutput(size_t i) const {
  return i < node_.outputs.size() && !node_.outputs[i].empty();
}

void NodeContext::setOutput(size_t i, TensorType type) {
  if (!hasOutput(i)) return;
  checkedElementCount(type.shape, node_.describe() + " output '" + node_.outputs[i] + "'");
  outputs_[i] = std::move(type);
}

void NodeContext::setOutputValue(size_t i, ir::Tensor value) {
  if (!hasOutput(i)) return;
  setOutput(i, {value.dtype(), value.shape()});
  values_[i] = std::make_shared<const ir::Tensor>(std::move(value));
}

}  // namespace conflux::frontends
