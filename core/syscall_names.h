// System call numbers ↔ names for the architecture armorer records on (x86_64).
#pragma once

#include <optional>
#include <string_view>

namespace armorer {

// Empty when the number is unknown (a newer kernel's call): callers keep the number.
std::string_view syscall_name(int nr);
std::optional<int> syscall_number(std::string_view name);

}  // namespace armorer
