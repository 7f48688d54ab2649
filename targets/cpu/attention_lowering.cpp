#include "targets/cpu/attention_lowering.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <initializer_list>

#include "ir/error.h"
#include "ir/footprint.h"
#include "passes/kernel_patterns.h"
#include "passes/key_mask.h"
#include "passes/map_patterns.h"
#include "passes/softmax_form.h"
#include "targets/cpu/attention_plan.h"
#include "targets/cpu/buffer_views.h"
#include "targets/cpu/dense_write.h"
#include "targets/cpu/halide_expr.h"
#include "targets/cpu/module_key.h"
#include "targets/cpu/online_softmax.h"
#include "targets/cpu/row_lowering.h"
#include "targets/cpu/schedules.h"
#include "targets/cpu/tasklet_inputs.h"

namespace conflux::targets::cpu {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::Var;

/// The names of a packed operand's variables over the reduction's indices start with this.
const std::string kPackReduction = "pr";

/// The largest of `options` that divides `n`, else 1.
int largestDivisor(int64_t n, std::initializer_list<int> options) {
  for (int o : options)
    if (o > 0 && n % o == 0) return o;
  return 1;
}

/// The query rows per block: the most of 32 and 16 that divides `queries` and whose row buffers
/// (`rowBytes` per row: scores, softmax values, probabilities) fit the cache budget — the more
/// rows a block holds, the fewer times a head's keys and values stream past — else the tile's
/// rows (`tileRows`): a smaller block would not fill the register tile, and a longer row's
/// buffers stream from the next cache level at a few bytes per FLOP.
int queryBlock(int64_t queries, int64_t rowBytes, int tileRows, const CacheBudget& budget) {
  for (int rows : {32, 16})
    if (queries % rows == 0 && rows * rowBytes <= budget.streamed) return rows;
  return tileRows;
}

/// The first/count/step of each parameter of `map`; throws conflux::Error for ranges that are
/// not constant.
std::vector<std::array<int32_t, 3>> constantRanges(const ir::Map& map, const std::string& where) {
  std::vector<std::array<int32_t, 3>> ranges;
  for (const ir::Range& r : map.ranges.ranges) {
    std::optional<int64_t> begin = r.begin.constantValue(), end = r.end.constantValue();
    if (!begin || !end) throw Error(where + ": map ranges must be constant");
    ranges.push_back({static_cast<int32_t>(*begin), static_cast<int32_t>((*end - *begin) / r.step + 1),
                      static_cast<int32_t>(r.step)});
  }
  return ranges;
}

/// The iterations of `map`; throws conflux::Error naming `where` for ranges that are not constant.
int64_t iterations(const ir::Map& map, const std::string& where) {
  if (std::optional<int64_t> count = ir::iterationCount(map)) return *count;
  throw Error(where + ": map ranges must be constant");
}

/// A contraction stage (the scores' or the output's nested reduction) as Funcs: acc over the
/// stage's element variables and the rows, updated over the reduction's domain.
struct StageFuncs {
  Func acc;
  Halide::RDom domain;
  /// The stage's element variables, innermost first (the first one is vectorised), and the
  /// parameters they stand for.
  std::vector<Var> vars;
  std::vector<std::string> params;
  /// Operand copies packed along the first variable, computed once per head, each with the
  /// elements it holds along that variable.
  std::vector<std::pair<Func, int>> packs;
};

/// Builds the Funcs of one attention kernel.
class AttentionLowering {
 public:
  AttentionLowering(const ir::Graph& graph, const passes::Kernel& kernel, const passes::AttentionKernel& attention,
                    const ArrayLookup& arrays, int lanes, const std::string& where)
      : graph_(graph), state_(graph.state(kernel.state)), kernel_(kernel), a_(attention), arrays_(arrays),
        lanes_(lanes), where_(where), rows_(graph, kernel, attention.softmax, arrays, lanes, where) {
    queryRow_ = rows_.rowParams().back();
    queryVar_ = rows_.rowArgVars().front();  // the last row, innermost
    queries_ = constantRanges(state_.mapOf(a_.rowEntry), where_).back()[1];
    keys_ = static_cast<int>(iterations(state_.mapOf(a_.scores.outerEntry), where_));
    tileRows_ = largestDivisor(queries_, {8, 4, 2});
  }

  /// Runs the online softmax over blocks of `keyBlock` keys (onlineKeyBlock) instead of whole rows.
  void runOnline(int keyBlock) {
    std::optional<passes::SoftmaxForm> form = passes::keywiseSoftmax(state_, a_);
    if (!form) throw Error(where_ + ": an online softmax needs a keywise softmax");
    online_.emplace(graph_, kernel_, a_, std::move(*form), arrays_, rows_, keys_, keyBlock, lanes_, where_);
  }

  /// Leaves out the keys a constant mask hides (passes::maskedKeysFrom: from query row i + `offset`
  /// on). For a group of query rows — a register tile, or with an online softmax a block of rows
  /// (blockRows), which runs the key blocks together — the keys end after its last row's,
  /// rounded up to whole vectors: the softmax's reductions and the output's contraction stop
  /// there and the scores and probabilities are computed that far only, or the online softmax
  /// runs only the key blocks that start before.
  void skipMaskedKeys(int64_t offset, const CacheBudget& budget) {
    const int rows = online_ ? blockRows(budget) : tileRows_;
    const int align = online_ ? 1 : 2 * lanes_;
    Expr lastRow = queryVar_ / rows * rows + (rows - 1);
    Expr end = (lastRow + static_cast<int>(offset) + (align - 1)) / align * align;
    if (online_) return online_->limitKeys(Halide::min(keys_, end));
    keyEnd_ = Halide::min(keys_, end);
    rows_.boundElements(*keyEnd_);
  }

  /// The row's scores: a Func over the score buffer's index and the rows.
  void scores() {
    const ir::Memlet& write = state_.edge(state_.outEdges(a_.scores.epilogueTasklet).front()).memlet;
    std::map<std::string, Expr> params = rows_.rowValues();
    scoreStage_.params = bufferParams(write, "s", params, scoreStage_.vars);
    scoreStage_.acc = contraction(a_.scores, params, scoreStage_);
    score_ = Func(uniqueFuncName(kernel_.name + "_scores"));
    score_(args(scoreStage_.vars)) =
        epilogue(a_.scores, params, accumulatorAt(scoreStage_, params), graph_.array(a_.scoreBuffer).dtype);
    rows_.readBuffer(a_.scoreBuffer, score_);
  }

  /// The softmax over the scores: its statistics, and the probabilities as a Func over the
  /// probability buffer's index and the rows.
  void softmax() {
    if (online_) return online_->defineBlocks();
    for (const passes::RowStage& stage : a_.softmax.reductions) rows_.reduce(stage);
    const ir::Memlet& write = state_.edge(state_.outEdges(a_.softmax.output.tasklet).front()).memlet;
    std::map<std::string, Expr> pure = rows_.rowValues();
    bufferParams(write, "p", pure, probabilityVars_);
    probability_ = Func(uniqueFuncName(kernel_.name + "_probabilities"));
    probability_(args(probabilityVars_)) =
        Halide::cast(storageType(graph_.array(a_.probabilityBuffer).dtype), rows_.output(pure, ""));
    rows_.readBuffer(a_.probabilityBuffer, probability_);
  }

  /// The output's contraction over the probabilities, and the output Func `f` (over `vars`, one
  /// per row-major output dimension; `pure`: each parameter's value) from its epilogue.
  Expr output(const std::map<std::string, Expr>& pure, ir::DType dtype) {
    const ir::Map& outer = state_.mapOf(a_.output.outerEntry);
    std::map<std::string, Expr> params = rows_.rowValues();
    for (size_t k = outer.params.size(); k-- > 0;) {
      outputStage_.vars.emplace_back("o" + std::to_string(k));
      params[outer.params[k]] = outputStage_.vars.back();
    }
    outputStage_.params.assign(outer.params.rbegin(), outer.params.rend());
    if (online_) return onlineOutput(params, pure, dtype);
    outputStage_.acc = contraction(a_.output, params, outputStage_, std::nullopt, keyEnd_);
    return epilogue(a_.output, pure, accumulatorAt(outputStage_, pure), dtype);
  }

  /// Schedules the stages of `f`, whose Halide dimensions are `vars` (innermost first) and
  /// whose dimension `params[j]` moves with the parameter named there ("" for none); blocks of
  /// query rows are as large as `budget` allows.
  void schedule(Func f, const std::vector<Var>& vars, const std::vector<std::string>& params,
                const std::vector<int64_t>& extents, int threads, const CacheBudget& budget) {
    auto dimOf = [&](const std::string& p) {
      return static_cast<size_t>(std::find(params.begin(), params.end(), p) - params.begin());
    };
    size_t query = dimOf(queryRow_);
    const std::vector<std::string>& outputParams = state_.mapOf(a_.output.outerEntry).params;
    bool tiled = query < vars.size() && outputParams.size() == 1 && dimOf(outputParams.front()) == 0 &&
                 scoreStage_.vars.size() == 1 && (online_ || probabilityVars_.size() == 1);
    if (!tiled) return scheduleRowByRow(f, query < vars.size() ? vars[query] : vars.back(), vars.back(), threads);
    int keys = online_ ? online_->keyBlock() : keys_;  // computed per block of query rows
    int tileRows = tileRows_;  // unrolled: tileRows x 2 vectors of accumulators
    int block = blockRows(budget);
    int columns = largestDivisor(extents[0], {2 * lanes_, lanes_});
    Var qo("qo"), qt("qt"), qi("qi"), eo("eo"), ei("ei"), ev("ev");
    f.split(vars[query], qo, qt, block).split(qt, qt, qi, tileRows).split(vars[0], eo, ei, columns);
    std::vector<Halide::VarOrRVar> order{ei, qi, eo, qt, qo};
    std::vector<Var> heads;
    for (size_t j = 1; j < vars.size(); ++j)
      if (j != query) heads.push_back(vars[j]);
    order.insert(order.end(), heads.begin(), heads.end());
    f.reorder(order);
    std::optional<Var> perHead;
    if (!heads.empty()) {
      Var fused = heads.front();
      for (size_t j = 1; j < heads.size(); ++j) {
        Var next(fused.name() + "_" + heads[j].name());
        f.fuse(fused, heads[j], next);
        fused = next;
      }
      perHead = fused;
    }
    if (threads > 1) f.parallel(perHead ? *perHead : qo);
    if (columns >= lanes_ && columns % lanes_ == 0) f.split(ei, ei, ev, lanes_).vectorize(ev).unroll(ei);
    f.unroll(qi);
    schedulePacks(f, perHead);
    if (online_) {
      Halide::LoopLevel perKeyBlock = online_->scheduleBlocked(f, qo, queryVar_, tileRows, columns, eo);
      tileStage(outputStage_, online_->running(), eo, columns);
      scheduleScoreTiles(perKeyBlock, keys, tileRows);
    } else {
      computeStagesAt(f, qo);
      tileStage(outputStage_, f, eo, columns);
      scheduleScoreTiles(Halide::LoopLevel(f, qo), keys, tileRows);
    }
  }

 private:
  /// The query rows of a block (queryBlock): as many as the buffers of the keys a block computes
  /// at a time (all of them, or an online softmax's key block) let `budget` hold.
  int blockRows(const CacheBudget& budget) const {
    return queryBlock(queries_, attentionRowBytes(online_ ? online_->keyBlock() : keys_), tileRows_, budget);
  }

  /// Every stage computed per row inside `f`'s loop `rows`, threads over its loop `outermost`:
  /// for outputs whose layout the blocked schedule does not take.
  void scheduleRowByRow(Func f, Var rows, Var outermost, int threads) {
    if (threads > 1) f.parallel(outermost);
    schedulePacks(f, std::nullopt);
    Halide::LoopLevel perKeyBlock(f, rows);
    if (online_) {
      perKeyBlock = online_->scheduleRowByRow(f, rows);
    } else {
      computeStagesAt(f, rows);
    }
    score_.compute_at(perKeyBlock);
    scoreStage_.acc.compute_at(perKeyBlock);
    outputStage_.acc.compute_at(perKeyBlock);
  }

  /// The scores computed at `at` in tiles of `tileRows` rows x a few vectors along `keys` keys.
  void scheduleScoreTiles(const Halide::LoopLevel& at, int64_t keys, int tileRows) {
    Var s = scoreStage_.vars.front(), so("so"), si("si"), sqo("sqo"), sqi("sqi");
    int keyTile = largestDivisor(keys, {2 * lanes_, lanes_});
    score_.compute_at(at);
    score_.split(s, so, si, keyTile).split(queryVar_, sqo, sqi, tileRows).reorder(si, sqi, so, sqo);
    if (keyTile >= lanes_) score_.vectorize(si, lanes_);
    tileStage(scoreStage_, score_, so, keyTile);
  }

  /// Func arguments: the element variables, then the rows.
  std::vector<Var> args(const std::vector<Var>& elements) const {
    std::vector<Var> all = elements;
    for (const Var& r : rows_.rowArgVars()) all.push_back(r);
    return all;
  }

  /// The parameters indexing a row buffer's dimensions where `write` writes it, each given a
  /// variable named `prefix`k (pushed onto `vars` innermost first) in `params`.
  std::vector<std::string> bufferParams(const ir::Memlet& write, const std::string& prefix,
                                        std::map<std::string, Expr>& params, std::vector<Var>& vars) const {
    std::vector<std::string> names;
    for (size_t t = write.subset.rank(); t-- > 0;) {
      std::optional<std::string> p = passes::soleParameter(write.subset.ranges[t]);
      if (!p) throw Error(where_ + ": a row buffer is not written one element per iteration");
      vars.emplace_back(prefix + std::to_string(t));
      params[*p] = vars.back();
      names.push_back(*p);
    }
    return names;
  }

  /// acc(elements, rows) = init; acc ⊕= the reduction's value over its domain. `params` maps the
  /// rows and the stage's element parameters to its variables.
  /// In an online softmax's output contraction (`keyBlock`: the key block variable), acc sums
  /// over the keys of one block from 0, each probability replaced by the block's exponential.
  /// With `end`, the reduction stops before that step.
  Func contraction(const passes::NestedReduction& r, const std::map<std::string, Expr>& params, StageFuncs& stage,
                   const std::optional<Var>& keyBlock = std::nullopt, const std::optional<Expr>& end = std::nullopt) {
    Halide::Type type = storageType(graph_.array(r.accumulator).dtype);
    Func acc(uniqueFuncName(kernel_.name + "_" + r.accumulator));
    ExprScope init =
        bindInputs(graph_, state_, r.initTasklet, params, arrays_, {}, rows_.registersOf(r.initTasklet, params), where_);
    acc(args(stage.vars)) = keyBlock ? identityOf(r.wcr, type)
                                     : Halide::cast(type, toHalide(outputExpr(state_, r.initTasklet, ""), init));

    const ir::Map& inner = state_.mapOf(r.innerEntry);
    std::vector<std::array<int32_t, 3>> ranges = constantRanges(inner, where_);
    std::vector<Halide::Range> extents;
    for (const auto& [begin, count, step] : ranges) extents.emplace_back(0, keyBlock ? online_->keyBlock() : count);
    stage.domain = Halide::RDom(extents, kernel_.name + "_" + r.accumulator + "_r");
    if (end) stage.domain.where(stage.domain.x < *end);
    std::map<std::string, Expr> at = params;
    for (size_t k = 0; k < inner.params.size(); ++k) {
      Expr step = stage.domain[static_cast<int>(k)];
      if (keyBlock) step = *keyBlock * online_->keyBlock() + step;
      at[inner.params[k]] = ranges[k][0] + ranges[k][2] * step;
    }
    PackRead pack = [&](const ir::Memlet& read, const std::vector<Expr>&) {
      return packed(read, params, stage.params.front(), inner.params, at, stage);
    };
    std::map<std::string, Expr> registers;
    if (keyBlock) registers[a_.probabilityBuffer] = online_->probability(stage.domain.x, *keyBlock);
    ExprScope value = bindInputs(graph_, state_, r.reduceTasklet, at, arrays_, pack,
                                 rows_.registersOf(r.reduceTasklet, at, registers), where_);
    std::vector<Var> vars = args(stage.vars);
    std::vector<Expr> call(vars.begin(), vars.end());
    acc(call) = combine(r.wcr, acc(call), Halide::cast(type, toHalide(outputExpr(state_, r.reduceTasklet, ""), value)));
    return acc;
  }

  /// The index of `stage`'s accumulator where the parameters are `params`: its parameters'
  /// values, then the rows'.
  std::vector<Expr> accumulatorIndex(const StageFuncs& stage, const std::map<std::string, Expr>& params) const {
    std::vector<Expr> index;
    for (const std::string& p : stage.params) index.push_back(params.at(p));
    std::vector<Expr> rowIndex;
    for (const std::string& p : rows_.rowParams()) rowIndex.push_back(params.at(p));
    for (const Expr& e : rows_.rowArgs(rowIndex)) index.push_back(e);
    return index;
  }

  /// The accumulator of `stage` where the parameters are `params`.
  Expr accumulatorAt(const StageFuncs& stage, const std::map<std::string, Expr>& params) const {
    return stage.acc(accumulatorIndex(stage, params));
  }

  /// The epilogue of `r` over the accumulator's value `acc`, where the parameters are `params`.
  Expr epilogue(const passes::NestedReduction& r, const std::map<std::string, Expr>& params, const Expr& acc,
                ir::DType dtype) const {
    ExprScope scope = bindInputs(graph_, state_, r.epilogueTasklet, params, arrays_, {},
                                 rows_.registersOf(r.epilogueTasklet, params, {{r.accumulator, acc}}), where_);
    return Halide::cast(storageType(dtype), toHalide(outputExpr(state_, r.epilogueTasklet, ""), scope));
  }

  /// The values the stage's vector parameter `vector` takes (the keys of the scores, the value
  /// columns of the output).
  int vectorExtent(const StageFuncs& stage, const std::string& vector) const {
    const ir::Map& outer = state_.mapOf(&stage == &outputStage_ ? a_.output.outerEntry : a_.scores.outerEntry);
    auto at = std::find(outer.params.begin(), outer.params.end(), vector);
    if (at == outer.params.end())
      throw InternalError(where_ + ": a contraction's vector parameter is not its element's");
    return constantRanges(outer, where_)[static_cast<size_t>(at - outer.params.begin())][1];
  }

  /// A copy of the operand `read` of a contraction packed along the stage's vector parameter
  /// `vector` when the operand moves with it and does not depend on the query row, and the
  /// lanes would read it across its rows (the keys of a head) or along a narrower panel of wide
  /// rows (a head's 64 values in rows of the fused QKV projection's 3072: each key's vector a
  /// row apart, at a stride that maps them all to a few L1 sets). Computed once per head, it is
  /// read along contiguous lanes. Nothing for any other operand.
  std::optional<Expr> packed(const ir::Memlet& read, const std::map<std::string, Expr>& params,
                             const std::string& vector, const std::vector<std::string>& reduction,
                             const std::map<std::string, Expr>& at, StageFuncs& stage) {
    const ir::DataDesc& desc = graph_.array(read.data);
    if (desc.storage == ir::Storage::Register || !passes::isPoint(read.subset)) return std::nullopt;
    bool moves = false, perQuery = false;
    for (const ir::Range& r : read.subset.ranges) {
      moves = moves || r.begin.coefficient(vector) != 0;
      perQuery = perQuery || r.begin.coefficient(queryRow_) != 0;
    }
    if (!moves || perQuery) return std::nullopt;
    const int extent = vectorExtent(stage, vector);
    const auto unit = static_cast<size_t>(desc.layout.innermost());
    bool narrowerPanel = read.subset.ranges[unit].begin.coefficient(vector) == 1 && desc.shape[unit] > extent;
    if (!narrowerPanel && !stridedDimension(read.subset, vector, desc.layout)) return std::nullopt;
    // pack(v, reduction..., rows but the query) = the operand's element there.
    std::map<std::string, Expr> definition = params;
    std::vector<Var> vars{Var("pv")};
    definition[vector] = vars.front();
    std::vector<Expr> call{params.at(vector)};
    for (size_t k = 0; k < reduction.size(); ++k) {
      vars.emplace_back(kPackReduction + std::to_string(k));
      definition[reduction[k]] = vars.back();
      call.push_back(at.at(reduction[k]));
    }
    for (const Var& r : rows_.rowArgVars())
      if (r.name() != queryVar_.name()) {
        vars.push_back(r);
        call.push_back(r);
      }
    std::vector<Expr> index;
    for (const ir::Range& r : read.subset.ranges) index.push_back(toHalide(r.begin, definition));
    Func pack(uniqueFuncName(kernel_.name + "_packed"));
    pack(vars) = element(arrays_(read.data), index, desc.dtype);
    stage.packs.emplace_back(pack, extent);
    return pack(call);
  }

  /// Computes a contraction stage's accumulator per tile of `consumer` at its loop `at`: the
  /// reduction outermost, then the block's rows unrolled, then `columns` elements in vectors.
  void tileStage(StageFuncs& stage, Func consumer, Var at, int columns) {
    stage.acc.compute_at(consumer, at);
    Var v = stage.vars.front();
    std::vector<Halide::VarOrRVar> order{v, queryVar_};
    for (int k = 0; k < stage.domain.dimensions(); ++k) order.emplace_back(stage.domain[k]);
    Halide::Stage update = stage.acc.update();
    update.reorder(order);
    if (columns >= lanes_ && columns % lanes_ == 0) {
      stage.acc.vectorize(v, lanes_);
      Var vo(v.name() + "o"), vi(v.name() + "i");
      update.split(v, vo, vi, lanes_).vectorize(vi).unroll(vo);
    }
    update.unroll(queryVar_);
  }

  /// Computes the scores' tiles, the statistics and the probabilities per block of rows at `f`'s
  /// loop `rows`.
  void computeStagesAt(Func f, Var rows) {
    scoreStage_.acc.compute_at(f, rows);
    probability_.compute_at(f, rows).vectorize(probabilityVars_.front(), lanes_, Halide::TailStrategy::GuardWithIf);
    rows_.schedule(f, rows);
  }

  /// Computes the packed operands per head (`perHead`, else once for all).
  void schedulePacks(Func f, const std::optional<Var>& perHead) {
    for (StageFuncs* stage : {&scoreStage_, &outputStage_}) {
      for (auto& [pack, extent] : stage->packs) {
        perHead ? pack.compute_at(f, *perHead) : pack.compute_root();
        // A vector of lanes along the packed dimension at a time, over all of the reduction's
        // indices: the lanes' rows of the operand stay in cache while they are transposed.
        std::vector<Var> packArgs = pack.args();
        Var v = packArgs.front(), outer(v.name() + "o"), inner(v.name() + "i");
        // Rows one vector longer than the elements: rows of 1024 keys would be 4 KiB apart, and
        // a tile reading a few vectors of each row would find them all in the same L1 sets.
        pack.bound_storage(v, extent + lanes_);
        pack.split(v, outer, inner, lanes_, Halide::TailStrategy::GuardWithIf);
        std::vector<Halide::VarOrRVar> order{inner};
        for (const Var& reduction : packArgs)
          if (reduction.name().rfind(kPackReduction, 0) == 0) order.emplace_back(reduction);
        order.emplace_back(outer);
        pack.reorder(order).vectorize(inner);
      }
    }
  }

  /// The online softmax's output: per key block the contraction over its keys of the block's
  /// exponentials times values (OnlineSoftmax::probability), whose running results give the
  /// accumulator init + sum / l for the epilogue.
  Expr onlineOutput(const std::map<std::string, Expr>& params, const std::map<std::string, Expr>& pure,
                    ir::DType dtype) {
    std::vector<Var> elements = outputStage_.vars;
    outputStage_.vars.push_back(online_->blockVar());
    outputStage_.acc = contraction(a_.output, params, outputStage_, online_->blockVar());
    ExprScope init = bindInputs(graph_, state_, a_.output.initTasklet, pure, arrays_, {},
                                rows_.registersOf(a_.output.initTasklet, pure), where_);
    Expr acc = online_->result(outputStage_.acc, elements, accumulatorIndex(outputStage_, pure),
                               toHalide(outputExpr(state_, a_.output.initTasklet, ""), init));
    return epilogue(a_.output, pure, acc, dtype);
  }

  const ir::Graph& graph_;
  const ir::State& state_;
  const passes::Kernel& kernel_;
  const passes::AttentionKernel& a_;
  const ArrayLookup& arrays_;
  int lanes_;
  std::string where_;
  RowLowering rows_;
  std::string queryRow_;
  Var queryVar_;
  /// The query rows, the keys, and the rows of a register tile along the queries.
  int queries_ = 1, keys_ = 1, tileRows_ = 1;
  /// Where the keys a query row reads end, when a mask hides the rest (skipMaskedKeys).
  std::optional<Expr> keyEnd_;
  StageFuncs scoreStage_, outputStage_;
  Func score_, probability_;
  std::vector<Var> probabilityVars_;
  /// The online softmax, when chosen (runOnline).
  std::optional<OnlineSoftmax> online_;
};

}  // namespace

LoweredKernel lowerAttentionKernel(const ir::Graph& graph, const passes::Kernel& kernel,
                                   const passes::AttentionKernel& attention, const ArrayLookup& arrays,
                                   PipelineLibrary& library, const ir::TargetDesc& target, const std::string& where) {
  const ir::State& state = graph.state(kernel.state);
  const ir::Edge& writeEdge = state.edge(state.outEdges(attention.output.epilogueTasklet).front());
  const ir::DataDesc& out = graph.array(writeEdge.memlet.data);
  ir::Map space = state.mapOf(attention.rowEntry);
  const ir::Map& outer = state.mapOf(attention.output.outerEntry);
  space.params.insert(space.params.end(), outer.params.begin(), outer.params.end());
  space.ranges.ranges.insert(space.ranges.ranges.end(), outer.ranges.ranges.begin(), outer.ranges.ranges.end());
  std::optional<DenseWrite> box = denseWrite(writeEdge.memlet.subset, space, out.shape);
  if (!box || !box->unmerged()) throw Error(where + ": the attention does not write one element per iteration");
  const std::vector<int>& order = out.layout.order;
  Halide::Buffer<> outBuffer =
      memoryOrderView(boxView(arrays(writeEdge.memlet.data).buffer(where), box->offsets, box->extents), order);
  size_t rank = order.size();
  std::vector<Var> vars;  // vars[k] indexes row-major dimension k
  for (size_t k = 0; k < rank; ++k) vars.emplace_back("d" + std::to_string(rank - 1 - k));
  std::vector<Var> halideVars;  // memory order, innermost first
  std::vector<std::string> params;
  std::vector<int64_t> extents;
  for (size_t j = 0; j < rank; ++j) {
    size_t logical = static_cast<size_t>(order[rank - 1 - j]);
    halideVars.push_back(vars[logical]);
    params.push_back(box->soleParam(logical));
    extents.push_back(box->extents[logical]);
  }

  AttentionLowering lowering(graph, kernel, attention, arrays, vectorLanes(target, storageType(out.dtype)), where);
  if (std::optional<int> keyBlock = onlineKeyBlock(state, attention, target)) lowering.runOnline(*keyBlock);
  if (std::optional<int64_t> offset = passes::maskedKeysFrom(graph, state, attention))
    lowering.skipMaskedKeys(*offset, CacheBudget::of(target));
  lowering.scores();
  lowering.softmax();
  Func f(uniqueFuncName(kernel.name + "_" + writeEdge.srcConn));
  f(halideVars) = lowering.output(paramsAt(*box, vars), out.dtype);
  lowering.schedule(f, halideVars, params, extents, target.threads, CacheBudget::of(target));
  placeOutput(f, outBuffer);
  if (std::getenv("CONFLUX_DEBUG_HALIDE")) f.print_loop_nest();
  const std::string name = kernel.name + "_" + writeEdge.srcConn;
  return {kernel.name, {}, library.add(Halide::Pipeline(f), outBuffer, name)};
}

}  // namespace conflux::targets::cpu
