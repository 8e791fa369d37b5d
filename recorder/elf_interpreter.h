// The program interpreter (PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2) named by an ELF file.
#pragma once

#include <optional>
#include <string>

namespace armorer {

// nullopt when the file cannot be read; an empty string when it is not a dynamically linked
// ELF file (static binaries, scripts).
std::optional<std::string> elf_interpreter(const std::string& file);

}  // namespace armorer
