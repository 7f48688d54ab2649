#include "tools/model_options.h"

#include <string>
#include <utility>
#include <vector>

#include "ir/error.h"

namespace conflux::tools {

namespace {

/// `text` as a size of at least 1; throws conflux::Error naming the option's `item` otherwise.
int64_t size(const std::string& text, const std::string& option, const std::string& item) {
  std::optional<int64_t> value = integerValue(text);
  if (!value || *value < 1)
    throw Error("option " + option + ": '" + item + "' has '" + text +
                "' where a size of at least 1 belongs");
  return *value;
}

/// NAME and VALUE of "NAME=VALUE" (split at the last '='); throws naming `expected` otherwise.
std::pair<std::string, std::string> nameAndValue(const std::string& item, const std::string& option,
                                                 const std::string& expected) {
  size_t equals = item.rfind('=');
  if (equals == std::string::npos || equals == 0)
    throw Error("option " + option + ": '" + item + "' is not " + expected);
  return {item.substr(0, equals), item.substr(equals + 1)};
}

}  // namespace

api::LoadOptions loadOptions(Arguments& args) {
  api::LoadOptions options;
  for (const std::string& item : args.listOption("--dims").value_or(std::vector<std::string>{})) {
    auto [name, value] = nameAndValue(item, "--dims", "NAME=SIZE");
    options.dimensions.named[name] = size(value, "--dims", item);
  }
  for (const std::string& item : args.listOption("--shapes").value_or(std::vector<std::string>{})) {
    auto [name, value] = nameAndValue(item, "--shapes", "INPUT=AxBx...");
    std::vector<int64_t>& shape = options.dimensions.shapes[name];
    size_t start = 0;
    for (size_t x; (x = value.find('x', start)) != std::string::npos; start = x + 1)
      shape.push_back(size(value.substr(start, x - start), "--shapes", item));
    shape.push_back(size(value.substr(start), "--shapes", item));
  }
  return options;
}

}  // namespace conflux::tools
