#pragma once
// The subcommands of the `conflux` CLI (shared/CLI.md). Each returns the process exit code and
// throws conflux::Error for bad usage or bad input (exit code 2). Every command reading a MODEL
// also takes --dims and --shapes (tools/model_options.h).
#include "tools/arguments.h"

namespace conflux::tools {

/// conflux optimize MODEL [--target T] [-O0..-O3] [--passes a,b,c] [--dump-after P|all] [-o OUT]
int optimizeCommand(Arguments& args);
/// conflux run MODEL [--target T] [-O0..-O3] [--inputs DIR] [--outputs DIR] [--seed S] [--check]
///                   [--bench N]: optimises for T at the level (default -O3), runs, and with
///                   --check compares against the unoptimised model on the reference target.
int runCommand(Arguments& args);
/// conflux compile MODEL [--target T] [-O0..-O3] -o DIR [--emit obj,header,source]: optimises
///                       and writes DIR/<name>.h and DIR/lib<name>.a (api::compileAheadOfTime)
int compileCommand(Arguments& args);
/// conflux info MODEL
int infoCommand(Arguments& args);
/// conflux report MODEL [--target T] [-O0..-O3] [--format text|json|html] [-o FILE] [--measure]
///                      [--seed S]: --measure times each kernel on T (inputs drawn with seed S)
int reportCommand(Arguments& args);
/// conflux targets
int targetsCommand(Arguments& args);

}  // namespace conflux::tools
