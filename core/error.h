// One fatal error type, thrown where the program cannot go on and caught only in main,
// which prints its message on one line and exits with its code (see cli/main.cpp).
#pragma once

#include <stdexcept>
#include <string>

namespace armorer {

// Exit codes are part of the CLI contract: 2 = usage error, 1 = any other failure.
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

class Fatal : public std::runtime_error {
 public:
  explicit Fatal(const std::string& message, int exit_code = kExitFailure)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace armorer
