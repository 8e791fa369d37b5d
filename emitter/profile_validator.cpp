#include "emitter/profile_validator.h"

#include <sys/wait.h>

#include <cstdlib>
#include <vector>

#include "apparmor/apparmor_names.h"
#include "apparmor/apparmor_parser_tool.h"
#include "core/subprocess.h"

namespace armorer {

namespace {

void replace_all(std::string& text, const std::string& from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

Validation validate(const std::string& path, const std::string& label) {
  const std::string parser = find_apparmor_parser();
  if (parser.empty()) {
    const char* configured = std::getenv("ARMORER_APPARMOR_PARSER");
    return {Validation::Status::parser_missing,
            configured ? "apparmor_parser not found at $ARMORER_APPARMOR_PARSER (" + comment_safe(configured) + ")"
                       : "apparmor_parser not found: install the apparmor package to validate profiles"};
  }
  std::vector<std::string> argv{parser, "-Q", "-K"};
  for (auto& arg : apparmor_feature_args()) argv.push_back(std::move(arg));
  argv.insert(argv.end(), {"--", path});
  const ProcessOutput run = run_captured(argv);
  if (WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) return {Validation::Status::valid, ""};
  std::string message = apparmor_parser_message(run.err);
  if (label != path) replace_all(message, path, label);
  if (!WIFEXITED(run.status)) message = "apparmor_parser was killed by signal " + std::to_string(WTERMSIG(run.status));
  return {Validation::Status::invalid, comment_safe(message)};
}

}  // namespace

Validation validate_profile_file(const std::string& path) { return validate(path, path); }

Validation validate_profile_text(std::string_view text, std::string_view label) {
  TempFile file(text, "armorer-validate");
  return validate(file.path(), std::string(label));
}

}  // namespace armorer
