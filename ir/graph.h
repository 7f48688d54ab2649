#pragma once
// A graph: named arrays and a state machine of dataflow states joined by interstate edges.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/data_desc.h"
#include "ir/expr.h"
#include "ir/state.h"
#include "ir/tensor.h"

namespace conflux::ir {

/// A transition between states, taken when `condition` (bool; null = always) holds;
/// `assignments` then set interstate symbols.
struct InterstateEdge {
  size_t src = 0;
  size_t dst = 0;
  Expr condition;
  std::vector<std::pair<std::string, Expr>> assignments;
};

/// The top-level IR object. Arrays are kept sorted by name; states by index.
class Graph {
 public:
  explicit Graph(std::string name = "graph") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  void setName(std::string name) { name_ = std::move(name); }

  /// Declares an array; throws conflux::Error when the name is taken or invalid.
  void addArray(const std::string& name, DataDesc desc);
  /// Removes an array declaration.
  void removeArray(const std::string& name);
  bool hasArray(const std::string& name) const { return arrays_.count(name) != 0; }
  /// The array `name`; throws conflux::Error naming it when undeclared.
  const DataDesc& array(const std::string& name) const;
  DataDesc& array(const std::string& name);
  const std::map<std::string, DataDesc>& arrays() const { return arrays_; }

  /// Graph inputs and outputs, in signature order (non-transient arrays).
  const std::vector<std::string>& inputs() const { return inputs_; }
  const std::vector<std::string>& outputs() const { return outputs_; }
  void setInputs(std::vector<std::string> names) { inputs_ = std::move(names); }
  void setOutputs(std::vector<std::string> names) { outputs_ = std::move(names); }

  /// Appends a state and returns its index.
  size_t addState(State state);
  std::vector<State>& states() { return states_; }
  const std::vector<State>& states() const { return states_; }
  State& state(size_t index) { return states_.at(index); }
  const State& state(size_t index) const { return states_.at(index); }
  size_t startState() const { return start_; }
  void setStartState(size_t index) { start_ = index; }

  void addInterstateEdge(InterstateEdge edge) { interstate_.push_back(std::move(edge)); }
  const std::vector<InterstateEdge>& interstateEdges() const { return interstate_; }

  /// The known value of a non-transient array (a weight or constant folded at load time);
  /// null when its value is supplied at run time. Values are shared between graph copies.
  const Tensor* constantValue(const std::string& name) const;
  /// Records the value of array `name`; throws conflux::Error when the array is undeclared or
  /// the tensor's dtype or shape differ from it.
  void setConstantValue(const std::string& name, Tensor value);
  /// Records a value shared with its other holders (a model's weights are not copied).
  void setConstantValue(const std::string& name, std::shared_ptr<const Tensor> value);
  void removeConstantValue(const std::string& name) { constants_.erase(name); }
  const std::map<std::string, std::shared_ptr<const Tensor>>& constantValues() const {
    return constants_;
  }

  /// Interstate symbols (set by assignments, read by conditions and memlets).
  const std::map<std::string, DType>& symbols() const { return symbols_; }
  void addSymbol(const std::string& name, DType type) { symbols_[name] = type; }

 private:
  std::string name_;
  std::map<std::string, DataDesc> arrays_;
  std::vector<std::string> inputs_;
  std::vector<std::string> outputs_;
  std::vector<State> states_;
  std::vector<InterstateEdge> interstate_;
  std::map<std::string, DType> symbols_;
  std::map<std::string, std::shared_ptr<const Tensor>> constants_;
  size_t start_ = 0;
};

}  // namespace conflux::ir
