#include "targets/reference/copies.h"

#include "targets/reference/scalar_ops.h"

namespace conflux::targets::reference {
namespace {

/// Walks the element offsets of a box in row-major order.
class BoxCursor {
 public:
  BoxCursor(const Box& box, const std::vector<int64_t>& shape)
      : box_(box), strides_(rowMajorStrides(shape)), index_(box.begin.size(), 0) {
    for (size_t d = 0; d < strides_.size(); ++d) offset_ += box.begin[d] * strides_[d];
  }

  int64_t offset() const { return offset_; }

  void advance() {
    for (size_t d = index_.size(); d-- > 0;) {
      offset_ += box_.step[d] * strides_[d];
      if (++index_[d] < box_.count[d]) return;
      offset_ -= box_.count[d] * box_.step[d] * strides_[d];
      index_[d] = 0;
    }
  }

 private:
  const Box& box_;
  std::vector<int64_t> strides_;
  std::vector<int64_t> index_;
  int64_t offset_ = 0;
};

void checkInside(const Box& box, const std::vector<int64_t>& shape, const std::string& where,
                 const char* role) {
  bool inside = box.begin.size() == shape.size();
  for (size_t d = 0; inside && d < shape.size(); ++d) {
    if (box.count[d] == 0) return;  // empty: touches nothing
    int64_t last = box.begin[d] + (box.count[d] - 1) * box.step[d];
    inside = box.begin[d] >= 0 && last < shape[d];
  }
  if (!inside) throw Error(where + ": the " + std::string(role) + " region leaves its array");
}

template <ir::Wcr W, class T>
void copyElements(const T* src, const Box& from, const std::vector<int64_t>& srcShape, T* dst,
                  const Box& to, const std::vector<int64_t>& dstShape, int64_t n) {
  BoxCursor read(from, srcShape), written(to, dstShape);
  for (int64_t i = 0; i < n; ++i) {
    T& target = dst[written.offset()];
    target = ops::combine<W>(target, src[read.offset()]);
    read.advance();
    written.advance();
  }
}

}  // namespace

void copyRegion(const ir::Tensor& src, const Box& from, ir::Tensor& dst, const Box& to,
                ir::Wcr wcr, const std::string& where) {
  checkInside(from, src.shape(), where, "source");
  checkInside(to, dst.shape(), where, "destination");
  if (src.dtype() != dst.dtype())
    throw Error(where + ": copy between arrays of different dtypes (" +
                std::string(ir::dtypeName(src.dtype())) + " and " +
                std::string(ir::dtypeName(dst.dtype())) + ")");
  int64_t n = from.numElements();
  if (n != to.numElements())
    throw Error(where + ": copies " + std::to_string(n) + " elements into a region of " +
                std::to_string(to.numElements()));
  if (n == 0) return;
  dispatch(src.dtype(), where, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* s = src.data<T>();
    T* d = dst.data<T>();
    switch (wcr) {
      case ir::Wcr::None: return copyElements<ir::Wcr::None>(s, from, src.shape(), d, to, dst.shape(), n);
      case ir::Wcr::Sum: return copyElements<ir::Wcr::Sum>(s, from, src.shape(), d, to, dst.shape(), n);
      case ir::Wcr::Max: return copyElements<ir::Wcr::Max>(s, from, src.shape(), d, to, dst.shape(), n);
      case ir::Wcr::Min: return copyElements<ir::Wcr::Min>(s, from, src.shape(), d, to, dst.shape(), n);
      case ir::Wcr::Product:
        return copyElements<ir::Wcr::Product>(s, from, src.shape(), d, to, dst.shape(), n);
    }
  });
}

}  // namespace conflux::targets::reference
