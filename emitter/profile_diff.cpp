#include "emitter/profile_diff.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "apparmor/apparmor_names.h"
#include "apparmor/file_rule.h"
#include "emitter/pattern_probe.h"

namespace armorer {

bool ProfileDiff::widens() const { return widening_count() > 0; }

std::size_t ProfileDiff::widening_count() const {
  auto count = [](const std::vector<RuleChange>& changes) {
    return static_cast<std::size_t>(std::count_if(changes.begin(), changes.end(),
                                                  [](const RuleChange& c) { return c.widens; }));
  };
  return count(added) + count(removed);
}

namespace {

constexpr std::size_t kSamplesPerPattern = 24;

auto key(const ProfileRule& rule) { return std::tie(rule.kind, rule.scope, rule.text); }

// Flags that take nothing away from enforcement when added.
bool harmless_flag(std::string_view flag) {
  return flag == "flag enforce" || flag == "flag audit" || flag == "flag kill";
}

// "(send, receive)", "set=(hup, term)", "peer=/usr/bin/x" of a signal or ptrace rule.
struct PeerRule {
  std::set<std::string> access;  // empty: every access
  std::set<std::string> signals; // empty: every signal
  std::string peer;              // empty: every peer
};

std::set<std::string> list_of(std::string_view text) {
  std::set<std::string> out;
  std::string item;
  for (const char c : text) {
    if (c == ',' || c == ' ' || c == '(' || c == ')') {
      if (!item.empty()) out.insert(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty()) out.insert(item);
  return out;
}

PeerRule parse_peer_rule(const ProfileRule& rule) {
  std::string rest;
  for (std::size_t i = 1; i < rule.words.size(); ++i) rest += (rest.empty() ? "" : " ") + rule.words[i];
  PeerRule out;
  auto take = [&](std::string_view prefix) -> std::optional<std::string> {
    const auto at = rest.find(prefix);
    if (at == std::string::npos) return std::nullopt;
    const std::size_t close = rest[at + prefix.size()] == '(' ? rest.find(')', at) : std::string::npos;
    const std::size_t end = close != std::string::npos ? close + 1 : std::min(rest.find(' ', at), rest.size());
    std::string value = rest.substr(at + prefix.size(), end - at - prefix.size());
    rest.erase(at, end - at);
    return value;
  };
  if (auto peer = take("peer=")) out.peer = *peer;
  if (auto set = take("set=")) out.signals = list_of(*set);
  const bool signal = rule.kind == RuleKind::signal;
  for (const auto& word : list_of(rest)) {
    if (word == "r" || word == "w" || word == "rw") {
      if (word != "w") out.access.insert(signal ? "receive" : "read");
      if (word != "r") out.access.insert(signal ? "send" : "trace");
    } else {
      out.access.insert(word);
    }
  }
  return out;
}

bool includes_all(const std::set<std::string>& have, const std::set<std::string>& want) {
  if (have.empty()) return true;
  if (want.empty()) return false;
  return std::includes(have.begin(), have.end(), want.begin(), want.end());
}

std::string perms_text(uint32_t perms, const std::string& exec) { return file_perms_letters(perms) + exec; }

struct OldFileRule {
  const ProfileRule* rule;
  std::optional<Aare> matcher;
};

class Judge {
 public:
  Judge(const ProfileRules& old_rules, const ProfileRules& new_rules, std::vector<const ProfileRule*> removed)
      : old_(old_rules), new_vars_(new_rules.variables), removed_(std::move(removed)) {
    for (const auto& rule : old_.rules) {
      if (rule.deny || (rule.kind != RuleKind::file && rule.kind != RuleKind::executable)) continue;
      old_files_[rule.scope].push_back({&rule, Aare::compile(rule.file.pattern, old_.variables)});
    }
  }

  RuleChange added(const ProfileRule& rule) const {
    RuleChange change{rule.kind, rule.scope, rule.text, false, ""};
    if (rule.deny) {
      change.why = "deny rule: narrows access";
      return change;
    }
    change.widens = true;
    switch (rule.kind) {
      case RuleKind::profile:
        if (rule.text.starts_with("profile ")) {
          change.widens = false;
          change.why = "profile name";
        } else if (rule.text.starts_with("flag ")) {
          change.widens = !harmless_flag(rule.text);
          change.why = change.widens ? "mode flag added: the profile enforces less" : "mode flag added";
        } else {
          change.why = "feature ABI changed: what the kernel mediates may differ";
        }
        return change;
      case RuleKind::variable:
        change.why = "variable now also stands for this value: rules using it may match more";
        return change;
      case RuleKind::include:
        change.why = "new include: allows whatever it holds";
        return change;
      case RuleKind::capability: return capability(rule, change);
      case RuleKind::network: return network(rule, change);
      case RuleKind::signal:
      case RuleKind::ptrace: return peer(rule, change);
      case RuleKind::file:
      case RuleKind::executable: return file(rule, change);
      default:
        change.widens = !exists_in_old(rule);
        change.why = "new " + std::string(section_title(rule.kind)) + " rule";
        return change;
    }
  }

  RuleChange removed(const ProfileRule& rule) const {
    RuleChange change{rule.kind, rule.scope, rule.text, false, ""};
    if (rule.deny) {
      change.widens = true;
      change.why = "deny rule removed";
    } else if (rule.kind == RuleKind::profile && rule.text.starts_with("flag ") && rule.text != "flag complain" &&
               rule.text != "flag unconfined") {
      change.why = "mode flag removed";
    }
    return change;
  }

 private:
  template <class Visit>
  void for_each_old(const ProfileRule& like, Visit&& visit) const {
    for (const auto& rule : old_.rules)
      if (rule.kind == like.kind && rule.scope == like.scope && !rule.deny) visit(rule);
  }

  bool exists_in_old(const ProfileRule& rule) const {
    bool found = false;
    for_each_old(rule, [&](const ProfileRule& old) { found |= old.text == rule.text; });
    return found;
  }

  RuleChange capability(const ProfileRule& rule, RuleChange change) const {
    bool all = false;
    std::set<std::string> had;
    for_each_old(rule, [&](const ProfileRule& old) {
      if (old.words.size() == 1) all = true;
      had.insert(old.words.begin() + 1, old.words.end());
    });
    if (rule.words.size() == 1) {
      change.widens = !all;
      change.why = "every capability";
      return change;
    }
    std::string fresh;
    for (std::size_t i = 1; i < rule.words.size(); ++i)
      if (!all && !had.count(rule.words[i])) fresh += (fresh.empty() ? "" : ", ") + rule.words[i];
    change.widens = !fresh.empty();
    change.why = change.widens ? "new capability " + fresh : "already allowed";
    return change;
  }

  static std::pair<std::string, std::string> family_type(const ProfileRule& rule) {
    std::string family, type;
    for (std::size_t i = 1; i < rule.words.size(); ++i) {
      const auto& word = rule.words[i];
      if (family.empty() && type.empty() && network_family_name(word)) family = word;
      else if (type.empty()) type = word == "tcp" ? "stream" : word == "udp" ? "dgram" : word == "icmp" ? "raw" : word;
    }
    return {family, type};
  }

  RuleChange network(const ProfileRule& rule, RuleChange change) const {
    const auto [family, type] = family_type(rule);
    bool covered = false;
    for_each_old(rule, [&](const ProfileRule& old) {
      const auto [f, t] = family_type(old);
      covered |= (f.empty() || f == family) && (t.empty() || t == type);
    });
    change.widens = !covered;
    change.why = covered ? "already allowed"
                         : "new network access: " + (family.empty() ? std::string("every family") : family) +
                               (type.empty() ? "" : " " + type);
    return change;
  }

  RuleChange peer(const ProfileRule& rule, RuleChange change) const {
    const PeerRule wanted = parse_peer_rule(rule);
    bool covered = false, same_peer = false;
    for_each_old(rule, [&](const ProfileRule& old) {
      const PeerRule had = parse_peer_rule(old);
      same_peer |= had.peer == wanted.peer;
      covered |= (had.peer.empty() || had.peer == wanted.peer) && includes_all(had.access, wanted.access) &&
                 includes_all(had.signals, wanted.signals);
    });
    const std::string peer = wanted.peer.empty() ? "every peer" : "peer " + wanted.peer;
    change.widens = !covered;
    change.why = covered ? "already allowed" : same_peer ? "more access to " + peer : "new " + peer;
    return change;
  }

  struct Allowed {
    uint32_t perms = 0;
    std::set<std::string> exec;
  };

  Allowed allowed_at(const ProfileRule& rule, const std::string& path) const {
    Allowed out;
    const auto found = old_files_.find(rule.scope);
    if (found == old_files_.end()) return out;
    for (const auto& old : found->second) {
      if (old.rule->owner && !rule.owner) continue;  // the old rule held only for owned files
      if (!old.matcher || !old.matcher->matches(path)) continue;
      out.perms |= old.rule->file.perms;
      if (!old.rule->file.exec.empty()) out.exec.insert(old.rule->file.exec);
    }
    return out;
  }

  static bool enough(const Allowed& allowed, const FileRuleText& want) {
    return file_perms_cover(allowed.perms, want.perms) && (want.exec.empty() || allowed.exec.count(want.exec));
  }

  // Whether `prefix` can be cut off a pattern as a unit: balanced, not ending inside an escape,
  // and naming only variables both profiles define alike. A pattern starting with it then
  // matches only paths that start with what the prefix matches.
  bool whole_prefix(std::string_view prefix) const {
    int braces = 0, brackets = 0;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      const char c = prefix[i];
      if (c == '\\') {
        if (++i == prefix.size()) return false;
      } else if (c == '{') {
        ++braces;
      } else if (c == '}') {
        --braces;
      } else if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        --brackets;
      }
      if (c == '@' && i + 1 < prefix.size() && prefix[i + 1] == '{') {
        const auto end = prefix.find('}', i);
        if (end == std::string_view::npos) return false;
        const std::string name(prefix.substr(i + 2, end - i - 2));
        const auto old_value = old_.variables.find(name);
        const auto new_value = new_vars_.find(name);
        if (old_value == old_.variables.end() || new_value == new_vars_.end() ||
            old_value->second != new_value->second)
          return false;
      }
    }
    return braces == 0 && brackets == 0;
  }

  // A structural proof for a pattern whose samples were all allowed: an old rule with the same
  // pattern, or one ending in "**" after a prefix that the new pattern starts with.
  bool provably_covered(const ProfileRule& rule) const {
    const auto found = old_files_.find(rule.scope);
    if (found == old_files_.end()) return false;
    for (const auto& old : found->second) {
      if (old.rule->owner && !rule.owner) continue;
      const std::string& pattern = old.rule->file.pattern;
      bool reaches = pattern == rule.file.pattern;
      if (!reaches && pattern.ends_with("**")) {
        const std::string prefix = pattern.substr(0, pattern.size() - 2);
        reaches = whole_prefix(prefix) && rule.file.pattern.starts_with(prefix);
      }
      if (reaches && enough({old.rule->file.perms, {old.rule->file.exec}}, rule.file)) return true;
    }
    return false;
  }

  // Why a file rule the old profile did not fully allow widens access.
  std::string file_reason(const ProfileRule& rule, const std::string& where) const {
    for (const ProfileRule* old : removed_) {
      if (old->scope != rule.scope || (old->kind != RuleKind::file && old->kind != RuleKind::executable)) continue;
      if (old->file.pattern != rule.file.pattern || old->deny) continue;
      if (old->owner && !rule.owner) return "no longer limited to files the process owns";
      if (old->file.exec != rule.file.exec && !rule.file.exec.empty())
        return "exec mode " + (old->file.exec.empty() ? std::string("none") : old->file.exec) + " → " + rule.file.exec;
      return "more permissions: " + perms_text(old->file.perms, old->file.exec) + " → " +
             perms_text(rule.file.perms, rule.file.exec);
    }
    const auto matcher = Aare::compile(rule.file.pattern, new_vars_);
    for (const ProfileRule* old : removed_) {
      if (old->scope != rule.scope || (old->kind != RuleKind::file && old->kind != RuleKind::executable)) continue;
      const auto path = pattern_literal(old->file.pattern);
      if (matcher && path && old->file.pattern != rule.file.pattern && matcher->matches(*path))
        return "broader pattern: replaces " + old->file.pattern + " and matches more (e.g. " + where + ")";
    }
    const Allowed had = allowed_at(rule, where);
    if (had.perms || !had.exec.empty())
      return "more permissions on " + where + ": had " + perms_text(had.perms, had.exec.empty() ? "" : *had.exec.begin());
    return pattern_literal(rule.file.pattern) ? "new path" : "new pattern (e.g. " + where + ")";
  }

  RuleChange file(const ProfileRule& rule, RuleChange change) const {
    if (auto path = pattern_literal(rule.file.pattern)) {
      change.widens = !enough(allowed_at(rule, *path), rule.file);
      change.why = change.widens ? file_reason(rule, *path) : "already allowed";
      return change;
    }
    const auto samples = pattern_samples(rule.file.pattern, new_vars_, kSamplesPerPattern);
    if (samples.empty()) {
      change.why = "pattern that armorer cannot sample: treated as widening";
      return change;
    }
    for (const auto& sample : samples) {
      if (enough(allowed_at(rule, sample), rule.file)) continue;
      change.why = file_reason(rule, sample);
      return change;
    }
    change.widens = !provably_covered(rule);
    change.why = change.widens ? "pattern not provably within the old rules (its sampled paths are)"
                               : "already allowed";
    return change;
  }

  const ProfileRules& old_;
  const Variables& new_vars_;
  std::vector<const ProfileRule*> removed_;
  std::map<std::string, std::vector<OldFileRule>> old_files_;
};

std::vector<const ProfileRule*> difference(const ProfileRules& a, const ProfileRules& b) {
  std::set<std::tuple<RuleKind, std::string, std::string>> in_b;
  for (const auto& rule : b.rules) in_b.emplace(key(rule));
  std::vector<const ProfileRule*> out;
  std::set<std::tuple<RuleKind, std::string, std::string>> seen;
  for (const auto& rule : a.rules)
    if (!in_b.count(key(rule)) && seen.emplace(key(rule)).second) out.push_back(&rule);
  return out;
}

void sort_changes(std::vector<RuleChange>& changes) {
  std::sort(changes.begin(), changes.end(), [](const RuleChange& x, const RuleChange& y) {
    return std::tie(x.kind, x.scope, x.text) < std::tie(y.kind, y.scope, y.text);
  });
}

}  // namespace

ProfileDiff diff_profiles(std::string_view old_text, std::string_view new_text) {
  const ProfileRules old_rules = read_profile_rules(old_text);
  const ProfileRules new_rules = read_profile_rules(new_text);
  const auto removed = difference(old_rules, new_rules);
  const Judge judge(old_rules, new_rules, removed);
  ProfileDiff diff;
  for (const ProfileRule* rule : difference(new_rules, old_rules)) diff.added.push_back(judge.added(*rule));
  for (const ProfileRule* rule : removed) diff.removed.push_back(judge.removed(*rule));
  sort_changes(diff.added);
  sort_changes(diff.removed);
  return diff;
}

}  // namespace armorer
