#include "targets/cpu/array_source.h"

#include "ir/error.h"

namespace conflux::targets::cpu {

ArraySource::ArraySource(Halide::ImageParam param, Halide::Buffer<> buffer, Kind kind)
    : param_(std::move(param)), buffer_(std::move(buffer)), kind_(kind) {}

Halide::Expr ArraySource::operator()(const std::vector<Halide::Expr>& indices) const {
  return param_(indices);
}

const Halide::Buffer<>& ArraySource::buffer(const std::string& what) const {
  if (kind_ == Kind::Input) throw Error(what + ": a graph input cannot be written");
  return buffer_;
}

}  // namespace conflux::targets::cpu
