#include "apparmor/profile_reader.h"

#include <algorithm>
#include <optional>

#include "apparmor/apparmor_names.h"
#include "apparmor/profile_statements.h"
#include "core/error.h"

namespace armorer {

using profile_text::Statement;

namespace {

using profile_text::is_path_token;
using profile_text::unquote;

// Kinds of rules that are read but not judged; only counted, so that `check` can say so.
const std::set<std::string, std::less<>> kUnjudgedKinds{
    "signal", "ptrace", "mount", "remount", "umount", "unmount", "pivot_root", "unix", "dbus",
    "change_profile", "userns", "io_uring", "mqueue", "set", "rlimit", "alias"};

struct Qualifiers {
  bool deny = false;
  bool owner = false;
  bool other = false;
};

// Applies `word` when it is a rule qualifier; false for any other word.
bool apply_qualifier(std::string_view word, Qualifiers& q) {
  if (word == "audit" || word == "allow") return true;
  if (word == "deny") return q.deny = true;
  if (word == "owner") return q.owner = true;
  if (word == "other") return q.other = true;
  return false;
}

struct Perms {
  uint32_t bits = 0;
  bool exec = false;
};

// "rw", "mr", "ix", "Px", "rix", "mrixwlk"; nullopt when a letter is not a file permission.
std::optional<Perms> parse_perms(std::string_view token) {
  Perms perms;
  bool transition = false;
  for (const char c : token) {
    switch (c) {
      case 'r': perms.bits |= file_perm::r; break;
      case 'w': perms.bits |= file_perm::w; break;
      case 'a': perms.bits |= file_perm::a; break;
      case 'l': perms.bits |= file_perm::l; break;
      case 'k': perms.bits |= file_perm::k; break;
      case 'm': perms.bits |= file_perm::m; break;
      case 'x': perms.exec = true; break;
      case 'i': case 'u': case 'p': case 'c': case 'P': case 'U': case 'C': transition = true; break;
      default: return std::nullopt;
    }
  }
  if (token.empty() || (transition && !perms.exec)) return std::nullopt;
  return perms;
}

bool is_number(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string joined(const std::vector<std::string>& tokens) {
  std::string text;
  for (const auto& token : tokens) text += (text.empty() ? "" : " ") + token;
  return comment_safe(text);
}

// A top-level profile: its header and its own rules (not those of its hats or children),
// each with the qualifiers of the `owner { ... }`-style blocks around it.
struct FoundProfile {
  std::string name;
  bool complain = false;
  std::vector<std::pair<const Statement*, Qualifiers>> rules;
};

enum class BlockKind { profile, child, qualifiers };

bool header_says_complain(const std::vector<std::string>& header) {
  std::string text;
  for (const auto& token : header) text += token + " ";
  const auto open = text.find('(');
  if (open == std::string::npos) return false;
  std::string flags = text.substr(open + 1, text.find(')', open) - open - 1);
  for (char& c : flags)
    if (c == ',') c = ' ';
  flags = " " + flags + " ";
  return flags.find(" complain ") != std::string::npos || flags.find(" unconfined ") != std::string::npos;
}

}  // namespace

class ProfileBuilder {
 public:
  explicit ProfileBuilder(const Variables& vars) : vars_(vars) {}

  ProfilePolicy build(const FoundProfile& found) {
    policy_.name_ = found.name;
    policy_.complain_ = found.complain;
    for (const auto& [statement, qualifiers] : found.rules) add_rule(*statement, qualifiers);
    return std::move(policy_);
  }

 private:
  [[noreturn]] void fail(const Statement& s, const std::string& why) const {
    throw Fatal("cannot read profile rule '" + joined(s.tokens) + "' (preprocessed line " +
                std::to_string(s.line) + "): " + why);
  }

  void add_rule(const Statement& s, Qualifiers q) {
    const auto& t = s.tokens;
    std::size_t i = 0;
    while (i < t.size() && apply_qualifier(t[i], q)) ++i;
    if (i == t.size()) fail(s, "qualifiers without a rule");
    const std::string& word = t[i];
    if (word == "abi") return;
    if (word == "capability") return add_capability(s, q, i + 1);
    if (word == "network") return add_network(s, q, i + 1);
    if (word == "file" && i + 1 == t.size()) return add_file(s, q, "/{**,}", "rwlkmix");
    if (word == "file") ++i;
    if (word == "link") return add_link(s, q, i + 1);
    if (kUnjudgedKinds.count(t[i])) {
      ++policy_.counts_[t[i] == "unmount" ? "umount" : t[i]];
      return;
    }
    std::size_t path = i, perms = i + 1;
    if (i + 1 < t.size() && parse_perms(t[i]) && is_path_token(t[i + 1])) std::swap(path, perms);
    if (!is_path_token(t[path]) || perms >= t.size()) fail(s, "not a rule this reader knows");
    std::size_t rest = std::max(path, perms) + 1;
    // An exec transition may name its target profile: "px -> other,".
    if (rest < t.size() && t[rest].starts_with("->")) rest += t[rest] == "->" ? 2 : 1;
    if (rest < t.size()) fail(s, "unexpected '" + t[rest] + "'");
    add_file(s, q, unquote(t[path]), t[perms]);
  }

  void add_file(const Statement& s, const Qualifiers& q, const std::string& pattern,
                std::string_view perm_token) {
    const auto perms = parse_perms(perm_token);
    if (!perms) fail(s, "'" + std::string(perm_token) + "' is not a file permission");
    std::string error;
    auto matcher = Aare::compile(pattern, vars_, &error);
    if (!matcher) fail(s, error);
    ProfileFileRule rule;
    rule.pattern = pattern;
    rule.perms = perms->bits;
    rule.exec = perms->exec;
    rule.owner = q.owner;
    rule.other = q.other;
    rule.deny = q.deny;
    const std::size_t index = policy_.file_rules_.size();
    if (matcher->literal()) policy_.literal_rules_[*matcher->literal()].push_back(index);
    else policy_.pattern_rules_.push_back(index);
    policy_.file_rules_.push_back(std::move(rule));
    policy_.matchers_.push_back(std::move(*matcher));
    ++policy_.counts_["file"];
  }

  // "link [subset] LINK -> TARGET": the `l` permission on the new name.
  void add_link(const Statement& s, const Qualifiers& q, std::size_t i) {
    const auto& t = s.tokens;
    if (i < t.size() && t[i] == "subset") ++i;
    if (i >= t.size() || !is_path_token(t[i])) fail(s, "link rule without a path");
    add_file(s, q, unquote(t[i]), "l");
  }

  void add_capability(const Statement& s, const Qualifiers& q, std::size_t i) {
    ++policy_.counts_["capability"];
    if (i == s.tokens.size()) {
      (q.deny ? policy_.no_capabilities_ : policy_.all_capabilities_) = true;
      return;
    }
    for (; i < s.tokens.size(); ++i) {
      const auto name = capability_name(s.tokens[i]);
      if (!name || is_number(s.tokens[i])) fail(s, "unknown capability '" + s.tokens[i] + "'");
      (q.deny ? policy_.denied_capabilities_ : policy_.capabilities_).emplace(*name);
    }
  }

  // "network [FAMILY] [TYPE | PROTOCOL]"; AppArmor 3 mediates family and type, and the
  // parser turns the protocols it knows into their socket type.
  void add_network(const Statement& s, const Qualifiers& q, std::size_t i) {
    ProfilePolicy::NetworkEntry entry;
    entry.deny = q.deny;
    for (; i < s.tokens.size(); ++i) {
      const std::string& word = s.tokens[i];
      if (is_number(word)) fail(s, "socket family or type given as a number");
      if (auto family = network_family_name(word); family && entry.family.empty() && entry.type.empty()) {
        entry.family = std::string(*family);
      } else if (auto type = network_type_name(word); type && entry.type.empty()) {
        entry.type = std::string(*type);
      } else if ((word == "tcp" || word == "udp" || word == "icmp") && entry.type.empty()) {
        entry.type = word == "tcp" ? "stream" : word == "udp" ? "dgram" : "raw";
      } else {
        fail(s, "'" + word + "' is not a socket family, type or protocol here");
      }
    }
    policy_.network_.push_back(std::move(entry));
    ++policy_.counts_["network"];
  }

  const Variables& vars_;
  ProfilePolicy policy_;
};

std::string ProfilePolicy::refused(const FileNeed& need) const {
  uint32_t allowed = 0, denied = 0;
  bool exec_allowed = false, exec_denied = false;
  auto take = [&](std::size_t k) {
    const ProfileFileRule& rule = file_rules_[k];
    if ((rule.owner && !need.owner) || (rule.other && need.owner)) return;
    uint32_t perms = rule.perms;
    if (perms & file_perm::w) perms |= file_perm::a;  // w grants (and denies) appending too
    const bool relevant = (perms & need.perms) || (rule.exec && need.exec);
    if (!relevant || !matchers_[k].matches(need.path)) return;
    (rule.deny ? denied : allowed) |= perms;
    (rule.deny ? exec_denied : exec_allowed) |= rule.exec;
  };
  // Rules add up whatever their order, so the literal ones can be looked up by path.
  if (auto literal = literal_rules_.find(need.path); literal != literal_rules_.end())
    for (std::size_t k : literal->second) take(k);
  for (std::size_t k : pattern_rules_) take(k);
  std::string letters = file_perms_letters(need.perms & ~(allowed & ~denied));
  if (need.exec && (!exec_allowed || exec_denied)) letters += 'x';
  return letters;
}

bool ProfilePolicy::allows_capability(std::string_view name) const {
  if (no_capabilities_ || denied_capabilities_.count(std::string(name))) return false;
  return all_capabilities_ || capabilities_.count(std::string(name));
}

bool ProfilePolicy::allows_network(std::string_view family, std::string_view type) const {
  bool allowed = false;
  for (const auto& entry : network_) {
    const bool matches = (entry.family.empty() || entry.family == family) &&
                         (entry.type.empty() || entry.type == type);
    if (!matches) continue;
    if (entry.deny) return false;
    allowed = true;
  }
  return allowed;
}

std::set<std::string> ProfilePolicy::unjudged_kinds() const {
  std::set<std::string> kinds;
  for (const auto& [kind, count] : counts_)
    if (kind != "file" && kind != "capability" && kind != "network") kinds.insert(kind);
  return kinds;
}

ProfilePolicy parse_profile(std::string_view preprocessed, std::string_view name) {
  const std::vector<Statement> statements = profile_text::split_statements(preprocessed);
  Variables vars = stock_tunables();
  std::vector<FoundProfile> profiles;
  struct Block {
    BlockKind kind;
    Qualifiers qualifiers;
  };
  std::vector<Block> stack;

  for (const Statement& s : statements) {
    const auto& t = s.tokens;
    switch (s.type) {
      case Statement::Type::assignment: {
        const std::string var = t[0].substr(2, t[0].size() - 3);
        std::vector<std::string> values(t.begin() + 2, t.end());
        auto& slot = vars[var];
        // The text's own definitions replace the stock ones; += adds to whichever is there.
        if (t[1] == "=") slot.clear();
        slot.insert(slot.end(), values.begin(), values.end());
        break;
      }
      case Statement::Type::block_open: {
        Qualifiers q = stack.empty() ? Qualifiers{} : stack.back().qualifiers;
        std::size_t i = 0;
        while (i < t.size() && apply_qualifier(t[i], q)) ++i;
        if (!t.empty() && i == t.size() && !stack.empty()) {
          stack.push_back({BlockKind::qualifiers, q});
          break;
        }
        const bool named = i < t.size() && (t[i] == "profile" || t[i] == "hat");
        const bool is_profile = named || (i < t.size() && (is_path_token(t[i]) || t[i].starts_with('^')));
        if (!is_profile)
          throw Fatal("cannot read profile block '" + joined(t) + "' (preprocessed line " +
                      std::to_string(s.line) + ")");
        if (stack.empty()) {
          if (named && i + 1 >= t.size())
            throw Fatal("profile without a name (preprocessed line " + std::to_string(s.line) + ")");
          FoundProfile found;
          found.name = unquote(named ? t[i + 1] : t[i]);
          found.complain = header_says_complain(t);
          profiles.push_back(std::move(found));
          stack.push_back({BlockKind::profile, {}});
        } else {
          stack.push_back({BlockKind::child, {}});
        }
        break;
      }
      case Statement::Type::block_close:
        if (stack.empty())
          throw Fatal("'}' without a block (preprocessed line " + std::to_string(s.line) + ")");
        stack.pop_back();
        break;
      case Statement::Type::rule: {
        const bool own_rule = !stack.empty() && std::all_of(stack.begin() + 1, stack.end(), [](const Block& b) {
          return b.kind == BlockKind::qualifiers;
        });
        if (own_rule) profiles.back().rules.emplace_back(&s, stack.back().qualifiers);
        break;
      }
    }
  }
  if (!stack.empty()) throw Fatal("profile text ends inside a block (a '}' is missing)");

  const FoundProfile* chosen = nullptr;
  for (const auto& found : profiles)
    if (!name.empty() && found.name == name) chosen = &found;
  if (!chosen && profiles.size() == 1) chosen = &profiles.front();
  if (!chosen) {
    std::string names;
    for (const auto& found : profiles) names += (names.empty() ? "" : ", ") + comment_safe(found.name);
    if (profiles.empty()) throw Fatal("the profile file holds no profile");
    if (name.empty()) throw Fatal("the profile file holds several profiles (" + names + "): name one");
    throw Fatal("the profile file holds several profiles (" + names + ") and none is named '" +
                comment_safe(name) + "'");
  }
  return ProfileBuilder(vars).build(*chosen);
}

ProfilePolicy read_profile(const std::string& path, std::string_view name) {
  return parse_profile(preprocess_profile(path), name);
}

}  // namespace armorer
