// File rules: `[deny] [owner] PATTERN PERMS [EXECMODE],`. The pattern is AARE, compiled once so
// that covers() answers with the same meaning apparmor_parser gives the rule.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "apparmor/aare.h"
#include "core/observation.h"

namespace armorer {

// AppArmor's file permission letters (exec is an ExecMode, not a letter).
namespace file_perm {
inline constexpr uint32_t r = 1u << 0;
inline constexpr uint32_t w = 1u << 1;
inline constexpr uint32_t a = 1u << 2;
inline constexpr uint32_t l = 1u << 3;
inline constexpr uint32_t k = 1u << 4;
inline constexpr uint32_t m = 1u << 5;
}  // namespace file_perm

// Recorded access:: bits → letters. Creating, deleting, renaming and changing attributes are
// all writes to AppArmor; `a` only survives when nothing asks for `w` (w already implies it).
uint32_t file_perms_for(uint32_t access);
// "rwlkm" order letters for a mask.
std::string file_perms_letters(uint32_t perms);
// Whether `granted` allows `needed` (w grants a).
bool file_perms_cover(uint32_t granted, uint32_t needed);

enum class ExecMode : uint8_t { none, ix, px, Px, cx, Cx, ux, Ux, pix, Pix, cix, Cix, pux, PUx, cux, CUx };
std::string_view to_string(ExecMode mode);
// "ix", "px", ... → the mode; nullopt for anything else (and for "").
std::optional<ExecMode> exec_mode_from_string(std::string_view text);

// What a file-like observation asks AppArmor for.
struct FileNeed {
  std::string path;  // as AppArmor mediates it: directories end in '/'
  uint32_t perms = 0;
  bool exec = false;
  bool owner = false;  // the process owned the file
};
// nullopt when the observation is not about a file, or when its path is not the real one
// (truncated, disconnected) or not absolute: no rule can honestly be written for it.
std::optional<FileNeed> file_need(const Observation& obs);
// The reason file_need() refuses a file or exec observation ("" for other kinds).
std::string file_need_problem(const Observation& obs);

class FileRule {
 public:
  // `pattern` is AARE (already escaped and generalised). Returns nullopt, with *why_not set,
  // when the pattern does not compile or cannot be written in a profile safely.
  static std::optional<FileRule> make(std::string pattern, uint32_t perms, ExecMode exec,
                                      bool owner, bool deny, std::string* why_not);

  // The same pattern (its compiled matcher shared) with other permissions: how many rules
  // of one generalised pattern are made without compiling it again. Same contract as make().
  std::optional<FileRule> with_access(uint32_t perms, ExecMode exec, bool owner, std::string* why_not) const;

  const std::string& pattern() const { return pattern_; }
  uint32_t perms() const { return perms_; }
  ExecMode exec_mode() const { return exec_; }
  bool owner() const { return owner_; }
  bool deny() const { return deny_; }

  // "owner /tmp/out w," — the pattern as profile_token() wrote it.
  std::string render() const;

  // Same pattern and same allow/deny: the two rules can be one line.
  bool same_target(const FileRule& other) const;
  // Union of permissions; `owner` stays only if both had it. Throws Fatal when both carry
  // different exec modes (apparmor_parser rejects such a pair as conflicting).
  void merge(const FileRule& other);

  // The one path the pattern matches when it is a plain escaped literal (most learned rules),
  // nullopt when it has wildcards or variables.
  const std::optional<std::string>& literal() const { return literal_; }

  // The rule applies to `need` at all: the pattern matches and the owner qualifier holds.
  bool applies_to(const FileNeed& need) const;
  // This rule alone allows everything `obs` needs (deny rules cover nothing).
  bool covers(const Observation& obs) const;

  std::strong_ordering operator<=>(const FileRule& other) const;
  bool operator==(const FileRule& other) const { return (*this <=> other) == 0; }

 private:
  FileRule() = default;
  std::string pattern_;
  std::string token_;
  uint32_t perms_ = 0;
  ExecMode exec_ = ExecMode::none;
  bool owner_ = false;
  bool deny_ = false;
  std::optional<std::string> literal_;
  // Only for patterns that are not literals. Shared: rules are copied, the program never changes.
  std::shared_ptr<const Aare> matcher_;
};

}  // namespace armorer
