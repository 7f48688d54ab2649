#include <iostream>

#include "api/conflux.h"
#include "api/model_info.h"
#include "tools/commands.h"
#include "tools/model_options.h"

namespace conflux::tools {

int infoCommand(Arguments& args) {
  api::LoadOptions loading = loadOptions(args);
  std::string model = args.positional("MODEL");
  args.finish();
  ir::Graph graph = api::load(model, loading);
  std::cout << api::formatInfo(model, api::describe(graph));
  return 0;
}

}  // namespace conflux::tools
