// Fuzz target: the AARE matcher and the escaping of observed paths. Patterns come from
// profiles under review (diff, explain) and literals from observed, attacker-chosen file
// names: neither may crash the matcher, and an escaped literal must match itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "apparmor/aare.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto& vars = armorer::stock_tunables();

  std::string error;
  if (auto pattern = armorer::Aare::compile(input, vars, &error)) {
    for (std::string_view path : {"/", "/etc/passwd", "/proc/1/status", "/home/u/.ssh/id_rsa",
                                  "/tmp/a/b/c/", "/usr/lib/x86_64-linux-gnu/libc.so.6"}) {
      (void)pattern->matches(path);
    }
    (void)pattern->matches(input);
    armorer::Aare copy = *pattern;  // copies share nothing with the original
    (void)copy.matches(input);
  } else if (error.empty() || error.find('\n') != std::string::npos) {
    std::abort();  // a refused pattern always says why, on one line
  }

  // Escaping turns any observed path (absolute: that is all the recorders store) into a
  // pattern for exactly that path.
  if (input.empty() || input[0] != '/') return 0;
  const std::string escaped = armorer::aare_escape(input);
  auto exact = armorer::Aare::compile(escaped, vars, &error);
  if (!exact || !exact->matches(input)) std::abort();
  if (auto token = armorer::profile_token(escaped)) {
    // A profile token is one token on one line, whatever the path held.
    if (token->empty() || token->find('\n') != std::string::npos ||
        token->find('\0') != std::string::npos) {
      std::abort();
    }
  }
  return 0;
}
