#include "targets/reference/memlet_address.h"

#include "ir/error.h"

namespace conflux::targets::reference {

Box Box::whole(const std::vector<int64_t>& shape) {
  Box b;
  for (int64_t d : shape) {
    b.begin.push_back(0);
    b.step.push_back(1);
    b.count.push_back(d);
  }
  return b;
}

int64_t Box::numElements() const {
  int64_t n = 1;
  for (int64_t c : count) n *= c;
  return n;
}

std::vector<int64_t> rowMajorStrides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

MemletAddress::MemletAddress(const ir::Memlet& memlet, Buffers& buffers, const NameScope& names,
                             const std::string& where)
    : array_(memlet.data), text_(memlet.toString()), wcr_(memlet.wcr) {
  auto it = buffers.find(memlet.data);
  if (it == buffers.end()) throw Error(where + ": memlet of unknown array '" + memlet.data + "'");
  buffer_ = &it->second;
  const std::vector<int64_t>& shape = buffer_->shape();
  if (memlet.subset.rank() != shape.size())
    throw Error(where + ": memlet " + text_ + " has rank " + std::to_string(memlet.subset.rank()) +
                " but '" + array_ + "' has rank " + std::to_string(shape.size()));
  strides_ = rowMajorStrides(shape);
  for (size_t d = 0; d < shape.size(); ++d) {
    const ir::Range& r = memlet.subset.ranges[d];
    if (r.step < 1) throw Error(where + ": memlet " + text_ + " has a step below 1");
    begin_.push_back(LinearForm::of(r.begin, names, where));
    end_.push_back(LinearForm::of(r.end, names, where));
    step_.push_back(r.step);
    offset_ = offset_ + begin_.back() * strides_[d];
  }
}

int64_t MemletAddress::extent(size_t d, const int64_t* env) const {
  int64_t span = end_[d].eval(env) - begin_[d].eval(env);
  return span < 0 ? 0 : span / step_[d] + 1;
}

bool MemletAddress::extentDependsOn(int slot) const {
  for (size_t d = 0; d < begin_.size(); ++d)
    if (end_[d].coefficient(slot) != begin_[d].coefficient(slot)) return true;
  return false;
}

void MemletAddress::checkBounds(const int64_t* env, const std::vector<SlotRange>& box,
                                bool wholeSubset, const std::string& where) const {
  const std::vector<int64_t>& shape = buffer_->shape();
  for (size_t d = 0; d < shape.size(); ++d) {
    auto [lo, hiBegin] = begin_[d].bounds(env, box);
    int64_t hi = wholeSubset ? std::max(hiBegin, end_[d].bounds(env, box).second) : hiBegin;
    if (lo < 0 || hi >= shape[d])
      throw Error(where + ": memlet " + text_ + " is out of bounds in dimension " +
                  std::to_string(d) + ": touches " + std::to_string(lo) + ":" +
                  std::to_string(hi) + " of 0:" + std::to_string(shape[d] - 1));
  }
}

Box MemletAddress::box(const int64_t* env) const {
  Box b;
  for (size_t d = 0; d < begin_.size(); ++d) {
    b.begin.push_back(begin_[d].eval(env));
    b.step.push_back(step_[d]);
    b.count.push_back(extent(d, env));
  }
  return b;
}

}  // namespace conflux::targets::reference
