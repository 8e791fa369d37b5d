// Profile names end up in AppArmor syntax, file names and `apparmor:NAME` security options,
// so armorer accepts only a conservative, injection-free alphabet.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace armorer {

// nullopt when `name` is acceptable, otherwise a one-line reason.
std::optional<std::string> profile_name_problem(std::string_view name);

}  // namespace armorer
