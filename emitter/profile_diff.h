// `armorer diff`: what changed between two profiles, and whether the change lets the workload
// do anything it could not do before. Rules are compared as normalised lines; an added rule
// widens access unless the old profile already allowed all of it, which is checked with the
// AARE matcher for file rules (the old rules must match the new path, or sampled paths of a
// new pattern, with at least the new permissions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emitter/profile_rules.h"

namespace armorer {

struct RuleChange {
  RuleKind kind = RuleKind::other;
  std::string scope;  // "" for the top-level profile
  std::string text;
  bool widens = false;
  std::string why;  // for added rules: "new capability", "more permissions: r → rw", ...
};

struct ProfileDiff {
  std::vector<RuleChange> added;    // sorted by section, scope, text
  std::vector<RuleChange> removed;  // idem
  bool widens() const;
  std::size_t widening_count() const;
};

// Throws Fatal when either text cannot be read as a profile.
ProfileDiff diff_profiles(std::string_view old_text, std::string_view new_text);

struct DiffLabels {
  std::string old_label;  // "old.apparmor", "run 3", ...
  std::string new_label;
};

// Plain text for a terminal or a CI log.
std::string format_diff_text(const ProfileDiff& diff, const DiffLabels& labels);
// GitHub-flavoured Markdown for a pull-request comment: a summary table and one ```diff block
// per section, each added rule carrying its verdict as a trailing comment.
std::string format_diff_markdown(const ProfileDiff& diff, const DiffLabels& labels);

}  // namespace armorer
