// The `conflux` command line (shared/CLI.md), thin over api/.
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "ir/error.h"
#include "tools/commands.h"

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  conflux info MODEL\n"
    "  conflux optimize MODEL [--target T] [-O0|-O1|-O2|-O3] [--passes a,b,c]\n"
    "                         [--dump-after PASS|all] [-o OUT.json]\n"
    "  conflux compile MODEL [--target T] [-O0|-O1|-O2|-O3] -o DIR [--emit obj,header,source]\n"
    "  conflux run MODEL [--target T] [-O0|-O1|-O2|-O3] [--inputs DIR] [--outputs DIR] [--seed S]\n"
    "                    [--check] [--bench N]\n"
    "  conflux report MODEL [--target T] [-O0|-O1|-O2|-O3] [--format text|json|html] [-o FILE]\n"
    "                       [--measure [--seed S]]\n"
    "  conflux targets\n"
    "every command reading a MODEL also takes the sizes of its inputs' open dimensions:\n"
    "  --dims NAME=SIZE,...         named dimensions (ONNX dim_params: --dims batch=1,seq=128)\n"
    "  --shapes INPUT=AxBx...,...   whole input shapes (--shapes input=1x3x224x224)\n"
    "  (run --inputs DIR: an input left open takes the shape of its file)\n"
    "targets: reference, cpu (default), cuda, rdu\n";

}  // namespace

int main(int argc, char** argv) {
  using conflux::tools::Arguments;
  std::vector<std::string> words(argv + 1, argv + argc);
  const std::map<std::string, int (*)(Arguments&)> commands{
      {"info", conflux::tools::infoCommand},       {"optimize", conflux::tools::optimizeCommand},
      {"compile", conflux::tools::compileCommand}, {"run", conflux::tools::runCommand},
      {"report", conflux::tools::reportCommand},   {"targets", conflux::tools::targetsCommand},
  };
  try {
    if (words.empty()) throw conflux::Error("no command given");
    if (words[0] == "help" || words[0] == "--help" || words[0] == "-h") {
      std::cout << kUsage;
      return 0;
    }
    auto command = commands.find(words[0]);
    if (command == commands.end()) throw conflux::Error("unknown command '" + words[0] + "'");
    Arguments args(std::vector<std::string>(words.begin() + 1, words.end()));
    return command->second(args);
  } catch (const conflux::Error& e) {
    std::cerr << "conflux: error: " << e.what() << "\n" << (words.empty() ? kUsage : "");
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "conflux: internal error: " << e.what() << "\n";
    return 3;
  }
}
