// Reading an AppArmor profile back, so that `armorer check` can say what any profile (ours after
// a reviewer edited it, or one written by hand) would refuse. The file goes through
// `apparmor_parser -p` first: AppArmor itself inlines the includes, and a profile the parser
// rejects is never judged. File, capability and network rules are understood, with deny
// winning over allow and `owner` honoured; the other kinds (signal, ptrace, mount, unix, dbus,
// ...) are recognised and counted but not judged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "apparmor/aare.h"
#include "apparmor/file_rule.h"

namespace armorer {

struct ProfileFileRule {
  std::string pattern;  // AARE, as the profile wrote it without its quotes
  uint32_t perms = 0;   // file_perm:: bits
  bool exec = false;    // an exec mode (ix, px, Cx, ...), or x in a deny rule
  bool owner = false;   // applies only to files the process owns
  bool other = false;   // applies only to files it does not own
  bool deny = false;
};

class ProfilePolicy {
 public:
  const std::string& name() const { return name_; }
  // The profile is in complain mode (or unconfined): the kernel would only log what the
  // rules refuse. The rules are still judged as if enforced.
  bool complain() const { return complain_; }

  // What the profile refuses of `need`, as letters ("w", "m", "x" for exec, "rw");
  // empty when it allows all of it. Every matching rule adds its permissions, every matching
  // deny rule takes its own away again, whatever their order (as the kernel does).
  std::string refused(const FileNeed& need) const;
  bool allows_capability(std::string_view name) const;
  // `type` may be empty (a socket of the family, whatever its type).
  bool allows_network(std::string_view family, std::string_view type) const;

  // Rules read, by kind ("file", "capability", "network", "signal", "dbus", ...).
  const std::map<std::string, std::size_t>& rule_counts() const { return counts_; }
  // Kinds present in the profile that refused()/allows_*() do not judge.
  std::set<std::string> unjudged_kinds() const;
  const std::vector<ProfileFileRule>& file_rules() const { return file_rules_; }

 private:
  friend class ProfileBuilder;
  std::string name_;
  bool complain_ = false;
  std::vector<ProfileFileRule> file_rules_;
  std::vector<Aare> matchers_;  // parallel to file_rules_
  // The same rules by kind of pattern: refused() looks the path up among the rules that
  // match one path only, and runs the matchers of the others (a learned profile may hold
  // tens of thousands of exact paths).
  std::unordered_map<std::string, std::vector<std::size_t>> literal_rules_;
  std::vector<std::size_t> pattern_rules_;
  bool all_capabilities_ = false, no_capabilities_ = false;
  std::set<std::string> capabilities_, denied_capabilities_;
  struct NetworkEntry {
    std::string family, type;  // empty: any
    bool deny = false;
  };
  std::vector<NetworkEntry> network_;
  std::map<std::string, std::size_t> counts_;
};

// The profile named `name` in preprocessed profile text (`apparmor_parser -p` output). With
// an empty name, or when no top-level profile has that name, the text must hold exactly one
// top-level profile, which is taken. Variables are AppArmor 3.0's stock tunables plus, on top,
// every @{var}= / += the text defines. Throws Fatal on anything it cannot read with certainty
// (an unknown rule, a malformed permission, an undefined variable).
ProfilePolicy parse_profile(std::string_view preprocessed, std::string_view name);

// Runs `apparmor_parser -p` on the file (with the pinned feature set of
// /usr/share/apparmor-features/features when that exists) and returns what it prints. Throws
// Fatal with the parser's own message when it rejects the file or cannot be run.
std::string preprocess_profile(const std::string& path);

// preprocess_profile() then parse_profile().
ProfilePolicy read_profile(const std::string& path, std::string_view name);

}  // namespace armorer
