#include "ir/expr.h"

#include <algorithm>

#include <array>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>
#include <utility>

#include "ir/error.h"

namespace conflux::ir {
namespace {

constexpr std::array<std::pair<UnaryOp, std::string_view>, 21> kUnaryNames{{
    {UnaryOp::Neg, "neg"},     {UnaryOp::Abs, "abs"},       {UnaryOp::Sqrt, "sqrt"},
    {UnaryOp::Exp, "exp"},     {UnaryOp::Log, "log"},       {UnaryOp::Erf, "erf"},
    {UnaryOp::Tanh, "tanh"},   {UnaryOp::Sigmoid, "sigmoid"}, {UnaryOp::Relu, "relu"},
    {UnaryOp::Not, "not"},     {UnaryOp::Floor, "floor"},   {UnaryOp::Ceil, "ceil"},
    {UnaryOp::Reciprocal, "reciprocal"}, {UnaryOp::Sin, "sin"}, {UnaryOp::Cos, "cos"},
    {UnaryOp::Round, "round"}, {UnaryOp::Sign, "sign"},     {UnaryOp::IsNaN, "isnan"},
    {UnaryOp::Asin, "asin"},   {UnaryOp::Acos, "acos"},     {UnaryOp::Atan, "atan"},
}};

constexpr std::array<std::pair<BinaryOp, std::string_view>, 16> kBinaryNames{{
    {BinaryOp::Add, "add"}, {BinaryOp::Sub, "sub"}, {BinaryOp::Mul, "mul"},
    {BinaryOp::Div, "div"}, {BinaryOp::Pow, "pow"}, {BinaryOp::Max, "max"},
    {BinaryOp::Min, "min"}, {BinaryOp::Mod, "mod"}, {BinaryOp::Eq, "eq"},
    {BinaryOp::Ne, "ne"},   {BinaryOp::Lt, "lt"},   {BinaryOp::Le, "le"},
    {BinaryOp::Gt, "gt"},   {BinaryOp::Ge, "ge"},   {BinaryOp::And, "and"},
    {BinaryOp::Or, "or"},
}};

template <typename Op, size_t N>
std::string_view nameOf(const std::array<std::pair<Op, std::string_view>, N>& table, Op op) {
  for (const auto& [o, n] : table)
    if (o == op) return n;
  CONFLUX_ASSERT(false, "unknown operator enumerator");
}

template <typename Op, size_t N>
Op parseOf(const std::array<std::pair<Op, std::string_view>, N>& table, std::string_view name,
           const char* what) {
  for (const auto& [o, n] : table)
    if (n == name) return o;
  throw Error(std::string("unknown ") + what + " operator '" + std::string(name) + "'");
}

bool isMathFunction(UnaryOp op) { return op != UnaryOp::Neg && op != UnaryOp::Abs && op != UnaryOp::Not && op != UnaryOp::Relu && op != UnaryOp::Sign; }

std::string_view infixSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::And: return "&&";
    case BinaryOp::Or: return "||";
    default: return "";
  }
}

std::string constantText(double value, DType dtype) {
  if (dtype == DType::Bool) return value != 0 ? "true" : "false";
  if (!isFloat(dtype)) return std::to_string(static_cast<long long>(value));
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out.precision(17);
  out << value;
  std::string text = out.str();
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

}  // namespace

std::string_view unaryOpName(UnaryOp op) { return nameOf(kUnaryNames, op); }
std::string_view binaryOpName(BinaryOp op) { return nameOf(kBinaryNames, op); }
UnaryOp parseUnaryOp(std::string_view name) { return parseOf(kUnaryNames, name, "unary"); }
BinaryOp parseBinaryOp(std::string_view name) { return parseOf(kBinaryNames, name, "binary"); }

bool isComparison(BinaryOp op) {
  return op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt || op == BinaryOp::Le ||
         op == BinaryOp::Gt || op == BinaryOp::Ge;
}

Expr constant(double value, DType dtype) {
  return std::make_shared<ExprNode>(ExprNode{ExprKind::Constant, dtype, value, {}, {}, {}, {}});
}

Expr ref(const std::string& name, DType dtype) {
  if (name.empty()) throw Error("expression reference with an empty name");
  return std::make_shared<ExprNode>(ExprNode{ExprKind::Ref, dtype, 0, name, {}, {}, {}});
}

Expr unary(UnaryOp op, Expr a) {
  CONFLUX_ASSERT(a != nullptr, "null operand");
  if (op == UnaryOp::Not && a->dtype != DType::Bool)
    throw Error("'not' needs a bool operand, got " + std::string(dtypeName(a->dtype)));
  if (isMathFunction(op) && op != UnaryOp::Not && !isFloat(a->dtype))
    throw Error("'" + std::string(unaryOpName(op)) + "' needs a float operand, got " +
                std::string(dtypeName(a->dtype)));
  DType result = op == UnaryOp::IsNaN ? DType::Bool : a->dtype;
  return std::make_shared<ExprNode>(ExprNode{ExprKind::Unary, result, 0, {}, op, {}, {std::move(a)}});
}

Expr binary(BinaryOp op, Expr a, Expr b) {
  CONFLUX_ASSERT(a != nullptr && b != nullptr, "null operand");
  if (a->dtype != b->dtype)
    throw Error("operands of '" + std::string(binaryOpName(op)) + "' differ in dtype: " +
                std::string(dtypeName(a->dtype)) + " and " + std::string(dtypeName(b->dtype)));
  if ((op == BinaryOp::And || op == BinaryOp::Or) && a->dtype != DType::Bool)
    throw Error("'" + std::string(binaryOpName(op)) + "' needs bool operands");
  DType result = isComparison(op) ? DType::Bool : a->dtype;
  return std::make_shared<ExprNode>(
      ExprNode{ExprKind::Binary, result, 0, {}, {}, op, {std::move(a), std::move(b)}});
}

Expr select(Expr cond, Expr a, Expr b) {
  CONFLUX_ASSERT(cond && a && b, "null operand");
  if (cond->dtype != DType::Bool) throw Error("select needs a bool condition");
  if (a->dtype != b->dtype) throw Error("select branches differ in dtype");
  DType result = a->dtype;
  return std::make_shared<ExprNode>(ExprNode{
      ExprKind::Select, result, 0, {}, {}, {}, {std::move(cond), std::move(a), std::move(b)}});
}

Expr cast(Expr a, DType dtype) {
  CONFLUX_ASSERT(a != nullptr, "null operand");
  return std::make_shared<ExprNode>(ExprNode{ExprKind::Cast, dtype, 0, {}, {}, {}, {std::move(a)}});
}

Expr load(const std::string& conn, std::vector<Expr> indices, DType dtype) {
  if (conn.empty()) throw Error("load from an empty connector name");
  for (const Expr& i : indices) {
    CONFLUX_ASSERT(i != nullptr, "null index");
    if (i->dtype != DType::I64) throw Error("load index into '" + conn + "' must be i64");
  }
  return std::make_shared<ExprNode>(
      ExprNode{ExprKind::Load, dtype, 0, conn, {}, {}, std::move(indices)});
}

bool equal(const Expr& a, const Expr& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  if (a->kind != b->kind || a->dtype != b->dtype || a->args.size() != b->args.size()) return false;
  switch (a->kind) {
    case ExprKind::Constant:
      if (a->value != b->value) return false;
      break;
    case ExprKind::Ref:
    case ExprKind::Load:
      if (a->name != b->name) return false;
      break;
    case ExprKind::Unary:
      if (a->unaryOp != b->unaryOp) return false;
      break;
    case ExprKind::Binary:
      if (a->binaryOp != b->binaryOp) return false;
      break;
    case ExprKind::Select:
    case ExprKind::Cast:
      break;
  }
  for (size_t i = 0; i < a->args.size(); ++i)
    if (!equal(a->args[i], b->args[i])) return false;
  return true;
}

namespace {
void collectRefs(const Expr& e, std::set<std::string>& names) {
  if (e->kind == ExprKind::Ref || e->kind == ExprKind::Load) names.insert(e->name);
  for (const Expr& arg : e->args) collectRefs(arg, names);
}
}  // namespace

std::vector<std::string> referencedNames(const Expr& e) {
  std::set<std::string> names;
  collectRefs(e, names);
  return {names.begin(), names.end()};
}

std::vector<std::string> loadedConnectors(const Expr& e) {
  std::set<std::string> names;
  std::function<void(const Expr&)> visit = [&](const Expr& x) {
    if (x->kind == ExprKind::Load) names.insert(x->name);
    for (const Expr& arg : x->args) visit(arg);
  };
  visit(e);
  return {names.begin(), names.end()};
}

Expr substitute(const Expr& e, const std::map<std::string, Expr>& replacements,
                const std::map<std::string, std::string>& renames) {
  if (e->kind == ExprKind::Ref)
    if (auto it = replacements.find(e->name); it != replacements.end()) return it->second;
  std::vector<Expr> args;
  bool changed = false;
  for (const Expr& arg : e->args) {
    args.push_back(substitute(arg, replacements, renames));
    changed = changed || args.back() != arg;
  }
  bool named = e->kind == ExprKind::Ref || e->kind == ExprKind::Load;
  auto rename = named ? renames.find(e->name) : renames.end();
  if (!changed && rename == renames.end()) return e;
  auto copy = std::make_shared<ExprNode>(*e);
  copy->args = std::move(args);
  if (rename != renames.end()) copy->name = rename->second;
  return copy;
}

Expr replaceEqual(const Expr& e, const Expr& target, const Expr& replacement) {
  if (equal(e, target)) return replacement;
  std::vector<Expr> args;
  bool changed = false;
  for (const Expr& arg : e->args) {
    args.push_back(replaceEqual(arg, target, replacement));
    changed = changed || args.back() != arg;
  }
  if (!changed) return e;
  auto copy = std::make_shared<ExprNode>(*e);
  copy->args = std::move(args);
  return copy;
}

bool containsEqual(const Expr& e, const Expr& target) {
  if (equal(e, target)) return true;
  return std::any_of(e->args.begin(), e->args.end(), [&](const Expr& arg) { return containsEqual(arg, target); });
}

std::string toString(const Expr& e) {
  switch (e->kind) {
    case ExprKind::Constant: return constantText(e->value, e->dtype);
    case ExprKind::Ref: return e->name;
    case ExprKind::Unary:
      if (e->unaryOp == UnaryOp::Neg) return "-(" + toString(e->args[0]) + ")";
      return std::string(unaryOpName(e->unaryOp)) + "(" + toString(e->args[0]) + ")";
    case ExprKind::Binary: {
      std::string_view symbol = infixSymbol(e->binaryOp);
      if (symbol.empty())
        return std::string(binaryOpName(e->binaryOp)) + "(" + toString(e->args[0]) + ", " +
               toString(e->args[1]) + ")";
      return "(" + toString(e->args[0]) + " " + std::string(symbol) + " " + toString(e->args[1]) +
             ")";
    }
    case ExprKind::Select:
      return "select(" + toString(e->args[0]) + ", " + toString(e->args[1]) + ", " +
             toString(e->args[2]) + ")";
    case ExprKind::Cast:
      return std::string(dtypeName(e->dtype)) + "(" + toString(e->args[0]) + ")";
    case ExprKind::Load: {
      std::string out = e->name + "[";
      for (size_t i = 0; i < e->args.size(); ++i) out += (i ? ", " : "") + toString(e->args[i]);
      return out + "]";
    }
  }
  CONFLUX_ASSERT(false, "unknown expression kind");
}

}  // namespace conflux::ir
