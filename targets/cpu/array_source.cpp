#include "targets/cpu/array_source.h"

#include "ir/error.h"

namespace conflux::targets::cpu {

ArraySource::ArraySource(Halide::ImageParam param, Halide::Buffer<> buffer, Kind kind,
                         std::optional<passes::ConstantBorder> border)
    : param_(std::move(param)), buffer_(std::move(buffer)), kind_(kind), border_(std::move(border)) {}

ArraySource::ArraySource(Values values, Halide::Buffer<> shape)
    : values_(std::move(values)), buffer_(std::move(shape)), kind_(Kind::Computed) {}

Halide::Expr ArraySource::operator()(const std::vector<Halide::Expr>& indices) const {
  if (kind_ != Kind::Computed) return param_(indices);
  if (!values_) throw InternalError("a cache-local array is read before its producers are lowered");
  return values_(indices);
}

const Halide::Buffer<>& ArraySource::buffer(const std::string& what) const {
  if (kind_ == Kind::Input) throw Error(what + ": a graph input cannot be written");
  return buffer_;
}

}  // namespace conflux::targets::cpu
