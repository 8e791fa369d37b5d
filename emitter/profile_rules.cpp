#include "emitter/profile_rules.h"

#include <algorithm>
#include <array>
#include <optional>

#include "apparmor/apparmor_names.h"
#include "apparmor/file_rule.h"
#include "apparmor/profile_statements.h"
#include "core/error.h"

namespace armorer {

using profile_text::Statement;

std::string_view section_title(RuleKind kind) {
  static constexpr std::array<std::string_view, 13> kTitles{
      "profile",      "variables", "includes", "capabilities", "network",     "signals", "ptrace",
      "mounts",       "unix sockets", "dbus", "executables",  "files",       "other rules"};
  return kTitles[static_cast<std::size_t>(kind)];
}

namespace {

using profile_text::is_path_token;
using profile_text::unquote;

struct Qualifiers {
  bool deny = false;
  bool owner = false;
};

bool apply_qualifier(std::string_view word, Qualifiers& q) {
  if (word == "audit" || word == "allow" || word == "other") return true;
  if (word == "deny") return q.deny = true;
  if (word == "owner") return q.owner = true;
  return false;
}

std::string joined(const std::vector<std::string>& tokens, std::size_t from = 0) {
  std::string text;
  for (std::size_t i = from; i < tokens.size(); ++i) text += (text.empty() ? "" : " ") + tokens[i];
  return text;
}

// "rw", "mrix", "Px": the data letters and the exec mode, or nullopt when a letter is not a
// file permission.
std::optional<FileRuleText> parse_perms(std::string_view token) {
  FileRuleText out;
  for (const char c : token) {
    switch (c) {
      case 'r': out.perms |= file_perm::r; break;
      case 'w': out.perms |= file_perm::w; break;
      case 'a': out.perms |= file_perm::a; break;
      case 'l': out.perms |= file_perm::l; break;
      case 'k': out.perms |= file_perm::k; break;
      case 'm': out.perms |= file_perm::m; break;
      case 'x': case 'i': case 'u': case 'p': case 'c': case 'P': case 'U': case 'C': out.exec += c; break;
      default: return std::nullopt;
    }
  }
  if (token.empty() || (!out.exec.empty() && out.exec.back() != 'x')) return std::nullopt;
  return out;
}

RuleKind keyword_kind(std::string_view word) {
  if (word == "abi") return RuleKind::profile;
  if (word == "capability") return RuleKind::capability;
  if (word == "network") return RuleKind::network;
  if (word == "signal") return RuleKind::signal;
  if (word == "ptrace") return RuleKind::ptrace;
  if (word == "mount" || word == "remount" || word == "umount" || word == "unmount" || word == "pivot_root")
    return RuleKind::mount;
  if (word == "unix") return RuleKind::unix_socket;
  if (word == "dbus") return RuleKind::dbus;
  return RuleKind::other;
}

// `include <x>`, `#include <x>` and `include if exists <x>` lines, normalised; the statement
// splitter treats them as comments.
std::vector<std::string> include_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    if (line.starts_with("#include")) line.remove_prefix(1);
    if (!line.starts_with("include") || line.size() < 8 || std::string_view(" \t<\"").find(line[7]) == std::string_view::npos)
      continue;
    std::string normal;
    bool space = false;
    for (const char c : line) {
      if (c == ' ' || c == '\t' || c == '\r') {
        space = true;
        continue;
      }
      if (space && !normal.empty()) normal += ' ';
      space = false;
      normal += c;
    }
    if (normal.starts_with("include<")) normal.insert(7, " ");
    // A trailing comment (armorer notes what an abstraction holds) is not part of the rule.
    if (const auto comment = normal.find(" #"); comment != std::string::npos) normal.resize(comment);
    out.push_back(std::move(normal));
  }
  return out;
}

class RuleReader {
 public:
  explicit RuleReader(std::string_view text) : text_(text) { result_.variables = stock_tunables(); }

  ProfileRules read() {
    const auto statements = profile_text::split_statements(text_);
    std::size_t depth = 0;
    for (const auto& s : statements) {
      if (s.type == Statement::Type::block_open && depth++ == 0 && !is_qualifier_block(s)) ++top_level_;
      if (s.type == Statement::Type::block_close && depth > 0) --depth;
    }
    for (const auto& s : statements) read_statement(s);
    if (!stack_.empty()) throw Fatal("the profile text ends inside a block (a '}' is missing)");
    for (auto& line : include_lines(text_)) add({RuleKind::include, "", std::move(line)});
    return std::move(result_);
  }

 private:
  struct Block {
    std::string name;  // empty for a qualifier block such as `owner {`
    Qualifiers qualifiers;
  };

  static bool is_qualifier_block(const Statement& s) {
    Qualifiers q;
    return !s.tokens.empty() && std::all_of(s.tokens.begin(), s.tokens.end(),
                                            [&](const std::string& t) { return apply_qualifier(t, q); });
  }

  [[noreturn]] void fail(const Statement& s, const std::string& why) const {
    throw Fatal("profile line " + std::to_string(s.line) + ": " + why + " ('" +
                comment_safe(joined(s.tokens)) + "')");
  }

  std::string scope() const {
    std::string out;
    bool skip_top = top_level_ <= 1;
    for (const auto& block : stack_) {
      if (block.name.empty()) continue;
      if (skip_top) {
        skip_top = false;
        continue;
      }
      out += (out.empty() ? "" : "//") + block.name;
    }
    return out;
  }

  Qualifiers current_qualifiers() const { return stack_.empty() ? Qualifiers{} : stack_.back().qualifiers; }

  void add(ProfileRule rule) { result_.rules.push_back(std::move(rule)); }

  void read_statement(const Statement& s) {
    switch (s.type) {
      case Statement::Type::block_open: return open_block(s);
      case Statement::Type::block_close:
        if (stack_.empty()) fail(s, "'}' without a block");
        stack_.pop_back();
        return;
      case Statement::Type::assignment: return assign(s);
      case Statement::Type::rule: return read_rule(s);
    }
  }

  void open_block(const Statement& s) {
    Qualifiers q = current_qualifiers();
    if (is_qualifier_block(s)) {
      for (const auto& t : s.tokens) apply_qualifier(t, q);
      stack_.push_back({"", q});
      return;
    }
    const auto& t = s.tokens;
    const bool named = !t.empty() && (t[0] == "profile" || t[0] == "hat");
    if (t.empty() || (named && t.size() < 2)) fail(s, "a block without a name");
    stack_.push_back({unquote(named ? t[1] : t[0]), {}});
    add({RuleKind::profile, scope(), "profile " + stack_.back().name});
    const std::string header = joined(t);
    const auto flags_at = header.find("flags=");
    if (flags_at == std::string::npos) return;
    std::string flags = header.substr(flags_at + 6);
    if (flags.starts_with('(')) flags = flags.substr(1, flags.find(')') - 1);
    else flags = flags.substr(0, flags.find(' '));
    for (char& c : flags)
      if (c == ',') c = ' ';
    std::size_t at = 0;
    while ((at = flags.find_first_not_of(' ', at)) != std::string::npos) {
      const std::size_t end = std::min(flags.find(' ', at), flags.size());
      add({RuleKind::profile, scope(), "flag " + flags.substr(at, end - at)});
      at = end;
    }
  }

  void assign(const Statement& s) {
    const auto& t = s.tokens;
    const std::string name = t[0].substr(2, t[0].size() - 3);
    auto& values = result_.variables[name];
    if (t[1] == "=") values.clear();
    for (std::size_t i = 2; i < t.size(); ++i) {
      values.push_back(t[i]);
      add({RuleKind::variable, scope(), t[0] + " = " + t[i]});
    }
  }

  void read_rule(const Statement& s) {
    Qualifiers q = current_qualifiers();
    std::size_t i = 0;
    while (i < s.tokens.size() && apply_qualifier(s.tokens[i], q)) ++i;
    if (i == s.tokens.size()) fail(s, "qualifiers without a rule");
    ProfileRule rule;
    rule.scope = scope();
    rule.deny = q.deny;
    rule.owner = q.owner;
    rule.text = joined(s.tokens) + ",";
    rule.words.assign(s.tokens.begin() + static_cast<long>(i), s.tokens.end());
    rule.kind = keyword_kind(rule.words[0]);
    if (rule.kind == RuleKind::other) read_file_rule(s, rule);
    add(std::move(rule));
  }

  // `[file] PATH PERMS [-> TARGET]`, `PERMS PATH`, or a bare `file`; anything else is kept as
  // an "other" rule and compared as text.
  void read_file_rule(const Statement& s, ProfileRule& rule) {
    auto& w = rule.words;
    std::size_t i = 0;
    if (w[0] == "file") {
      if (w.size() == 1) {
        rule.kind = RuleKind::file;
        rule.file = {"/{**,}", file_perm::r | file_perm::w | file_perm::l | file_perm::k | file_perm::m, "ix"};
        return;
      }
      i = 1;
    }
    if (i >= w.size()) return;
    std::size_t path = i, perms = i + 1;
    if (perms < w.size() && parse_perms(w[i]) && is_path_token(w[perms])) std::swap(path, perms);
    if (!is_path_token(w[path])) return;
    if (perms >= w.size()) fail(s, "a file rule without permissions");
    auto parsed = parse_perms(w[perms]);
    if (!parsed) fail(s, "'" + comment_safe(w[perms]) + "' is not a file permission");
    parsed->pattern = unquote(w[path]);
    for (std::size_t k = std::max(path, perms) + 1; k < w.size(); ++k) parsed->exec += " " + w[k];
    rule.kind = parsed->exec.empty() ? RuleKind::file : RuleKind::executable;
    rule.file = std::move(*parsed);
  }

  std::string_view text_;
  ProfileRules result_;
  std::vector<Block> stack_;
  std::size_t top_level_ = 0;
};

}  // namespace

ProfileRules read_profile_rules(std::string_view text) { return RuleReader(text).read(); }

}  // namespace armorer
