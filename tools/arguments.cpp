#include "tools/arguments.h"

#include "ir/error.h"

namespace conflux::tools {

std::optional<std::string> Arguments::option(const std::string& name) {
  std::optional<std::string> value;
  for (size_t i = 0; i < words_.size();) {
    if (words_[i] != name) {
      ++i;
      continue;
    }
    if (i + 1 >= words_.size()) throw Error("option " + name + " needs a value");
    value = words_[i + 1];
    words_.erase(words_.begin() + i, words_.begin() + i + 2);
  }
  return value;
}

std::optional<std::vector<std::string>> Arguments::listOption(const std::string& name) {
  std::optional<std::string> text = option(name);
  if (!text) return std::nullopt;
  std::vector<std::string> items;
  size_t start = 0;
  for (size_t comma; (comma = text->find(',', start)) != std::string::npos; start = comma + 1)
    items.push_back(text->substr(start, comma - start));
  items.push_back(text->substr(start));
  return items;
}

std::optional<int64_t> integerValue(const std::string& text) {
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return used == text.size() ? std::optional<int64_t>(value) : std::nullopt;
}

std::optional<int64_t> Arguments::integerOption(const std::string& name) {
  std::optional<std::string> text = option(name);
  if (!text) return std::nullopt;
  std::optional<int64_t> value = integerValue(*text);
  if (!value || *value < 0)
    throw Error("option " + name + " needs a non-negative integer, got '" + *text + "'");
  return value;
}

bool Arguments::flag(const std::string& name) {
  bool found = false;
  for (size_t i = 0; i < words_.size();) {
    if (words_[i] == name) {
      found = true;
      words_.erase(words_.begin() + i);
    } else {
      ++i;
    }
  }
  return found;
}

std::optional<int> Arguments::level() {
  std::optional<int> level;
  for (int l = 0; l <= 3; ++l)
    if (flag("-O" + std::to_string(l))) level = l;
  return level;
}

std::string Arguments::positional(const std::string& what) {
  for (size_t i = 0; i < words_.size(); ++i) {
    if (words_[i].starts_with("-") && words_[i] != "-") continue;
    std::string word = words_[i];
    words_.erase(words_.begin() + i);
    return word;
  }
  throw Error("missing " + what);
}

void Arguments::finish() const {
  if (!words_.empty()) throw Error("unexpected argument '" + words_.front() + "'");
}

}  // namespace conflux::tools
