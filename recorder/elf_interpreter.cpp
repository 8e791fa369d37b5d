#include "recorder/elf_interpreter.h"

#include <elf.h>

#include <cstring>
#include <fstream>

namespace armorer {

std::optional<std::string> elf_interpreter(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  Elf64_Ehdr header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof(header))) return std::string();
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum > 256)
    return std::string();
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr program{};
    in.seekg(static_cast<std::streamoff>(header.e_phoff + i * sizeof(Elf64_Phdr)));
    if (!in.read(reinterpret_cast<char*>(&program), sizeof(program))) return std::string();
    if (program.p_type != PT_INTERP) continue;
    if (program.p_filesz == 0 || program.p_filesz > 4096) return std::string();
    std::string interp(program.p_filesz, '\0');
    in.seekg(static_cast<std::streamoff>(program.p_offset));
    if (!in.read(interp.data(), static_cast<std::streamsize>(interp.size()))) return std::string();
    interp.resize(std::strlen(interp.c_str()));
    return interp;
  }
  return std::string();
}

}  // namespace armorer
