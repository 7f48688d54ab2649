#pragma once
// The scalar expression AST of tasklets (and interstate conditions). Nodes are immutable and
// built through checked factory functions; every node carries its result dtype.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ir/dtype.h"

namespace conflux::ir {

/// The closed list of expression node kinds.
enum class ExprKind { Constant, Ref, Unary, Binary, Select, Cast, Load };

/// Unary operators (math functions included).
enum class UnaryOp {
  Neg, Abs, Sqrt, Exp, Log, Erf, Tanh, Sigmoid, Relu, Not, Floor, Ceil, Reciprocal,
  Sin, Cos, Round, Sign, IsNaN, Asin, Acos, Atan
};

/// Binary operators: arithmetic, comparisons (result bool) and logic.
enum class BinaryOp { Add, Sub, Mul, Div, Pow, Max, Min, Mod, Eq, Ne, Lt, Le, Gt, Ge, And, Or };

std::string_view unaryOpName(UnaryOp op);
std::string_view binaryOpName(BinaryOp op);
/// Parse operator names; throw conflux::Error on unknown names.
UnaryOp parseUnaryOp(std::string_view name);
BinaryOp parseBinaryOp(std::string_view name);
/// True for comparisons, whose result dtype is bool.
bool isComparison(BinaryOp op);

struct ExprNode;
/// A shared, immutable expression.
using Expr = std::shared_ptr<const ExprNode>;

/// One expression node. Use the factories below; they check operand dtypes.
struct ExprNode {
  ExprKind kind;
  DType dtype;
  double value = 0;        // Constant
  std::string name;        // Ref: a connector, map parameter or symbol; Load: a connector
  UnaryOp unaryOp{};       // Unary
  BinaryOp binaryOp{};     // Binary
  std::vector<Expr> args;  // operands (Unary 1, Binary 2, Select 3: cond, then, else; Cast 1;
                           // Load: one i64 index per dimension of the connector's subset)
};

/// A constant of the given dtype.
Expr constant(double value, DType dtype = DType::F32);
/// A reference to a named scalar (connector, map parameter or symbol) of the given dtype.
Expr ref(const std::string& name, DType dtype);
/// op(a); math functions require a float operand, Not a bool.
Expr unary(UnaryOp op, Expr a);
/// op(a, b); operands must share a dtype. Comparisons yield bool.
Expr binary(BinaryOp op, Expr a, Expr b);
/// cond ? a : b with a bool cond and a, b of one dtype.
Expr select(Expr cond, Expr a, Expr b);
/// Converts a to dtype.
Expr cast(Expr a, DType dtype);

/// Element `indices` (i64, relative to the start of the connector's memlet subset) of the
/// array region wired to input connector `conn`: indirect access (Gather, Resize).
Expr load(const std::string& conn, std::vector<Expr> indices, DType dtype);

/// Structural equality.
bool equal(const Expr& a, const Expr& b);
/// Names of all Ref nodes and Load connectors, sorted and unique.
std::vector<std::string> referencedNames(const Expr& e);
/// Names of the connectors `e` reads through Load (indirect access), sorted and unique.
std::vector<std::string> loadedConnectors(const Expr& e);
/// `e` with every Ref named in `replacements` replaced by its expression (taken as is), and
/// every other Ref or Load whose name is in `renames` using the new name. Shares unchanged parts.
Expr substitute(const Expr& e, const std::map<std::string, Expr>& replacements,
                const std::map<std::string, std::string>& renames = {});
/// `e` with every subexpression equal to `target` (see equal) replaced by `replacement`.
Expr replaceEqual(const Expr& e, const Expr& target, const Expr& replacement);
/// True when `e` has a subexpression equal to `target`.
bool containsEqual(const Expr& e, const Expr& target);
/// Text with binary operators parenthesised: "max((a * b), 0.0)", "select(c, a, b)", "f32(x)",
/// "t[i, j]".
std::string toString(const Expr& e);

}  // namespace conflux::ir
