#include "apparmor/file_rule.h"

#include <array>
#include <tuple>
#include <utility>

#include "core/error.h"
#include "core/object_field.h"

namespace armorer {

namespace {

constexpr uint32_t kWriteLike = access::write | access::create | access::remove |
                                access::rename_src | access::rename_dst | access::setattr;

constexpr std::array<std::pair<uint32_t, char>, 6> kLetters{{
    {file_perm::r, 'r'},
    {file_perm::w, 'w'},
    {file_perm::a, 'a'},
    {file_perm::l, 'l'},
    {file_perm::k, 'k'},
    {file_perm::m, 'm'},
}};

constexpr std::array<std::string_view, 16> kExecModes{
    "", "ix", "px", "Px", "cx", "Cx", "ux", "Ux", "pix", "Pix", "cix", "Cix", "pux", "PUx", "cux", "CUx"};

// A unix socket bound to a path is mediated by the file rule of that path: connecting
// writes to it, and the answer is read from it.
std::optional<std::string> unix_socket_path(const Observation& obs) {
  if (obs.kind != ObsKind::unix_socket) return std::nullopt;
  auto fields = split_object_fields(obs.object, 2);
  if (fields.size() != 2 || !fields[1].starts_with('/')) return std::nullopt;
  return std::move(fields[1]);
}

// The literal a pattern stands for when it is exactly aare_escape() of it: such a pattern
// matches that path and nothing else (aare_escape's contract), so plain string equality
// answers for it and no automaton is needed.
std::optional<std::string> literal_of(std::string_view pattern) {
  std::string literal;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) return std::nullopt;
      literal += pattern[++i];
    } else if (std::string_view("*?[]{}^").find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      literal += c;
    }
  }
  if (aare_escape(literal) != pattern) return std::nullopt;
  return literal;
}

}  // namespace

uint32_t file_perms_for(uint32_t bits) {
  uint32_t perms = 0;
  // AppArmor asks for read as well as write on the old name of a rename
  // (apparmor_path_rename: MAY_READ | MAY_WRITE | AA_MAY_DELETE | ...).
  if (bits & (access::read | access::rename_src)) perms |= file_perm::r;
  if (bits & kWriteLike) perms |= file_perm::w;
  if ((bits & access::append) && !(perms & file_perm::w)) perms |= file_perm::a;
  if (bits & access::link) perms |= file_perm::l;
  if (bits & access::lock) perms |= file_perm::k;
  if (bits & access::mmap_exec) perms |= file_perm::m;
  return perms;
}

std::string file_perms_letters(uint32_t perms) {
  std::string out;
  for (const auto& [bit, letter] : kLetters)
    if (perms & bit) out += letter;
  return out;
}

bool file_perms_cover(uint32_t granted, uint32_t needed) {
  if (granted & file_perm::w) granted |= file_perm::a;
  return (needed & ~granted) == 0;
}

std::string_view to_string(ExecMode mode) { return kExecModes[static_cast<size_t>(mode)]; }

std::optional<ExecMode> exec_mode_from_string(std::string_view text) {
  for (size_t i = 1; i < kExecModes.size(); ++i)
    if (kExecModes[i] == text) return static_cast<ExecMode>(i);
  return std::nullopt;
}

std::string file_need_problem(const Observation& obs) {
  const bool file_like = obs.kind == ObsKind::file || obs.kind == ObsKind::exec ||
                         unix_socket_path(obs).has_value();
  if (!file_like) return "";
  if (obs.flags & obs_flag::truncated) return "path was truncated by the recorder";
  if (obs.flags & obs_flag::disconnected) return "path is not reachable from the task's root";
  const auto socket = unix_socket_path(obs);
  const std::string_view path = socket ? std::string_view(*socket) : std::string_view(obs.object);
  if (!path.starts_with('/')) return "path is not absolute";
  if (path.find('\0') != std::string_view::npos) return "path holds a NUL byte";
  return "";
}

std::optional<FileNeed> file_need(const Observation& obs) {
  const auto socket = unix_socket_path(obs);
  if (obs.kind != ObsKind::file && obs.kind != ObsKind::exec && !socket) return std::nullopt;
  if (!file_need_problem(obs).empty()) return std::nullopt;
  FileNeed need;
  if (socket) {
    need.path = *socket;
    need.perms = file_perm::r | file_perm::w;
  } else {
    need.path = obs.object;
    need.perms = file_perms_for(obs.access);
    need.exec = obs.kind == ObsKind::exec || (obs.access & access::exec);
  }
  if ((obs.flags & obs_flag::directory) && !need.path.ends_with('/')) need.path += '/';
  need.owner = obs.flags & obs_flag::owner;
  return need;
}

std::optional<FileRule> FileRule::make(std::string pattern, uint32_t perms, ExecMode exec,
                                       bool owner, bool deny, std::string* why_not) {
  auto fail = [&](std::string reason) -> std::optional<FileRule> {
    if (why_not) *why_not = std::move(reason);
    return std::nullopt;
  };
  if (perms == 0 && exec == ExecMode::none) return fail("rule grants nothing");
  std::optional<std::string> literal = literal_of(pattern);
  std::optional<Aare> matcher;
  if (!literal) {
    std::string error;
    matcher = Aare::compile(pattern, stock_tunables(), &error);
    if (!matcher) return fail("pattern does not compile: " + error);
  }
  auto token = profile_token(pattern);
  if (!token) return fail("path cannot be written safely in a profile");
  FileRule rule;
  rule.pattern_ = std::move(pattern);
  rule.token_ = std::move(*token);
  rule.perms_ = (perms & file_perm::w) ? (perms & ~file_perm::a) : perms;
  rule.exec_ = exec;
  rule.owner_ = owner;
  rule.deny_ = deny;
  rule.literal_ = std::move(literal);
  if (matcher) rule.matcher_ = std::make_shared<const Aare>(std::move(*matcher));
  return rule;
}

std::optional<FileRule> FileRule::with_access(uint32_t perms, ExecMode exec, bool owner,
                                              std::string* why_not) const {
  if (perms == 0 && exec == ExecMode::none) {
    if (why_not) *why_not = "rule grants nothing";
    return std::nullopt;
  }
  FileRule rule = *this;
  rule.perms_ = (perms & file_perm::w) ? (perms & ~file_perm::a) : perms;
  rule.exec_ = exec;
  rule.owner_ = owner;
  return rule;
}

std::string FileRule::render() const {
  std::string line;
  if (deny_) line += "deny ";
  if (owner_) line += "owner ";
  line += token_;
  line += ' ';
  line += file_perms_letters(perms_);
  // In a deny rule the transition is meaningless: only the permission to execute is denied.
  if (exec_ != ExecMode::none) line += deny_ ? std::string_view("x") : to_string(exec_);
  line += ',';
  return line;
}

bool FileRule::same_target(const FileRule& other) const {
  return pattern_ == other.pattern_ && deny_ == other.deny_;
}

void FileRule::merge(const FileRule& other) {
  if (exec_ != ExecMode::none && other.exec_ != ExecMode::none && exec_ != other.exec_)
    throw Fatal("conflicting exec modes " + std::string(to_string(exec_)) + " and " +
                std::string(to_string(other.exec_)) + " for " + pattern_);
  perms_ |= other.perms_;
  if (perms_ & file_perm::w) perms_ &= ~file_perm::a;
  if (exec_ == ExecMode::none) exec_ = other.exec_;
  owner_ = owner_ && other.owner_;
}

bool FileRule::applies_to(const FileNeed& need) const {
  if (owner_ && !need.owner) return false;
  return literal_ ? *literal_ == need.path : matcher_->matches(need.path);
}

bool FileRule::covers(const Observation& obs) const {
  if (deny_) return false;
  auto need = file_need(obs);
  if (!need || !applies_to(*need)) return false;
  if (need->exec && exec_ == ExecMode::none) return false;
  return file_perms_cover(perms_, need->perms);
}

std::strong_ordering FileRule::operator<=>(const FileRule& other) const {
  return std::tie(pattern_, deny_, owner_, perms_, exec_) <=>
         std::tie(other.pattern_, other.deny_, other.owner_, other.perms_, other.exec_);
}

}  // namespace armorer
