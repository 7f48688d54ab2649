#include "targets/reference/kernel.h"

#include <algorithm>
#include <set>

#include "targets/reference/scalar_ops.h"

namespace conflux::targets::reference {

using ir::NodeKind;

namespace {

bool contains(const std::vector<ir::NodeId>& ids, ir::NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

/// An access node inside a kernel body: every edge is an ordering edge, a tasklet write or
/// read, or the scope passing the node's own array in or out.
bool isKernelAccess(const ir::State& state, const ir::Node& node) {
  const std::string& data = std::get<ir::AccessNode>(node.payload).data;
  auto ok = [&](const ir::Edge& e, ir::NodeId other, NodeKind scopeKind) {
    NodeKind kind = state.node(other).kind();
    return e.memlet.isEmpty() || kind == NodeKind::Tasklet ||
           (kind == scopeKind && e.memlet.data == data);
  };
  for (ir::EdgeId id : state.inEdges(node.id))
    if (!ok(state.edge(id), state.edge(id).src, NodeKind::MapEntry)) return false;
  for (ir::EdgeId id : state.outEdges(node.id))
    if (!ok(state.edge(id), state.edge(id).dst, NodeKind::MapExit)) return false;
  return true;
}

/// Writes `values` to dst[offset + i * stride], combining under W.
template <ir::Wcr W, class T>
Step writeStep(const T* values, T* dst, LinearForm offset, int64_t stride) {
  return [=](const Lanes& lanes) {
    T* p = dst + offset.eval(lanes.env);
    int64_t n = lanes.count;
    if constexpr (W == ir::Wcr::None) {
      if (stride == 1) {
        for (int64_t i = 0; i < n; ++i) p[i] = values[i];
      } else {
        for (int64_t i = 0; i < n; ++i) p[i * stride] = values[i];
      }
    } else if (stride == 0) {
      *p = ops::combine<W>(*p, ops::reduce<W>(values, n));
    } else if (stride == 1) {
      for (int64_t i = 0; i < n; ++i) p[i] = ops::combine<W>(p[i], values[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) p[i * stride] = ops::combine<W>(p[i * stride], values[i]);
    }
  };
}

template <class T>
Step writeStepFor(ir::Wcr wcr, const T* values, T* dst, const LinearForm& offset, int64_t stride) {
  switch (wcr) {
    case ir::Wcr::None: return writeStep<ir::Wcr::None>(values, dst, offset, stride);
    case ir::Wcr::Sum: return writeStep<ir::Wcr::Sum>(values, dst, offset, stride);
    case ir::Wcr::Max: return writeStep<ir::Wcr::Max>(values, dst, offset, stride);
    case ir::Wcr::Min: return writeStep<ir::Wcr::Min>(values, dst, offset, stride);
    case ir::Wcr::Product: return writeStep<ir::Wcr::Product>(values, dst, offset, stride);
  }
  CONFLUX_ASSERT(false, "unknown write-conflict resolution");
}

}  // namespace

bool isKernelBody(const ir::State& state, const std::vector<ir::NodeId>& body) {
  for (ir::NodeId id : body) {
    const ir::Node& node = state.node(id);
    if (node.kind() == NodeKind::Tasklet) continue;
    if (node.kind() != NodeKind::Access || !isKernelAccess(state, node)) return false;
  }
  return true;
}

Kernel::Kernel(const KernelContext& context, const std::vector<ir::NodeId>& body, int vectorSlot,
               int64_t vectorStep)
    : context_(context), body_(body), vectorSlot_(vectorSlot), vectorStep_(vectorStep) {
  const ir::State& state = *context_.state;
  for (ir::NodeId id : body_) {
    if (state.node(id).kind() != NodeKind::Tasklet) continue;
    for (ir::EdgeId e : state.outEdges(id))
      if (!state.edge(e).memlet.isEmpty()) ++writers_[state.edge(e).memlet.data];
  }
  for (ir::NodeId id : body_)
    if (state.node(id).kind() == NodeKind::Tasklet) compileTasklet(id);
  batchable_ = batchable_ && vectorSlot_ >= 0 && conflictFree();
}

void Kernel::compileTasklet(ir::NodeId id) {
  const ir::State& state = *context_.state;
  const ir::Node& node = state.node(id);
  const auto& tasklet = std::get<ir::Tasklet>(node.payload);
  std::string where = context_.where + ", node " + node.describe();

  std::map<std::string, const ir::Edge*> inputs;
  for (ir::EdgeId e : state.inEdges(id)) {
    const ir::Edge& edge = state.edge(e);
    if (std::find(tasklet.inputs.begin(), tasklet.inputs.end(), edge.dstConn) != tasklet.inputs.end())
      inputs[edge.dstConn] = &edge;
  }
  auto inputEdge = [&](const std::string& conn) -> const ir::Edge* {
    auto it = inputs.find(conn);
    if (it == inputs.end()) return nullptr;
    if (it->second->memlet.isEmpty())
      throw Error(where + ": input connector '" + conn + "' carries no data (empty memlet)");
    return it->second;
  };
  std::map<std::string, Column*> gathered;
  std::map<std::string, const MemletAddress*> regions;
  ExprLeaves leaves;
  leaves.where = where;
  leaves.names = context_.names;
  leaves.vectorSlot = vectorSlot_;
  leaves.vectorStep = vectorStep_;
  leaves.connector = [&](const std::string& conn) -> Column* {
    const ir::Edge* edge = inputEdge(conn);
    if (!edge) return nullptr;
    Column*& column = gathered[conn];
    if (!column) column = forwarded(*edge);
    if (!column) column = gather(*addAccess(edge->memlet, false, false, where), where);
    return column;
  };
  leaves.region = [&](const std::string& conn) -> const MemletAddress* {
    const ir::Edge* edge = inputEdge(conn);
    if (!edge) return nullptr;
    const MemletAddress*& region = regions[conn];
    if (!region) region = addAccess(edge->memlet, true, false, where);
    return region;
  };

  // Evaluate every output before writing any, as a tasklet reads all inputs first.
  ExprCompiler compiler(std::move(leaves), columns_, steps_);
  std::vector<Column*> results;
  for (const ir::TaskletOutput& output : tasklet.outputs) results.push_back(compiler.compile(output.expr));
  batchable_ = batchable_ && compiler.batchable();
  for (size_t i = 0; i < tasklet.outputs.size(); ++i) {
    const std::string& name = tasklet.outputs[i].name;
    outputs_[{id.value, name}] = results[i];
    for (ir::EdgeId e : state.outEdges(id)) {
      const ir::Edge& edge = state.edge(e);
      if (edge.srcConn != name || edge.memlet.isEmpty()) continue;
      write(results[i], *addAccess(edge.memlet, false, true, where), where);
    }
  }
}

const MemletAddress* Kernel::addAccess(const ir::Memlet& memlet, bool load, bool write,
                                       const std::string& where) {
  addresses_.push_back(std::make_unique<MemletAddress>(memlet, *context_.buffers, context_.names, where));
  const MemletAddress* address = addresses_.back().get();
  Access access{address, memlet.subset, load, where};
  accesses_.push_back(access);
  (write ? writes_ : reads_)[memlet.data].push_back(access);
  return address;
}

/// The column already holding what `edge` reads, when the value comes straight from a tasklet
/// of this body: over a tasklet -> tasklet edge, or through an access node whose only writer
/// in the body wrote the same element. Nothing else writes that array in the body, so reading
/// the column is exactly reading memory.
Column* Kernel::forwarded(const ir::Edge& edge) const {
  const ir::State& state = *context_.state;
  if (edge.memlet.wcr != ir::Wcr::None) return nullptr;
  auto writes = writers_.find(edge.memlet.data);
  if (writes == writers_.end() || writes->second != 1) return nullptr;
  const ir::Edge* writer = &edge;
  if (state.node(edge.src).kind() == NodeKind::Access) {
    if (!contains(body_, edge.src)) return nullptr;
    writer = nullptr;
    for (ir::EdgeId e : state.inEdges(edge.src))
      if (!state.edge(e).memlet.isEmpty()) writer = writer ? nullptr : &state.edge(e);
    if (!writer || writer->memlet.wcr != ir::Wcr::None || writer->memlet.data != edge.memlet.data ||
        writer->memlet.subset != edge.memlet.subset)
      return nullptr;
  }
  if (state.node(writer->src).kind() != NodeKind::Tasklet) return nullptr;
  auto it = outputs_.find({writer->src.value, writer->srcConn});
  return it == outputs_.end() ? nullptr : it->second;
}

int64_t Kernel::laneStride(const MemletAddress& address) const {
  return vectorSlot_ >= 0 ? address.strideOf(vectorSlot_) * vectorStep_ : 0;
}

Column* Kernel::gather(const MemletAddress& address, const std::string& where) {
  Column* column = columns_.add(address.buffer().dtype());
  int64_t stride = laneStride(address);
  dispatch(column->dtype(), where, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* source = address.buffer().template data<T>();
    T* out = column->data<T>();
    LinearForm offset = address.offset();
    steps_.push_back([=](const Lanes& lanes) {
      const T* p = source + offset.eval(lanes.env);
      int64_t n = lanes.count;
      if (stride == 0) {
        for (int64_t i = 0; i < n; ++i) out[i] = *p;
      } else if (stride == 1) {
        for (int64_t i = 0; i < n; ++i) out[i] = p[i];
      } else {
        for (int64_t i = 0; i < n; ++i) out[i] = p[i * stride];
      }
    });
  });
  return column;
}

void Kernel::write(Column* values, const MemletAddress& address, const std::string& where) {
  if (values->dtype() != address.buffer().dtype())
    throw Error(where + ": writes a " + std::string(ir::dtypeName(values->dtype())) +
                " value to array '" + address.array() + "' of dtype " +
                std::string(ir::dtypeName(address.buffer().dtype())));
  dispatch(values->dtype(), where, [&](auto tag) {
    using T = typename decltype(tag)::type;
    steps_.push_back(writeStepFor<T>(address.wcr(), values->data<T>(),
                                     address.buffer().template data<T>(), address.offset(),
                                     laneStride(address)));
  });
}

/// Batching runs each step for all lanes before the next step, so it reorders accesses of
/// different lanes. That is invisible when, for every array the body writes:
///  - its writes are all WCR with one (commutative) operator, or all plain writes of one
///    subset (the last lane still writes last), and
///  - any read of it is a plain read of that same subset with a lane stride != 0, so each
///    lane only reads elements that only the same lane writes.
bool Kernel::conflictFree() const {
  for (const auto& [array, writes] : writes_) {
    const Access& first = writes.front();
    ir::Wcr wcr = first.address->wcr();
    bool oneSubset = std::all_of(writes.begin(), writes.end(),
                                 [&](const Access& w) { return w.subset == first.subset; });
    bool oneWcr = std::all_of(writes.begin(), writes.end(),
                              [&](const Access& w) { return w.address->wcr() == wcr; });
    if (writes.size() > 1 && !(oneWcr && (wcr != ir::Wcr::None || oneSubset))) return false;
    auto reads = reads_.find(array);
    if (reads == reads_.end()) continue;
    if (!oneSubset || laneStride(*first.address) == 0) return false;
    for (const Access& r : reads->second)
      if (r.load || r.subset != first.subset) return false;
  }
  return true;
}

void Kernel::checkBounds(const int64_t* env, const std::vector<SlotRange>& box) const {
  for (const Access& access : accesses_) access.address->checkBounds(env, box, access.load, access.where);
}

}  // namespace conflux::targets::reference
