// Compiling a profile offline with apparmor_parser (-Q -K: no kernel, no cache), against the
// pinned feature set of /usr/share/apparmor-features/features when it is installed, so that a
// profile is known to load before it ever reaches a host.
#pragma once

#include <string>
#include <string_view>

namespace armorer {

struct Validation {
  enum class Status { valid, invalid, parser_missing };
  Status status = Status::valid;
  // invalid: the parser's own message, one line. parser_missing: what to install.
  std::string message;
};

// The parser is $ARMORER_APPARMOR_PARSER when set (a path; nothing else is tried then), else
// apparmor_parser from /usr/sbin, /sbin or $PATH. Throws Fatal only when the parser cannot be
// run at all (fork failure).
Validation validate_profile_file(const std::string& path);
// The same for profile text, through a private temporary file; the parser's messages name it
// `label` instead of the temporary file.
Validation validate_profile_text(std::string_view text, std::string_view label);

}  // namespace armorer
