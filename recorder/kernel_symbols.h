// Address ranges of kernel functions, read from /proc/kallsyms. The capability probe uses them
// to tell checks that reach the LSM layer from no-audit probes (../shared/PLATFORM.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace armorer {

struct AddressRange {
  uint64_t begin = 0;
  uint64_t end = 0;  // exclusive: the next text symbol's address
};

// Looks up each name (exact match, text symbols only) in one pass over `kallsyms_path`.
// Names that are missing or whose addresses are hidden (kptr_restrict) are absent.
std::map<std::string, AddressRange> kernel_function_ranges(const std::vector<std::string>& names,
                                                           const std::string& kallsyms_path = "/proc/kallsyms");

}  // namespace armorer
