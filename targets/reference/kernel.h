#pragma once
// Kernels: the body of an innermost map (tasklets, and access nodes they write and read),
// or one lone tasklet, compiled into a program of steps that runs for a batch of consecutive
// values of one vector parameter at a time. Connectors are gathered from memlets with
// precomputed offsets (base + lane * stride), values flow between tasklets of the body in
// columns, and outputs are written back with their write-conflict resolution.
//
// Batches are an exact re-association of the one-point-at-a-time execution: a kernel only
// batches when no array is both written and read in the body at different elements (see
// Kernel::batchable); otherwise it runs one lane per batch.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/state.h"
#include "targets/reference/expr_compiler.h"
#include "targets/reference/memlet_address.h"

namespace conflux::targets::reference {

/// Where a kernel's body lives.
struct KernelContext {
  const ir::State* state = nullptr;
  /// Names the graph and state in messages: "graph 'g', state 's'".
  std::string where;
  Buffers* buffers = nullptr;
  /// Map parameters and symbols visible in the body.
  NameScope names;
};

/// Whether `body` (the direct children of one scope) holds only what a kernel runs: tasklets,
/// and access nodes written by tasklets and read by tasklets or the scope's exit.
bool isKernelBody(const ir::State& state, const std::vector<ir::NodeId>& body);

/// A compiled body; see the file comment.
class Kernel {
 public:
  /// Compiles `body` (tasklets and access nodes in topological order) for lanes along
  /// `vectorSlot` (-1: a single lane) advancing by `vectorStep`; throws conflux::Error naming
  /// the node for anything it cannot execute.
  Kernel(const KernelContext& context, const std::vector<ir::NodeId>& body, int vectorSlot,
         int64_t vectorStep);

  /// Whether batches of more than one lane give the one-lane result.
  bool batchable() const { return batchable_; }
  /// Throws conflux::Error naming the node and memlet unless every access stays inside its
  /// array for every point of `box` (the other slots as in `env`).
  void checkBounds(const int64_t* env, const std::vector<SlotRange>& box) const;
  /// Runs the body for `lanes` lanes; env[vectorSlot] holds lane 0's value.
  void run(const int64_t* env, int64_t lanes) const {
    Lanes batch{lanes, env};
    for (const Step& step : steps_) step(batch);
  }

 private:
  /// One memlet the body reads or writes, for bounds checks and the batching analysis.
  struct Access {
    const MemletAddress* address;
    ir::Subset subset;
    bool load = false;  // read through ir::load: the whole subset may be touched
    std::string where;
  };

  void compileTasklet(ir::NodeId id);
  const MemletAddress* addAccess(const ir::Memlet& memlet, bool load, bool write,
                                 const std::string& where);
  Column* forwarded(const ir::Edge& edge) const;
  Column* gather(const MemletAddress& address, const std::string& where);
  void write(Column* values, const MemletAddress& address, const std::string& where);
  bool conflictFree() const;
  int64_t laneStride(const MemletAddress& address) const;

  KernelContext context_;
  std::vector<ir::NodeId> body_;
  int vectorSlot_;
  int64_t vectorStep_;
  ColumnPool columns_;
  std::vector<Step> steps_;
  std::vector<std::unique_ptr<MemletAddress>> addresses_;
  std::vector<Access> accesses_;
  std::map<std::string, std::vector<Access>> reads_;   // not forwarded
  std::map<std::string, std::vector<Access>> writes_;
  std::map<std::string, int> writers_;                 // write edges per array in the body
  std::map<std::pair<int64_t, std::string>, Column*> outputs_;  // (tasklet, connector)
  bool batchable_ = true;
};

}  // namespace conflux::targets::reference
