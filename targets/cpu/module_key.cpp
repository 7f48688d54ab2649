#include "targets/cpu/module_key.h"

#include <algorithm>
#include <atomic>
#include <boost/uuid/detail/sha1.hpp>
#include <cctype>
#include <cstdio>
#include <map>

#ifndef CONFLUX_HALIDE_VERSION
#error "CONFLUX_HALIDE_VERSION names the Halide release: its code generation is part of every key"
#endif

namespace conflux::targets::cpu {
namespace {

bool digits(std::string::const_iterator begin, std::string::const_iterator end) {
  return begin != end && std::all_of(begin, end, [](unsigned char c) { return std::isdigit(c); });
}

/// `text` with each maximal run of characters `inRun` accepts replaced by `replace(begin, end)`
/// (its position in `text`), the characters between runs kept.
template <typename InRun, typename Replace>
std::string mapRuns(const std::string& text, InRun inRun, Replace replace) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (!inRun(text[i])) {
      result += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && inRun(text[end])) ++end;
    result += replace(i, end);
    i = end;
  }
  return result;
}

/// True for a part of a name that may be numbered per process: a let (t40), a default-named Var
/// (v12) or reduction variable (r3), a uniqueFuncName (f_v7), a suffix of a name Halide made
/// again (closure_arg$3; also a reduction domain's fifth dimension, k$4). Other parts with
/// digits name something fixed (x16 broadcasts, exp_f32 calls, float32 types) and are kept.
bool numberedPerProcess(const std::string& text, size_t begin, size_t end) {
  char first = text[begin];
  if (begin > 0 && text[begin - 1] == '$') return digits(text.begin() + begin, text.begin() + end);
  return (first == 't' || first == 'v' || first == 'r') &&
         digits(text.begin() + begin + 1, text.begin() + end);
}

/// `text` without the suffix Halide may append to a uniqueFuncName (f_v7$2): Halide numbers
/// names by a hash of them, so even a name new to the process may get one. A uniqueFuncName is
/// unique already; its suffix tells nothing. (Closures' names, which Halide suffixes with __2,
/// are numbered whole by withClosuresNumbered.)
std::string withoutSuffixesOfUniqueNames(const std::string& text) {
  auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "_v") != 0 || i + 2 >= text.size() || !isDigit(text[i + 2])) {
      result += text[i++];
      continue;
    }
    size_t end = i + 2;
    while (end < text.size() && isDigit(text[end])) ++end;
    result.append(text, i, end - i);
    size_t digits = end < text.size() && text[end] == '$' ? end + 1 : end;
    if (digits > end && digits < text.size() && isDigit(text[digits])) {
      while (digits < text.size() && isDigit(text[digits])) ++digits;
      end = digits;
    }
    i = end;
  }
  return result;
}

/// `text` with each closure function's name (a parallel loop's body, "..._par_for_..._xo")
/// replaced by its order of first appearance: Halide suffixes one (..._xo__1) when a name of the
/// same hash was made in the process before, so the same pipeline's closures are named
/// differently by processes and by programs of one process. The numbering renames consistently:
/// two closures stay two, each call names the body it calls.
std::string withClosuresNumbered(const std::string& text) {
  auto inName = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::map<std::string, std::string> numbered;
  return mapRuns(text, inName, [&](size_t begin, size_t end) {
    std::string name = text.substr(begin, end - begin);
    if (name.find("_par_for_") == std::string::npos) return name;
    return numbered.emplace(name, "parforclosure" + std::to_string(numbered.size())).first->second;
  });
}

}  // namespace

std::string sha1Hex(const std::string& text) {
  boost::uuids::detail::sha1 hash;
  hash.process_bytes(text.data(), text.size());
  boost::uuids::detail::sha1::digest_type digest;
  hash.get_digest(digest);
  char hex[41];
  for (int i = 0; i < 5; ++i) std::snprintf(hex + 8 * i, 9, "%08x", digest[i]);
  return std::string(hex, 40);
}

std::string moduleKey(const std::string& module, const std::string& name) {
  std::string text = withClosuresNumbered(withoutSuffixesOfUniqueNames(module));
  // Parts are the alphanumeric runs between other characters ('.', '_', '$' join a name's parts).
  std::map<std::string, std::string> renamed;
  std::string canonical = mapRuns(
      text, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; },
      [&](size_t begin, size_t end) {
        std::string part = text.substr(begin, end - begin);
        if (!numberedPerProcess(text, begin, end)) return part;
        return renamed.emplace(part, "#" + std::to_string(renamed.size())).first->second;
      });
  return sha1Hex(std::string(CONFLUX_HALIDE_VERSION) + "\n" + name + "\n" + canonical);
}

std::string uniqueFuncName(const std::string& base) {
  static std::atomic<int> count{0};
  return base + "_v" + std::to_string(count++);
}

}  // namespace conflux::targets::cpu
