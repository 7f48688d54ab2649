#include "targets/cpu/online_softmax.h"

#include "targets/cpu/halide_expr.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/tasklet_inputs.h"

namespace conflux::targets::cpu {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::Var;

/// `m`, or 0 where it is -inf: what an online softmax subtracts, so that a block or row whose
/// scores are all -inf gives exponentials of 0 rather than NaN.
Expr finiteOrZero(const Expr& m) {
  return Halide::select(m == identityOf(ir::Wcr::Max, m.type()), Halide::cast(m.type(), 0), m);
}

}  // namespace

OnlineSoftmax::OnlineSoftmax(const ir::Graph& graph, const passes::Kernel& kernel,
                             const passes::AttentionKernel& attention, passes::SoftmaxForm form,
                             const ArrayLookup& arrays, const RowLowering& rows, int keys, int keyBlock,
                             int lanes, const std::string& where)
    : graph_(graph), state_(graph.state(kernel.state)), kernel_(kernel), a_(attention), form_(std::move(form)),
      arrays_(arrays), rows_(rows), keys_(keys), keyBlock_(keyBlock), lanes_(lanes), where_(where) {}

std::vector<Expr> OnlineSoftmax::blockArgs(const Expr& key, const Expr& block) const {
  std::vector<Expr> all{key, block};  // the key in the block, the block, then the rows
  for (const Var& r : rows_.rowArgVars()) all.push_back(r);
  return all;
}

/// total(kb, rows) = ⊕ over key block kb of value(key, kb, rows), in vector lanes: lane u
/// combines every `width`-th key, the lanes combined at the end.
Func OnlineSoftmax::blockReduction(const std::string& name, Func value, ir::Wcr wcr) {
  Halide::Type type = value.output_types().front();
  int width = keyBlock_ % (2 * lanes_) == 0 ? 2 * lanes_ : keyBlock_ % lanes_ == 0 ? lanes_ : 1;
  Var u("u");
  std::vector<Var> partialArgs{u, blockVar_}, totalArgs{blockVar_};
  for (const Var& r : rows_.rowArgVars()) {
    partialArgs.push_back(r);
    totalArgs.push_back(r);
  }
  std::vector<Expr> at(partialArgs.begin(), partialArgs.end());
  Func partial(uniqueFuncName(kernel_.name + "_" + name + "_lanes"));
  partial(partialArgs) = identityOf(wcr, type);
  Halide::RDom keys(0, keyBlock_ / width, kernel_.name + "_" + name + "_r");
  partial(at) = combine(wcr, partial(at), value(blockArgs(keys.x * width + u, blockVar_)));
  Func total(uniqueFuncName(kernel_.name + "_" + name));
  std::vector<Expr> totalAt(totalArgs.begin(), totalArgs.end());
  total(totalArgs) = identityOf(wcr, type);
  Halide::RDom lanes(0, width, kernel_.name + "_" + name + "_l");
  at.front() = lanes.x;
  total(totalAt) = combine(wcr, total(totalAt), partial(at));
  blockPartials_.push_back({partial, keys});
  blockTotals_.push_back(total);
  return total;
}

void OnlineSoftmax::defineBlocks() {
  // x and exp(x - m_kb) of each key, with m_kb the block's maximum, and the block's sum of
  // those exponentials.
  Var key("key");
  std::map<std::string, Expr> at = rows_.rowValues();
  at[state_.mapOf(a_.softmax.output.innerEntry).params.front()] = blockVar_ * keyBlock_ + key;
  ir::NodeId tasklet = a_.softmax.output.tasklet;
  ExprScope scope = bindInputs(graph_, state_, tasklet, at, arrays_, {}, rows_.registersOf(tasklet, at), where_);
  Halide::Type type = storageType(graph_.array(a_.probabilityBuffer).dtype);
  std::vector<Var> args{key, blockVar_};
  for (const Var& r : rows_.rowArgVars()) args.push_back(r);
  blockX_ = Func(uniqueFuncName(kernel_.name + "_block_x"));
  blockX_(args) = Halide::cast(type, toHalide(form_.input, scope));
  blockMax_ = blockReduction("block_max", blockX_, ir::Wcr::Max);
  std::vector<Expr> blockRow{blockVar_};
  for (const Var& r : rows_.rowArgVars()) blockRow.push_back(r);
  // A block whose keys are all masked with -inf has maximum -inf: its exponentials are
  // exp(-inf - 0) = 0, not exp(-inf + inf) = NaN.
  scope.values[form_.maximumConnector] = finiteOrZero(blockMax_(blockRow));
  blockExp_ = Func(uniqueFuncName(kernel_.name + "_block_exp"));
  blockExp_(args) = Halide::cast(type, toHalide(form_.exponential, scope));
  blockSum_ = blockReduction("block_sum", blockExp_, ir::Wcr::Sum);
}

Expr OnlineSoftmax::probability(const Expr& key, const Expr& block) const {
  return blockExp_(blockArgs(key, block));
}

Expr OnlineSoftmax::result(Func blockOutput, const std::vector<Var>& elements, const std::vector<Expr>& at,
                           const Expr& init) {
  Halide::Type type = blockOutput.output_types().front();
  std::vector<Var> stateArgs = elements;
  for (const Var& r : rows_.rowArgVars()) stateArgs.push_back(r);
  std::vector<Expr> here(stateArgs.begin(), stateArgs.end());
  keyBlocks_ = Halide::RDom(0, keys_ / keyBlock_, kernel_.name + "_key_blocks");
  if (end_) keyBlocks_.where(keyBlocks_.x * keyBlock_ < *end_);
  running_ = Func(uniqueFuncName(kernel_.name + "_running"));
  running_(stateArgs) = Halide::Tuple(identityOf(ir::Wcr::Sum, type), identityOf(ir::Wcr::Max, type),
                                      identityOf(ir::Wcr::Sum, type));
  std::vector<Expr> block{keyBlocks_.x}, element = here;
  for (const Var& r : rows_.rowArgVars()) block.push_back(r);
  element.insert(element.begin() + static_cast<long>(elements.size()), keyBlocks_.x);
  Expr blockMax = blockMax_(block), maximum = Halide::max(running_(here)[1], blockMax);
  // The block's exponentials were taken against its maximum where finite, else 0.
  Expr rescale = Halide::exp(running_(here)[1] - finiteOrZero(maximum));
  Expr weight = Halide::exp(finiteOrZero(blockMax) - finiteOrZero(maximum));
  running_(here) = Halide::Tuple(running_(here)[0] * rescale + blockOutput(element) * weight, maximum,
                                 running_(here)[2] * rescale + blockSum_(block) * weight);
  return combine(ir::Wcr::Sum, Halide::cast(type, init), running_(at)[0] / running_(at)[2]);
}

void OnlineSoftmax::computeBlocksAt(const Halide::LoopLevel& perKeyBlock) {
  // The block's softmax inputs and exponentials along vectors of keys, its maximum and sum in
  // lanes.
  for (Func g : {blockX_, blockExp_})
    g.compute_at(perKeyBlock).vectorize(g.args().front(), lanes_, Halide::TailStrategy::GuardWithIf);
  for (auto& [partial, domain] : blockPartials_) {
    partial.compute_at(perKeyBlock).vectorize(partial.args().front(), lanes_);
    partial.update().reorder(partial.args().front(), domain.x).vectorize(partial.args().front(), lanes_);
  }
  for (Func g : blockTotals_) g.compute_at(perKeyBlock);
}

Halide::LoopLevel OnlineSoftmax::scheduleBlocked(Func f, const Var& rows, const Var& query, int tileRows, int columns,
                                                 const Var& columnTiles) {
  running_.compute_at(f, rows).vectorize(running_.args().front(), lanes_, Halide::TailStrategy::GuardWithIf);
  Var e = running_.args().front(), tileRow("tr"), tile("tq"), column("tc"), lane("tv");
  Halide::Stage update = running_.update();
  update.split(query, tile, tileRow, tileRows)
      .split(e, columnTiles, column, columns)
      .reorder(column, tileRow, columnTiles, tile, keyBlocks_.x);
  if (columns >= lanes_ && columns % lanes_ == 0)
    update.split(column, column, lane, lanes_).vectorize(lane).unroll(column);
  Halide::LoopLevel perKeyBlock(running_, keyBlocks_.x);
  computeBlocksAt(perKeyBlock);
  return perKeyBlock;
}

Halide::LoopLevel OnlineSoftmax::scheduleRowByRow(Func f, const Var& rows) {
  running_.compute_at(f, rows).update().reorder(running_.args().front(), keyBlocks_.x);
  Halide::LoopLevel perKeyBlock(running_, keyBlocks_.x);
  computeBlocksAt(perKeyBlock);
  return perKeyBlock;
}

}  // namespace conflux::targets::cpu
