#include "core/profile_name.h"

namespace armorer {

std::optional<std::string> profile_name_problem(std::string_view name) {
  if (name.empty()) return "the profile name is empty";
  if (name.size() > 200) return "the profile name is longer than 200 characters";
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return "the profile name must start with a letter or digit";
  for (char c : name) {
    if (alnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '@' || c == ':') continue;
    return "the profile name may contain only letters, digits and . _ - + @ : (found '" +
           std::string(1, c) + "')";
  }
  return std::nullopt;
}

}  // namespace armorer
