#include "targets/reference/expr_compiler.h"

#include <cmath>

#include "targets/reference/scalar_ops.h"

namespace conflux::targets::reference {

using ir::BinaryOp;
using ir::DType;
using ir::UnaryOp;

namespace {

/// out[i] = f(a[i]) over the batch.
template <class Out, class A, class F>
Step unaryLoop(Column* a, Column* out, F f) {
  const A* pa = a->data<A>();
  Out* po = out->data<Out>();
  return [pa, po, f](const Lanes& lanes) {
    for (int64_t i = 0; i < lanes.count; ++i) po[i] = f(pa[i]);
  };
}

/// out[i] = f(a[i], b[i]) over the batch.
template <class Out, class A, class F>
Step binaryLoop(Column* a, Column* b, Column* out, F f) {
  const A* pa = a->data<A>();
  const A* pb = b->data<A>();
  Out* po = out->data<Out>();
  return [pa, pb, po, f](const Lanes& lanes) {
    for (int64_t i = 0; i < lanes.count; ++i) po[i] = f(pa[i], pb[i]);
  };
}

/// Div and Mod: rejects an integer zero divisor before computing.
template <class T, class F>
Step divisionLoop(Column* a, Column* b, Column* out, F f, const std::string& where) {
  const T* pa = a->data<T>();
  const T* pb = b->data<T>();
  T* po = out->data<T>();
  return [pa, pb, po, f, where](const Lanes& lanes) {
    for (int64_t i = 0; i < lanes.count; ++i)
      if (ops::isZero(pb[i])) throw Error(where + ": integer division by zero");
    for (int64_t i = 0; i < lanes.count; ++i) po[i] = f(pa[i], pb[i]);
  };
}

[[noreturn]] void unsupported(const std::string& where, std::string_view op, DType type) {
  throw Error(where + ": operator '" + std::string(op) + "' is not supported on " +
              std::string(ir::dtypeName(type)) + " by the reference target");
}

Step floatUnaryStep(UnaryOp op, Column* a, Column* out) {
  auto loop = [&](auto f) { return unaryLoop<float, float>(a, out, f); };
  switch (op) {
    case UnaryOp::Neg: return loop([](float x) { return -x; });
    case UnaryOp::Abs: return loop([](float x) { return std::fabs(x); });
    case UnaryOp::Sqrt: return loop([](float x) { return std::sqrt(x); });
    case UnaryOp::Exp: return loop([](float x) { return std::exp(x); });
    case UnaryOp::Log: return loop([](float x) { return std::log(x); });
    case UnaryOp::Erf: return loop([](float x) { return std::erf(x); });
    case UnaryOp::Tanh: return loop([](float x) { return std::tanh(x); });
    case UnaryOp::Sigmoid: return loop([](float x) { return ops::sigmoid(x); });
    case UnaryOp::Relu: return loop([](float x) { return ops::relu(x); });
    case UnaryOp::Floor: return loop([](float x) { return std::floor(x); });
    case UnaryOp::Ceil: return loop([](float x) { return std::ceil(x); });
    case UnaryOp::Reciprocal: return loop([](float x) { return 1.0f / x; });
    case UnaryOp::Sin: return loop([](float x) { return std::sin(x); });
    case UnaryOp::Cos: return loop([](float x) { return std::cos(x); });
    case UnaryOp::Asin: return loop([](float x) { return std::asin(x); });
    case UnaryOp::Acos: return loop([](float x) { return std::acos(x); });
    case UnaryOp::Atan: return loop([](float x) { return std::atan(x); });
    case UnaryOp::Round: return loop([](float x) { return ops::roundHalfEven(x); });
    case UnaryOp::Sign: return loop([](float x) { return ops::sign(x); });
    case UnaryOp::IsNaN:
      return unaryLoop<Bool, float>(a, out, [](float x) -> Bool { return std::isnan(x); });
    default: return nullptr;
  }
}

template <class T>
Step unaryStep(UnaryOp op, Column* a, Column* out) {
  if constexpr (kIsFloat<T>) {
    return floatUnaryStep(op, a, out);
  } else if constexpr (kIsInt<T>) {
    auto loop = [&](auto f) { return unaryLoop<T, T>(a, out, f); };
    switch (op) {
      case UnaryOp::Neg: return loop([](T x) { return ops::neg(x); });
      case UnaryOp::Abs: return loop([](T x) { return ops::abs(x); });
      case UnaryOp::Relu: return loop([](T x) { return ops::relu(x); });
      case UnaryOp::Sign: return loop([](T x) { return ops::sign(x); });
      default: return nullptr;
    }
  } else {
    if (op == UnaryOp::Not) return unaryLoop<Bool, Bool>(a, out, [](Bool x) -> Bool { return !x; });
    return nullptr;
  }
}

/// Comparisons for every type (result bool).
template <class T>
Step compareStep(BinaryOp op, Column* a, Column* b, Column* out) {
  auto loop = [&](auto f) { return binaryLoop<Bool, T>(a, b, out, f); };
  switch (op) {
    case BinaryOp::Eq: return loop([](T x, T y) -> Bool { return x == y; });
    case BinaryOp::Ne: return loop([](T x, T y) -> Bool { return x != y; });
    case BinaryOp::Lt: return loop([](T x, T y) -> Bool { return x < y; });
    case BinaryOp::Le: return loop([](T x, T y) -> Bool { return x <= y; });
    case BinaryOp::Gt: return loop([](T x, T y) -> Bool { return x > y; });
    case BinaryOp::Ge: return loop([](T x, T y) -> Bool { return x >= y; });
    default: return nullptr;
  }
}

template <class T>
Step binaryStep(BinaryOp op, Column* a, Column* b, Column* out, const std::string& where) {
  if (ir::isComparison(op)) return compareStep<T>(op, a, b, out);
  auto loop = [&](auto f) { return binaryLoop<T, T>(a, b, out, f); };
  if constexpr (kIsBool<T>) {
    switch (op) {
      case BinaryOp::Add:
      case BinaryOp::Max:
      case BinaryOp::Or: return loop([](Bool x, Bool y) -> Bool { return x | y; });
      case BinaryOp::Mul:
      case BinaryOp::Min:
      case BinaryOp::And: return loop([](Bool x, Bool y) -> Bool { return x & y; });
      default: return nullptr;
    }
  } else {
    switch (op) {
      case BinaryOp::Add: return loop([](T x, T y) { return ops::add(x, y); });
      case BinaryOp::Sub: return loop([](T x, T y) { return ops::sub(x, y); });
      case BinaryOp::Mul: return loop([](T x, T y) { return ops::mul(x, y); });
      case BinaryOp::Div:
        return divisionLoop<T>(a, b, out, [](T x, T y) { return ops::div(x, y); }, where);
      case BinaryOp::Mod:
        return divisionLoop<T>(a, b, out, [](T x, T y) { return ops::mod(x, y); }, where);
      case BinaryOp::Pow: return loop([](T x, T y) { return ops::pow(x, y); });
      case BinaryOp::Max: return loop([](T x, T y) { return ops::max(x, y); });
      case BinaryOp::Min: return loop([](T x, T y) { return ops::min(x, y); });
      default: return nullptr;
    }
  }
}

/// Fills a column with kMaxLanes copies of `value` once, at compile time.
template <class T>
void fillConstant(Column* column, double value) {
  T converted = ops::convert<T>(value);
  T* p = column->data<T>();
  for (int64_t i = 0; i < kMaxLanes; ++i) p[i] = converted;
}

}  // namespace

Column* ExprCompiler::compile(const ir::Expr& e) {
  CONFLUX_ASSERT(e != nullptr, "null expression");
  auto it = memo_.find(e.get());
  if (it != memo_.end()) return it->second;
  Column* column = compileNode(*e);
  memo_[e.get()] = column;
  return column;
}

Column* ExprCompiler::compileNode(const ir::ExprNode& e) {
  if (!isSupported(e.dtype))
    throw Error(leaves_.where + ": an expression has dtype " + std::string(ir::dtypeName(e.dtype)) +
                "; " + kSupportedTypes);
  switch (e.kind) {
    case ir::ExprKind::Constant: return constantColumn(e);
    case ir::ExprKind::Ref: return refColumn(e);
    case ir::ExprKind::Unary: return unaryColumn(e);
    case ir::ExprKind::Binary: return binaryColumn(e);
    case ir::ExprKind::Select: return selectColumn(e);
    case ir::ExprKind::Cast: return castColumn(compile(e.args.at(0)), e.dtype);
    case ir::ExprKind::Load: return loadColumn(e);
  }
  CONFLUX_ASSERT(false, "unknown expression kind");
}

Column* ExprCompiler::constantColumn(const ir::ExprNode& e) {
  Column* out = columns_.add(e.dtype);
  dispatch(e.dtype, leaves_.where,
           [&](auto tag) { fillConstant<typename decltype(tag)::type>(out, e.value); });
  return out;
}

Column* ExprCompiler::refColumn(const ir::ExprNode& e) {
  if (Column* conn = leaves_.connector ? leaves_.connector(e.name) : nullptr) {
    if (conn->dtype() != e.dtype)
      throw Error(leaves_.where + ": reads '" + e.name + "' as " +
                  std::string(ir::dtypeName(e.dtype)) + " but its array is " +
                  std::string(ir::dtypeName(conn->dtype())));
    return conn;
  }
  std::optional<int> slot = leaves_.names.find(e.name);
  if (!slot)
    throw Error(leaves_.where + ": reads '" + e.name +
                "', which is no input connector, map parameter or symbol");
  Column* values = columns_.add(DType::I64);
  int64_t* out = values->data<int64_t>();
  int s = *slot;
  if (s == leaves_.vectorSlot) {
    int64_t step = leaves_.vectorStep;
    steps_.push_back([out, s, step](const Lanes& lanes) {
      for (int64_t i = 0; i < lanes.count; ++i) out[i] = lanes.env[s] + i * step;
    });
  } else {
    steps_.push_back([out, s](const Lanes& lanes) {
      for (int64_t i = 0; i < lanes.count; ++i) out[i] = lanes.env[s];
    });
  }
  return e.dtype == DType::I64 ? values : castColumn(values, e.dtype);
}

Column* ExprCompiler::unaryColumn(const ir::ExprNode& e) {
  Column* a = compile(e.args.at(0));
  Column* out = columns_.add(e.dtype);
  Step step = dispatch(a->dtype(), leaves_.where, [&](auto tag) {
    return unaryStep<typename decltype(tag)::type>(e.unaryOp, a, out);
  });
  DType expected = e.unaryOp == UnaryOp::IsNaN ? DType::Bool : a->dtype();
  if (!step || e.dtype != expected)
    unsupported(leaves_.where, ir::unaryOpName(e.unaryOp), a->dtype());
  steps_.push_back(std::move(step));
  return out;
}

Column* ExprCompiler::binaryColumn(const ir::ExprNode& e) {
  Column* a = compile(e.args.at(0));
  Column* b = compile(e.args.at(1));
  if (a->dtype() != b->dtype())
    throw Error(leaves_.where + ": operands of '" + std::string(ir::binaryOpName(e.binaryOp)) +
                "' differ in dtype");
  Column* out = columns_.add(e.dtype);
  Step step = dispatch(a->dtype(), leaves_.where, [&](auto tag) {
    return binaryStep<typename decltype(tag)::type>(e.binaryOp, a, b, out, leaves_.where);
  });
  DType expected = ir::isComparison(e.binaryOp) ? DType::Bool : a->dtype();
  if (!step || e.dtype != expected)
    unsupported(leaves_.where, ir::binaryOpName(e.binaryOp), a->dtype());
  steps_.push_back(std::move(step));
  return out;
}

Column* ExprCompiler::selectColumn(const ir::ExprNode& e) {
  Column* cond = compile(e.args.at(0));
  Column* a = compile(e.args.at(1));
  Column* b = compile(e.args.at(2));
  if (cond->dtype() != DType::Bool || a->dtype() != b->dtype() || a->dtype() != e.dtype)
    throw Error(leaves_.where + ": select needs a bool condition and branches of one dtype");
  Column* out = columns_.add(e.dtype);
  dispatch(e.dtype, leaves_.where, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const Bool* pc = cond->data<Bool>();
    const T* pa = a->data<T>();
    const T* pb = b->data<T>();
    T* po = out->data<T>();
    steps_.push_back([pc, pa, pb, po](const Lanes& lanes) {
      for (int64_t i = 0; i < lanes.count; ++i) po[i] = pc[i] ? pa[i] : pb[i];
    });
  });
  return out;
}

Column* ExprCompiler::castColumn(Column* value, DType to) {
  if (value->dtype() == to) return value;
  Column* out = columns_.add(to);
  dispatch(value->dtype(), leaves_.where, [&](auto fromTag) {
    dispatch(to, leaves_.where, [&](auto toTag) {
      using From = typename decltype(fromTag)::type;
      using To = typename decltype(toTag)::type;
      steps_.push_back(
          unaryLoop<To, From>(value, out, [](From x) { return ops::convert<To>(x); }));
    });
  });
  return out;
}

Column* ExprCompiler::loadColumn(const ir::ExprNode& e) {
  const MemletAddress* region = leaves_.region ? leaves_.region(e.name) : nullptr;
  if (!region)
    throw Error(leaves_.where + ": loads from '" + e.name + "', which is no input connector");
  if (e.args.size() != region->rank())
    throw Error(leaves_.where + ": load from '" + e.name + "' has " +
                std::to_string(e.args.size()) + " indices but its memlet has rank " +
                std::to_string(region->rank()));
  if (region->buffer().dtype() != e.dtype)
    throw Error(leaves_.where + ": loads '" + e.name + "' as " +
                std::string(ir::dtypeName(e.dtype)) + " but its array is " +
                std::string(ir::dtypeName(region->buffer().dtype())));
  std::vector<const int64_t*> indices;
  for (const ir::Expr& index : e.args) {
    Column* column = compile(index);
    if (column->dtype() != DType::I64)
      throw Error(leaves_.where + ": load index into '" + e.name + "' must be i64");
    indices.push_back(column->data<int64_t>());
  }
  if (leaves_.vectorSlot >= 0 && region->extentDependsOn(leaves_.vectorSlot)) batchable_ = false;
  int64_t laneStride =
      leaves_.vectorSlot >= 0 ? region->strideOf(leaves_.vectorSlot) * leaves_.vectorStep : 0;
  std::vector<int64_t> elementStrides;
  for (size_t d = 0; d < region->rank(); ++d) elementStrides.push_back(region->elementStride(d));
  Column* out = columns_.add(e.dtype);
  std::string what = leaves_.where + ": load from '" + e.name + "' (array '" + region->array() + "')";
  dispatch(e.dtype, leaves_.where, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* source = region->buffer().template data<T>();
    T* po = out->data<T>();
    std::vector<int64_t> extents(region->rank());
    steps_.push_back([=](const Lanes& lanes) mutable {
      int64_t base = region->offset().eval(lanes.env);
      for (size_t d = 0; d < extents.size(); ++d) extents[d] = region->extent(d, lanes.env);
      for (int64_t i = 0; i < lanes.count; ++i) {
        int64_t offset = base + i * laneStride;
        for (size_t d = 0; d < extents.size(); ++d) {
          int64_t index = indices[d][i];
          if (index < 0 || index >= extents[d])
            throw Error(what + " is out of range: index " + std::to_string(index) +
                        " in dimension " + std::to_string(d) + " outside 0:" +
                        std::to_string(extents[d] - 1));
          offset += index * elementStrides[d];
        }
        po[i] = source[offset];
      }
    });
  });
  return out;
}

}  // namespace conflux::targets::reference
