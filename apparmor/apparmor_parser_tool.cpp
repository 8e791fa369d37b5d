#include "apparmor/apparmor_parser_tool.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace armorer {

namespace {
constexpr const char* kFeatures = "/usr/share/apparmor-features/features";
}

std::string find_apparmor_parser() {
  if (const char* configured = std::getenv("ARMORER_APPARMOR_PARSER"))
    return ::access(configured, X_OK) == 0 ? configured : "";
  std::vector<std::string> dirs{"/usr/sbin", "/sbin"};
  if (const char* path = std::getenv("PATH")) {
    std::istringstream in(path);
    for (std::string dir; std::getline(in, dir, ':');)
      if (!dir.empty()) dirs.push_back(dir);
  }
  for (const auto& dir : dirs) {
    const std::string candidate = dir + "/apparmor_parser";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::vector<std::string> apparmor_feature_args() {
  if (::access(kFeatures, R_OK) != 0) return {};
  return {"-M", kFeatures};
}

std::string apparmor_parser_message(const std::string& stderr_text) {
  std::istringstream in(stderr_text);
  std::string first;
  for (std::string line; std::getline(in, line);) {
    if (line.find("error") != std::string::npos || line.find("not found") != std::string::npos)
      return line;
    if (first.empty() && !line.empty()) first = line;
  }
  return first.empty() ? "no message" : first;
}

}  // namespace armorer
