// ScatterElements and ScatterND without indexed stores: each output element gathers the
// updates that name it. A map over the output and the updates (ScatterElements: the positions
// along the axis; ScatterND: the index tuples) compares the index an update names with the
// output element. With a reduction (add, mul, max, min) the output starts as a copy of the data
// and every update that names an element combines into it with WCR. Without one, the last
// update naming an element replaces it: a WCR max finds that update's position (-1 for none),
// and a last map writes it or the data. The work is the output's size times the updates
// along the axis (ScatterElements) or the number of tuples (ScatterND): race-free and
// deterministic, fit for the few updates of a cache write, not for scatters of millions.
#include <functional>

#include "passes/expansions/expansions.h"

namespace conflux::passes::expansions {

using namespace ir;

namespace {

/// The WCR of a scatter reduction (not "none").
Wcr wcrOf(const Builder& b, const std::string& reduction) {
  if (reduction == "add") return Wcr::Sum;
  if (reduction == "mul") return Wcr::Product;
  if (reduction == "max") return Wcr::Max;
  if (reduction == "min") return Wcr::Min;
  b.fail("unknown scatter reduction '" + reduction + "'");
}

/// The conjunction of `terms` (at least one).
Expr allOf(const std::vector<Expr>& terms) {
  Expr all = terms.front();
  for (size_t k = 1; k < terms.size(); ++k) all = binary(BinaryOp::And, all, terms[k]);
  return all;
}

/// One scatter, as the maps see it: the output's parameters, the updates' parameters, and for
/// each pair whether the update names the output element (reading `index`) and the update's
/// value (reading `update`).
struct UpdateMatch {
  std::vector<std::string> outParams, updateParams;
  /// The leading output dimensions `names` reads (ScatterND: the tuple's length).
  size_t keyRank = 0;
  Subset updateSpace;
  Port index, update;
  Expr names, value;
  /// The update's position among all updates, an i64 expression of updateParams.
  Expr position;
  /// The update at a position (an i64 expression), for a map over the output reading all the
  /// updates as connector "updates".
  std::function<Expr(const Expr&)> valueAt;
};

/// ScatterElements: update k along the axis at the output's other coordinates names output
/// element i when i's other coordinates are inside the indices and indices[i, axis = k] = i[axis].
UpdateMatch matchElements(Builder& b) {
  auto axis = static_cast<size_t>(b.attrs<ScatterAttrs>().axis);
  const std::vector<int64_t>& data = b.shape("in0");
  const std::vector<int64_t>& indices = b.shape("in1");
  DType dtype = b.dtype("in0");
  UpdateMatch m;
  m.outParams = paramNames("i", data.size());
  m.keyRank = data.size();
  m.updateParams = {"k"};
  m.updateSpace.ranges.push_back({0, indices[axis] - 1, 1});
  m.index = {b.access("in1"), "idx", Subset::full(indices)};
  m.update = {b.access("in2"), "upd", Subset::full(indices)};
  // The element of the indices (and updates) at output element i with i[axis] = `along`,
  // clamped into them where i is not.
  auto at = [outParams = m.outParams, data, indices, axis](const Expr& along) {
    std::vector<Expr> element;
    for (size_t d = 0; d < data.size(); ++d) {
      Expr coordinate = param(outParams[d]);
      if (d == axis)
        element.push_back(along);
      else
        element.push_back(indices[d] < data[d] ? minOf(coordinate, i64(indices[d] - 1))
                                               : coordinate);
    }
    return element;
  };
  std::vector<Expr> names;
  for (size_t d = 0; d < data.size(); ++d)
    if (d != axis && indices[d] < data[d])
      names.push_back(binary(BinaryOp::Lt, param(m.outParams[d]), i64(indices[d])));
  Expr named = wrapNegative(load("idx", at(param("k")), b.dtype("in1")), data[axis]);
  names.push_back(binary(BinaryOp::Eq, named, param(m.outParams[axis])));
  m.names = allOf(names);
  m.value = load("upd", at(param("k")), dtype);
  m.position = param("k");
  m.valueAt = [at, dtype](const Expr& k) { return load("updates", at(k), dtype); };
  return m;
}

/// ScatterND: the index tuple at t (over the indices without their last dimension) names output
/// element i when it equals i's leading coordinates; its update is updates[t, i's others].
UpdateMatch matchTuples(Builder& b) {
  const std::vector<int64_t>& data = b.shape("in0");
  const std::vector<int64_t>& indices = b.shape("in1");
  size_t tuples = indices.size() - 1, q = static_cast<size_t>(indices.back());
  UpdateMatch m;
  m.outParams = paramNames("i", data.size());
  m.keyRank = q;
  m.updateParams = paramNames("t", tuples);
  std::vector<AffineExpr> t = symbols(m.updateParams), out = symbols(m.outParams);
  Subset tuple;
  for (size_t d = 0; d < tuples; ++d) {
    m.updateSpace.ranges.push_back({0, indices[d] - 1, 1});
    tuple.ranges.push_back(Range::point(t[d]));
  }
  tuple.ranges.push_back({0, indices.back() - 1, 1});
  std::vector<AffineExpr> update = t;
  update.insert(update.end(), out.begin() + static_cast<std::ptrdiff_t>(q), out.end());
  m.index = {b.access("in1"), "idx", tuple};
  m.update = {b.access("in2"), "upd", point(update)};
  std::vector<Expr> equal;
  for (size_t p = 0; p < q; ++p) {
    std::vector<Expr> element(indices.size(), i64(0));
    element.back() = i64(static_cast<int64_t>(p));
    Expr named = wrapNegative(load("idx", element, b.dtype("in1")), data[p]);
    equal.push_back(binary(BinaryOp::Eq, named, param(m.outParams[p])));
  }
  m.names = allOf(equal);
  DType dtype = b.dtype("in0");
  m.value = ref("upd", dtype);
  // Positions count the tuples in row-major order.
  Expr position = i64(0);
  for (size_t d = 0; d < tuples; ++d)
    position = add(binary(BinaryOp::Mul, position, i64(indices[d])), param(m.updateParams[d]));
  m.position = position;
  std::vector<std::string> outParams = m.outParams;
  m.valueAt = [indices, outParams, q, tuples, dtype](const Expr& at) {
    std::vector<Expr> element(tuples);
    Expr rest = at;
    for (size_t d = tuples; d-- > 0;) {
      element[d] = binary(BinaryOp::Mod, rest, i64(indices[d]));
      rest = binary(BinaryOp::Div, rest, i64(indices[d]));
    }
    for (size_t d = q; d < outParams.size(); ++d) element.push_back(param(outParams[d]));
    return load("updates", element, dtype);
  };
  return m;
}

}  // namespace

void expandScatter(Builder& b) {
  UpdateMatch m = b.op().op == OpKind::ScatterElements ? matchElements(b) : matchTuples(b);
  const std::vector<int64_t>& shape = b.shape("in0");
  DType dtype = b.dtype("in0");
  std::vector<AffineExpr> out = symbols(m.outParams);
  std::vector<std::string> params = m.outParams;
  params.insert(params.end(), m.updateParams.begin(), m.updateParams.end());
  Subset space = Subset::full(shape);
  space.ranges.insert(space.ranges.end(), m.updateSpace.ranges.begin(), m.updateSpace.ranges.end());
  Port data{b.access("in0"), "x", point(out)};
  const std::string& reduction = b.attrs<ScatterAttrs>().reduction;

  if (reduction != "none") {
    Wcr wcr = wcrOf(b, reduction);
    NodeId copy = b.addAccess(b.array("out0"));
    b.addMap({"copy",
              m.outParams,
              Subset::full(shape),
              {data},
              {{copy, "y", point(out)}},
              {ref("x", dtype)},
              {}});
    b.addMap({"",
              params,
              space,
              {m.index, m.update},
              {{b.access("out0"), "acc", point(out), wcr}},
              {select(m.names, m.value, identityOf(wcr, dtype))},
              {copy}});
    return;
  }
  // The last update naming each element (-1: none) — each slice for ScatterND —, then the output.
  std::vector<int64_t> keyShape(shape.begin(),
                                shape.begin() + static_cast<std::ptrdiff_t>(m.keyRank));
  std::vector<AffineExpr> key(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(m.keyRank));
  std::vector<std::string> keyParams(m.outParams.begin(),
                                     m.outParams.begin() + static_cast<std::ptrdiff_t>(m.keyRank));
  keyParams.insert(keyParams.end(), m.updateParams.begin(), m.updateParams.end());
  Subset keySpace = Subset::full(keyShape);
  keySpace.ranges.insert(keySpace.ranges.end(), m.updateSpace.ranges.begin(),
                         m.updateSpace.ranges.end());
  std::string last = b.addTransient("last", DType::I64, keyShape);
  NodeId none = b.fill(b.addAccess(last), i64(-1), "last_init");
  NodeId found = b.addAccess(last);
  b.addMap({"last",
            keyParams,
            keySpace,
            {m.index},
            {{found, "acc", point(key), Wcr::Max}},
            {select(m.names, m.position, i64(-1))},
            {none}});
  Expr at = ref("last", DType::I64);
  b.addMap(
      {"",
       m.outParams,
       Subset::full(shape),
       {data,
        {found, "last", point(key)},
        {b.access("in2"), "updates", Subset::full(b.shape("in2"))}},
       {{b.access("out0"), "y", point(out)}},
       {select(binary(BinaryOp::Ge, at, i64(0)), m.valueAt(maxOf(at, i64(0))), ref("x", dtype))},
       {}});
}

}  // namespace conflux::passes::expansions
