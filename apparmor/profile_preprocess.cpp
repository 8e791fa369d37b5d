// preprocess_profile(): AppArmor's own parser inlines the includes of a profile, so that the
// reader sees exactly the rules the kernel would get.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "apparmor/apparmor_names.h"
#include "apparmor/apparmor_parser_tool.h"
#include "apparmor/profile_reader.h"
#include "core/error.h"
#include "core/subprocess.h"

namespace armorer {

std::string preprocess_profile(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0)
    throw Fatal("cannot read profile " + comment_safe(path) + ": " + std::strerror(errno));
  const std::string parser = find_apparmor_parser();
  if (parser.empty())
    throw Fatal("apparmor_parser not found (install the apparmor package): it is needed to read a profile");
  std::vector<std::string> argv{parser, "-p"};
  for (auto& arg : apparmor_feature_args()) argv.push_back(std::move(arg));
  argv.push_back(path.starts_with('-') ? "./" + path : path);  // never read as an option
  ProcessOutput result = run_captured(argv);
  if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0) {
    const std::string message = apparmor_parser_message(result.err);
    throw Fatal("apparmor_parser rejected " + comment_safe(path) + ": " +
                comment_safe(message.substr(0, message.find('\n'))));
  }
  return std::move(result.out);
}

}  // namespace armorer
