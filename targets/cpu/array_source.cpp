#include "targets/cpu/array_source.h"

#include "ir/error.h"

namespace conflux::targets::cpu {

ArraySource ArraySource::stored(Halide::Buffer<> buffer) {
  ArraySource source;
  source.buffer_ = std::move(buffer);
  return source;
}

ArraySource ArraySource::constant(Halide::Buffer<> buffer) {
  ArraySource source = stored(std::move(buffer));
  source.constant_ = true;
  return source;
}

ArraySource ArraySource::parameter(Halide::ImageParam param) {
  ArraySource source;
  source.param_ = std::move(param);
  return source;
}

Halide::Expr ArraySource::operator()(const std::vector<Halide::Expr>& indices) const {
  if (param_) return (*param_)(indices);
  return (*buffer_)(indices);
}

const Halide::Buffer<>& ArraySource::buffer(const std::string& what) const {
  if (!buffer_) throw Error(what + ": a graph input cannot be written");
  return *buffer_;
}

}  // namespace conflux::targets::cpu
