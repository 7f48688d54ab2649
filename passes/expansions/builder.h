#pragma once
// The one wiring helper every library-node expansion uses: it knows the library node being
// expanded (its connectors, arrays and attributes) and adds maps of one tasklet, fills and
// transients labelled after the op, carrying the node's origins.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"

namespace conflux::passes::expansions {

/// One array a map's tasklet reads or writes: the access node outside the map, the tasklet
/// connector and the subset moved per iteration (in the map's parameters).
struct Port {
  ir::NodeId access;
  std::string conn;
  ir::Subset subset;
  /// Write-conflict resolution (outputs only).
  ir::Wcr wcr = ir::Wcr::None;
};

/// A map scope around one tasklet. Iterates `params` over `ranges`; each output gets one
/// expression over the input connectors and the parameters (read as ir::ref(param, I64)).
/// With no parameters the tasklet is added without a map.
struct MapSpec {
  /// Role of the map within the expansion ("" for the main map, "init", "max", ...).
  std::string role;
  std::vector<std::string> params;
  ir::Subset ranges;
  std::vector<Port> inputs;
  std::vector<Port> outputs;
  /// One expression per output port.
  std::vector<ir::Expr> exprs;
  /// Access nodes whose writes must complete before the map runs (empty-memlet edges).
  std::vector<ir::NodeId> after;
};

/// Expands one library node: read access to its connectors and attributes, and the adders.
class Builder {
 public:
  Builder(ir::Graph& graph, ir::State& state, ir::NodeId node);

  const ir::LibraryNode& op() const { return op_; }
  /// The attributes, which must hold alternative A; throws conflux::Error otherwise.
  template <typename A>
  const A& attrs() const {
    if (const A* a = std::get_if<A>(&op_.attrs)) return *a;
    fail("expected " + std::string(A::kName) + " attributes, got " +
         std::string(ir::attrsName(op_.attrs)));
  }

  /// Whether connector `conn` ("in2", "out1") is present.
  bool has(const std::string& conn) const;
  /// The access node wired to connector `conn`; throws conflux::Error when it is missing.
  ir::NodeId access(const std::string& conn) const;
  /// The array of the access node `access`.
  const std::string& arrayOf(ir::NodeId access) const;
  const ir::DataDesc& descOf(ir::NodeId access) const;
  /// The array, shape and dtype behind connector `conn`.
  const std::string& array(const std::string& conn) const { return arrayOf(access(conn)); }
  const std::vector<int64_t>& shape(const std::string& conn) const;
  ir::DType dtype(const std::string& conn) const;
  /// Number of input connectors named in0, in1, ... without gaps.
  size_t numInputs() const;

  /// The value of the array behind connector `conn` when it is a constant (a weight stored in
  /// the model), else null.
  const ir::Tensor* constantValue(const std::string& conn) const;

  /// Declares a transient (named "<label>_<suffix>", made unique) and returns its name.
  std::string addTransient(const std::string& suffix, ir::DType dtype, std::vector<int64_t> shape);
  /// Declares a constant array holding `value` (named like a transient) and returns its name.
  std::string addConstant(const std::string& suffix, ir::Tensor value);
  /// A new access node of `array` carrying the node's origins.
  ir::NodeId addAccess(const std::string& array);

  /// Adds the map (or bare tasklet) described by `spec`.
  void addMap(const MapSpec& spec);
  /// Writes `value` into every element of the array of access node `target` and returns
  /// `target`: accumulating writers run after it (MapSpec::after).
  ir::NodeId fill(ir::NodeId target, const ir::Expr& value, const std::string& role);

  /// Throws conflux::Error naming the node and its op.
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string label(const std::string& role) const;
  /// Declares array "<label>_<suffix>" (made unique) and returns its name.
  std::string declare(const std::string& suffix, ir::DType dtype, std::vector<int64_t> shape, bool transient);
  ir::NodeId connected(const std::string& conn, bool input) const;

  ir::Graph& graph_;
  ir::State& state_;
  ir::NodeId node_;
  ir::LibraryNode op_;
  std::string nodeLabel_;
  std::vector<std::string> origins_;
};

/// Names prefix0 ... prefix{n-1}.
std::vector<std::string> paramNames(const std::string& prefix, size_t n);
/// The affine symbols of `params`.
std::vector<ir::AffineExpr> symbols(const std::vector<std::string>& params);
/// The one-element subset at `index`.
ir::Subset point(const std::vector<ir::AffineExpr>& index);
/// A map parameter (or any i64 scalar) read in a tasklet.
ir::Expr param(const std::string& name);
/// An i64 constant.
ir::Expr i64(int64_t value);

/// Shorthands for tasklet arithmetic (operands of one dtype).
ir::Expr add(ir::Expr a, ir::Expr b);
ir::Expr sub(ir::Expr a, ir::Expr b);
ir::Expr mul(ir::Expr a, ir::Expr b);
ir::Expr div(ir::Expr a, ir::Expr b);
ir::Expr maxOf(ir::Expr a, ir::Expr b);
ir::Expr minOf(ir::Expr a, ir::Expr b);
/// The constant `value` in the dtype of `like`.
ir::Expr constantLike(double value, const ir::Expr& like);

/// NumPy broadcasting: the index into an array of `shape` read at iteration index `index`
/// over `outShape` (trailing dimensions aligned; a size-1 dimension is read at 0).
std::vector<ir::AffineExpr> broadcastIndex(const std::vector<int64_t>& shape,
                                           const std::vector<ir::AffineExpr>& index,
                                           const std::vector<int64_t>& outShape);

/// `index` (any numeric dtype) as i64, a negative one counted from the end of `extent`: the
/// wrap of ONNX's gathers and scatters.
ir::Expr wrapNegative(ir::Expr index, int64_t extent);

/// The identity of a WCR accumulation in `dtype` (0, lowest, highest).
ir::Expr identityOf(ir::Wcr wcr, ir::DType dtype);

}  // namespace conflux::passes::expansions
