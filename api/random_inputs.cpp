#include "api/random_inputs.h"

#include <cmath>
#include <random>

namespace conflux::api {

std::map<std::string, ir::Tensor> randomInputs(const ir::Graph& graph, uint64_t seed,
                                               std::map<std::string, ir::Tensor> given) {
  std::mt19937_64 engine(seed);
  for (const std::string& name : graph.inputs()) {
    if (given.count(name)) continue;
    const ir::DataDesc& desc = graph.array(name);
    ir::Tensor tensor(desc.dtype, desc.shape, name);
    for (int64_t i = 0; i < tensor.numElements(); ++i) {
      double u = static_cast<double>(engine() >> 11) * 0x1.0p-53;
      if (desc.dtype == ir::DType::Bool) tensor.set(i, u >= 0.5);
      else if (ir::isFloat(desc.dtype)) tensor.set(i, 2 * u - 1);
      else tensor.set(i, std::floor(2 * u - 1));
    }
    given.emplace(name, std::move(tensor));
  }
  return given;
}

}  // namespace conflux::api
