#include <iostream>

#include "api/conflux.h"
#include "api/model_info.h"
#include "tools/commands.h"

namespace conflux::tools {

int infoCommand(Arguments& args) {
  std::string model = args.positional("MODEL");
  args.finish();
  ir::Graph graph = api::load(model);
  std::cout << api::formatInfo(model, api::describe(graph));
  return 0;
}

}  // namespace conflux::tools
