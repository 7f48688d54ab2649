#include "passes/expansions/reduction_space.h"

#include <set>

namespace conflux::passes::expansions {

using namespace ir;

ReductionSpace::ReductionSpace(const Builder& b, const std::vector<int64_t>& axes, bool keepDims)
    : input_(b.access("in0")), inShape_(b.shape("in0")) {
  std::set<size_t> reduced;
  for (int64_t a : axes) {
    if (a < 0 || a >= static_cast<int64_t>(inShape_.size()))
      b.fail("axis " + std::to_string(a) + " is out of range");
    reduced.insert(static_cast<size_t>(a));
  }
  if (axes.empty())
    for (size_t d = 0; d < inShape_.size(); ++d) reduced.insert(d);
  params_ = paramNames("i", inShape_.size());
  index_ = symbols(params_);
  for (size_t d = 0; d < inShape_.size(); ++d) {
    bool r = reduced.count(d) != 0;
    count_ *= r ? inShape_[d] : 1;
    if (r && !keepDims) continue;
    reducedIndex_.push_back(r ? AffineExpr(0) : index_[d]);
    reducedShape_.push_back(r ? 1 : inShape_[d]);
  }
}

NodeId accumulate(Builder& b, const ReductionSpace& space, const std::string& array, Wcr wcr,
                  std::vector<Port> reads, const Expr& value, const std::string& role) {
  NodeId initAccess = b.addAccess(array);
  NodeId init = b.fill(initAccess, identityOf(wcr, b.descOf(initAccess).dtype),
                       role + (role.empty() ? "init" : "_init"));
  NodeId target = b.has("out0") && array == b.array("out0") ? b.access("out0") : b.addAccess(array);
  Port sum = space.reduced(target, "acc");
  sum.wcr = wcr;
  b.addMap({role,
            space.params(),
            Subset::full(space.inShape()),
            std::move(reads),
            {sum},
            {value},
            {init}});
  return target;
}

void mapOverInput(Builder& b, const ReductionSpace& space, const std::string& role,
                  std::vector<Port> reads, NodeId target, const Expr& value) {
  if (b.descOf(target).shape != space.inShape())
    b.fail("the output shape differs from the input's");
  b.addMap({role,
            space.params(),
            Subset::full(space.inShape()),
            std::move(reads),
            {{target, "y", point(space.index())}},
            {value},
            {}});
}

void mapOverReduced(Builder& b, const ReductionSpace& space, const std::string& role,
                    const std::vector<std::pair<NodeId, std::string>>& reads, NodeId target,
                    const Expr& value) {
  std::vector<std::string> params = paramNames("o", space.reducedShape().size());
  std::vector<AffineExpr> index = symbols(params);
  std::vector<Port> ports;
  for (const auto& [access, conn] : reads) ports.push_back({access, conn, point(index)});
  b.addMap({role,
            params,
            Subset::full(space.reducedShape()),
            ports,
            {{target, "y", point(index)}},
            {value},
            {}});
}

}  // namespace conflux::passes::expansions
