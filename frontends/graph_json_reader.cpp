#include "frontends/graph_json_reader.h"

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "frontends/npy.h"
#include "frontends/source_file.h"
#include "ir/error.h"

namespace conflux::frontends {

namespace {

using Json = nlohmann::ordered_json;

/// The roles a tensor can declare with "kind" (an absent kind is an intermediate).
enum class TensorKind { Input, Weight, Constant, Output, Intermediate };

TensorKind parseKind(const std::string& text, const std::string& what) {
  if (text == "input") return TensorKind::Input;
  if (text == "weight") return TensorKind::Weight;
  if (text == "constant") return TensorKind::Constant;
  if (text == "output") return TensorKind::Output;
  if (text == "intermediate") return TensorKind::Intermediate;
  throw Error(what + ": unknown kind '" + text +
              "' (expected input, weight, constant, output or intermediate)");
}

/// Throws when `object` is not a JSON object or has a key outside `allowed`.
void checkKeys(const Json& object, const std::set<std::string>& allowed, const std::string& what) {
  if (!object.is_object()) throw Error(what + ": expected a JSON object");
  for (const auto& item : object.items()) {
    if (allowed.count(item.key())) continue;
    std::string list;
    for (const std::string& key : allowed) list += (list.empty() ? "" : ", ") + key;
    throw Error(what + ": unknown key '" + item.key() + "' (expected " + list + ")");
  }
}

const Json& required(const Json& object, const std::string& key, const std::string& what) {
  auto it = object.find(key);
  if (it == object.end()) throw Error(what + ": missing key '" + key + "'");
  return *it;
}

std::string stringField(const Json& value, const std::string& what) {
  if (!value.is_string()) throw Error(what + ": expected a string, got " + value.dump());
  return value.get<std::string>();
}

std::vector<std::string> stringList(const Json& value, const std::string& what) {
  if (!value.is_array()) throw Error(what + ": expected a list of strings");
  std::vector<std::string> items;
  for (const Json& item : value) items.push_back(stringField(item, what));
  return items;
}

std::vector<int64_t> shapeField(const Json& value, const std::string& what) {
  if (!value.is_array()) throw Error(what + ": 'shape' must be a list of integers");
  std::vector<int64_t> shape;
  for (const Json& dim : value) {
    if (!dim.is_number_integer()) throw Error(what + ": 'shape' must be a list of integers, got " + dim.dump());
    if (dim.get<int64_t>() < 0) throw Error(what + ": negative dimension " + dim.dump());
    shape.push_back(dim.get<int64_t>());
  }
  return shape;
}

/// An inline row-major list of numbers (or booleans) as a tensor of `dtype` and `shape`.
ir::Tensor inlineTensor(const Json& data, ir::DType dtype, const std::vector<int64_t>& shape,
                        const std::string& what) {
  if (!data.is_array()) throw Error(what + ": 'data' must be a list of numbers or \"file:NAME.npy\"");
  int64_t count = checkedElementCount(shape, what);  // before allocating anything
  if (static_cast<int64_t>(data.size()) != count)
    throw Error(what + ": 'data' holds " + std::to_string(data.size()) + " values, expected " +
                std::to_string(count) + " (the product of the shape)");
  ir::Tensor tensor(dtype, shape, what);
  for (size_t i = 0; i < data.size(); ++i) {
    const Json& v = data[i];
    int64_t index = static_cast<int64_t>(i);
    if (v.is_boolean()) tensor.set(index, v.get<bool>() ? 1.0 : 0.0);
    else if (v.is_number_integer() && dtype == ir::DType::I64) tensor.data<int64_t>()[i] = v.get<int64_t>();
    else if (v.is_number()) tensor.set(index, v.get<double>());
    else throw Error(what + ": 'data' element " + std::to_string(i) + " is not a number: " + v.dump());
  }
  return tensor;
}

/// The tensor behind "file:NAME.npy" (relative to the JSON file's folder).
ir::Tensor npyTensor(const std::string& reference, const std::filesystem::path& folder,
                     ir::DType dtype, const std::vector<int64_t>& shape, const std::string& what) {
  const std::string prefix = "file:";
  if (reference.rfind(prefix, 0) != 0)
    throw Error(what + ": 'data' string must be \"file:NAME.npy\", got \"" + reference + "\"");
  std::filesystem::path file = folder / reference.substr(prefix.size());
  ir::Tensor tensor = readNpy(file.string());
  if (tensor.dtype() != dtype || tensor.shape() != shape)
    throw Error(what + ": " + file.string() + " holds a " + std::string(ir::dtypeName(tensor.dtype())) +
                " array of a different dtype or shape than declared");
  return tensor;
}

struct TensorEntry {
  TensorKind kind;
  TensorDecl decl;
};

TensorEntry readTensor(const std::string& name, const Json& entry, const std::filesystem::path& folder) {
  std::string what = "tensor '" + name + "'";
  if (name.empty()) throw Error("a tensor has an empty name");
  checkKeys(entry, {"shape", "dtype", "kind", "data"}, what);
  TensorEntry result{TensorKind::Intermediate, {}};
  if (entry.contains("kind")) result.kind = parseKind(stringField(entry["kind"], what + " kind"), what);
  bool needsType = result.kind == TensorKind::Input || result.kind == TensorKind::Weight ||
                   result.kind == TensorKind::Constant;
  if (entry.contains("dtype") || needsType)
    result.decl.dtype = ir::parseDType(stringField(required(entry, "dtype", what), what + " dtype"), what);
  if (entry.contains("shape") || needsType)
    result.decl.shape = shapeField(required(entry, "shape", what), what);
  bool mayHoldData = result.kind == TensorKind::Constant || result.kind == TensorKind::Weight;
  if (result.kind == TensorKind::Constant && !entry.contains("data"))
    throw Error(what + ": a constant needs 'data' (a list of values or \"file:NAME.npy\")");
  if (entry.contains("data")) {
    if (!mayHoldData) throw Error(what + ": only constants and weights may have 'data'");
    const Json& data = entry["data"];
    ir::Tensor value = data.is_string()
                           ? npyTensor(data.get<std::string>(), folder, *result.decl.dtype, *result.decl.shape, what)
                           : inlineTensor(data, *result.decl.dtype, *result.decl.shape, what);
    result.decl.value = std::make_shared<const ir::Tensor>(std::move(value));
  }
  return result;
}

/// A JSON attribute value: numbers, strings, booleans, lists of them, or a tensor object
/// {"dtype", "shape", "data"}.
AttrValue attributeValue(const Json& value, const std::string& what) {
  if (value.is_boolean()) return int64_t{value.get<bool>()};
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object()) {
    checkKeys(value, {"dtype", "shape", "data"}, what);
    ir::DType dtype = ir::parseDType(stringField(required(value, "dtype", what), what), what);
    return inlineTensor(required(value, "data", what), dtype, shapeField(required(value, "shape", what), what), what);
  }
  if (!value.is_array()) throw Error(what + ": unsupported value " + value.dump());
  bool allIntegers = true, allNumbers = true, allStrings = true;
  for (const Json& item : value) {
    allIntegers = allIntegers && (item.is_number_integer() || item.is_boolean());
    allNumbers = allNumbers && (item.is_number() || item.is_boolean());
    allStrings = allStrings && item.is_string();
  }
  if (allIntegers) {
    std::vector<int64_t> ints;
    for (const Json& item : value) ints.push_back(item.is_boolean() ? item.get<bool>() : item.get<int64_t>());
    return ints;
  }
  if (allNumbers) return value.get<std::vector<double>>();
  if (allStrings) return value.get<std::vector<std::string>>();
  throw Error(what + ": a list must hold only numbers or only strings");
}

ModelNode readNode(const Json& entry, size_t index) {
  std::string what = "node " + std::to_string(index);
  checkKeys(entry, {"name", "op", "inputs", "outputs", "attrs"}, what);
  ModelNode node;
  node.op = stringField(required(entry, "op", what), what + " op");
  node.name = entry.contains("name") ? stringField(entry["name"], what + " name")
                                     : node.op + "_" + std::to_string(index);
  what = node.describe();
  node.inputs = stringList(required(entry, "inputs", what), what + " inputs");
  node.outputs = stringList(required(entry, "outputs", what), what + " outputs");
  if (entry.contains("attrs")) {
    const Json& attrs = entry["attrs"];
    if (!attrs.is_object()) throw Error(what + ": 'attrs' must be an object");
    for (const auto& item : attrs.items())
      node.attrs[item.key()] = attributeValue(item.value(), what + " attribute '" + item.key() + "'");
  }
  return node;
}

Json parseJson(const std::string& path) {
  std::string text = readFileBytes(path);
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw Error("JSON syntax error: " + std::string(e.what()));
  }
}

}  // namespace

Model readGraphJson(const std::string& path) {
  Json root = parseJson(path);
  checkKeys(root, {"format", "version", "name", "tensors", "nodes"}, "graph");
  if (stringField(required(root, "format", "graph"), "'format'") != "conflux-graph")
    throw Error("'format' must be \"conflux-graph\"");
  const Json& version = required(root, "version", "graph");
  if (!version.is_number_integer() || version.get<int64_t>() != 1)
    throw Error("unsupported 'version' " + version.dump() + " (expected 1)");
  Model model;
  model.source = path;
  model.name = root.contains("name") ? stringField(root["name"], "'name'")
                                     : std::filesystem::path(path).stem().string();
  const Json& tensors = required(root, "tensors", "graph");
  if (!tensors.is_object()) throw Error("'tensors' must be an object");
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  for (const auto& item : tensors.items()) {
    TensorEntry entry = readTensor(item.key(), item.value(), folder);
    bool runtimeWeight = entry.kind == TensorKind::Weight && !entry.decl.value;
    if (entry.kind == TensorKind::Input || runtimeWeight) model.inputs.push_back(item.key());
    if (entry.kind == TensorKind::Output) model.outputs.push_back(item.key());
    model.tensors[item.key()] = std::move(entry.decl);
  }
  const Json& nodes = required(root, "nodes", "graph");
  if (!nodes.is_array()) throw Error("'nodes' must be a list");
  for (size_t i = 0; i < nodes.size(); ++i) model.nodes.push_back(readNode(nodes[i], i));
  return model;
}

}  // namespace conflux::frontends
