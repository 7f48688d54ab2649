#include "targets/cpu/build_id.h"

#include <elf.h>
#include <link.h>

#include <cstdio>
#include <cstring>
#include <functional>

namespace conflux::targets::cpu {
namespace {

/// The GNU build id among the notes of a loaded object, hex, or "".
std::string buildIdInNotes(const dl_phdr_info& object) {
  for (int i = 0; i < object.dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = object.dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const char* note = reinterpret_cast<const char*>(object.dlpi_addr + segment.p_vaddr);
    const char* end = note + segment.p_memsz;
    while (note + sizeof(ElfW(Nhdr)) <= end) {
      const auto* header = reinterpret_cast<const ElfW(Nhdr)*>(note);
      const char* name = note + sizeof(ElfW(Nhdr));
      const char* description = name + ((header->n_namesz + 3) & ~3u);
      if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        std::string hex;
        for (ElfW(Word) k = 0; k < header->n_descsz; ++k) {
          char byte[3];
          std::snprintf(byte, sizeof byte, "%02x", static_cast<unsigned char>(description[k]));
          hex += byte;
        }
        return hex;
      }
      note = description + ((header->n_descsz + 3) & ~3u);
    }
  }
  return "";
}

/// Whether a loadable segment of `object` holds `address`.
bool holds(const dl_phdr_info& object, uintptr_t address) {
  for (int i = 0; i < object.dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = object.dlpi_phdr[i];
    uintptr_t begin = object.dlpi_addr + segment.p_vaddr;
    if (segment.p_type == PT_LOAD && address >= begin && address < begin + segment.p_memsz) return true;
  }
  return false;
}

/// The build id of the first loaded object that `matches`, or "".
std::string firstBuildId(const std::function<bool(const dl_phdr_info&)>& matches) {
  struct Search {
    const std::function<bool(const dl_phdr_info&)>* matches;
    std::string id;
  } search{&matches, ""};
  dl_iterate_phdr(
      [](dl_phdr_info* object, size_t, void* data) {
        auto* s = static_cast<Search*>(data);
        if (!(*s->matches)(*object)) return 0;
        s->id = buildIdInNotes(*object);
        return 1;
      },
      &search);
  return search.id;
}

}  // namespace

std::string buildIdOfCodeAt(const void* address) {
  auto at = reinterpret_cast<uintptr_t>(address);
  return firstBuildId([&](const dl_phdr_info& object) { return holds(object, at); });
}

std::string buildIdOfLibrary(const std::string& name) {
  return firstBuildId([&](const dl_phdr_info& object) {
    return object.dlpi_name && std::strstr(object.dlpi_name, name.c_str()) != nullptr;
  });
}

}  // namespace conflux::targets::cpu
