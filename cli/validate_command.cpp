#include <cstdio>

#include "apparmor/apparmor_names.h"
#include "cli/commands.h"
#include "core/error.h"
#include "emitter/profile_validator.h"

namespace armorer::cli {

int validate(const ValidateArgs& args) {
  int status = 0;
  for (const auto& path : args.files) {
    const Validation result = validate_profile_file(path);
    switch (result.status) {
      case Validation::Status::parser_missing:
        throw Fatal(result.message);
      case Validation::Status::valid:
        std::printf("%s: ok\n", comment_safe(path).c_str());
        break;
      case Validation::Status::invalid:
        std::fprintf(stderr, "armorer: %s: %s\n", comment_safe(path).c_str(), result.message.c_str());
        status = kExitFailure;
        break;
    }
  }
  std::fflush(stdout);
  return status;
}

}  // namespace armorer::cli
