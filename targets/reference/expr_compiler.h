#pragma once
// Compiles a tasklet expression into steps over value columns: each expression node becomes
// one tight loop over a batch of lanes (up to kMaxLanes values of the vectorised map
// parameter), so the interpretive overhead is paid once per batch, not once per element.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/expr.h"
#include "targets/reference/element_types.h"
#include "targets/reference/linear_form.h"
#include "targets/reference/memlet_address.h"

namespace conflux::targets::reference {

/// One batch: `count` lanes; `env` holds every slot, the vector parameter at lane 0's value.
struct Lanes {
  int64_t count = 1;
  const int64_t* env = nullptr;
};

/// A step of a compiled program, run once per batch.
using Step = std::function<void(const Lanes&)>;

/// Owns the columns of a compiled program at stable addresses.
class ColumnPool {
 public:
  /// A new column of `dtype`.
  Column* add(ir::DType dtype) {
    columns_.push_back(std::make_unique<Column>(dtype));
    return columns_.back().get();
  }

 private:
  std::vector<std::unique_ptr<Column>> columns_;
};

/// Where the leaves of an expression come from.
struct ExprLeaves {
  /// Names the node (or interstate edge) in messages.
  std::string where;
  /// The column holding input connector `conn` for the current batch, or nullptr when `conn`
  /// is no input connector; it may emit the steps that fill the column.
  std::function<Column*(const std::string& conn)> connector;
  /// The memlet wired to input connector `conn` (for Load), or nullptr when there is none.
  std::function<const MemletAddress*(const std::string& conn)> region;
  /// Map parameters and interstate symbols.
  NameScope names;
  /// The slot of the parameter that varies across lanes (-1: none) and its step per lane.
  int vectorSlot = -1;
  int64_t vectorStep = 0;
};

/// Turns expressions into steps appended to one program.
class ExprCompiler {
 public:
  ExprCompiler(ExprLeaves leaves, ColumnPool& columns, std::vector<Step>& steps)
      : leaves_(std::move(leaves)), columns_(columns), steps_(steps) {}

  /// Emits the steps that evaluate `e` for a batch and returns the column of its values.
  /// Throws conflux::Error naming `where` for operations the reference target cannot run.
  Column* compile(const ir::Expr& e);
  /// False when a Load's region changes size along the vector parameter, so batches must
  /// hold a single lane.
  bool batchable() const { return batchable_; }

 private:
  Column* compileNode(const ir::ExprNode& e);
  Column* constantColumn(const ir::ExprNode& e);
  Column* refColumn(const ir::ExprNode& e);
  Column* unaryColumn(const ir::ExprNode& e);
  Column* binaryColumn(const ir::ExprNode& e);
  Column* selectColumn(const ir::ExprNode& e);
  Column* castColumn(Column* value, ir::DType to);
  Column* loadColumn(const ir::ExprNode& e);

  ExprLeaves leaves_;
  ColumnPool& columns_;
  std::vector<Step>& steps_;
  std::map<const ir::ExprNode*, Column*> memo_;  // shared subexpressions are computed once
  bool batchable_ = true;
};

}  // namespace conflux::targets::reference
