// A profile's text cut into comparable rules, for `armorer diff`. Works on the text as
// written (no apparmor_parser needed): each rule becomes one normalised line, so two profiles
// can be compared as sets of lines, and file rules keep what a coverage check needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/aare.h"

namespace armorer {

// In the order a diff report lists them.
enum class RuleKind : uint8_t {
  profile,       // name, flags, abi: pseudo-rules "profile NAME", "flag complain", "abi <abi/3.0>"
  variable,      // one pseudo-rule per value: "@{HOME} = /root/"
  include,
  capability,
  network,
  signal,
  ptrace,
  mount,
  unix_socket,
  dbus,
  executable,    // file rules with an exec mode
  file,
  other,
};
std::string_view section_title(RuleKind kind);  // "capabilities", "files", ...

struct FileRuleText {
  std::string pattern;  // AARE as written, quotes removed (escapes kept, as Aare reads them)
  uint32_t perms = 0;   // file_perm:: letters r w a l k m
  std::string exec;     // "ix", "Px", ... ("x" in a deny rule); empty without exec
};

struct ProfileRule {
  RuleKind kind = RuleKind::other;
  // "" for the rules of the (single) top-level profile; "child" or "^hat" for nested ones, the
  // top-level name first when the file holds several profiles.
  std::string scope;
  std::string text;  // tokens joined by single spaces, ending in ',' for real rules
  bool deny = false;
  bool owner = false;
  std::vector<std::string> words;  // tokens after the qualifiers (audit, allow, deny, owner)
  FileRuleText file;               // kind file / executable only
};

struct ProfileRules {
  std::vector<ProfileRule> rules;  // in file order
  Variables variables;             // stock tunables plus the file's own @{var} assignments
};

// Throws Fatal (one line, naming the line) on text that is not a profile: an unterminated
// quote, an unbalanced block, a file rule without permissions.
ProfileRules read_profile_rules(std::string_view text);

}  // namespace armorer
