#include "apparmor/include_rule.h"

#include <map>
#include <mutex>

#include "core/error.h"

namespace armorer {

namespace {

// From abstractions/base: the loader, the C library, locale and time zone data, the null
// devices and the /proc and /sys files every libc program reads at start.
constexpr AbstractionEntry kBase[] = {
    {"@{etc_ro}/ld.so.cache", "mr"},
    {"@{etc_ro}/ld.so.conf", "r"},
    {"@{etc_ro}/ld.so.conf.d/{,*.conf}", "r"},
    {"@{etc_ro}/ld.so.preload", "r"},
    {"/{usr/,}lib{,32,64}/ld{,32,64}-*.so", "mr"},
    {"/{usr/,}lib/@{multiarch}/ld{,32,64}-*.so", "mr"},
    {"/{usr/,}lib{,32,64}/**", "r"},
    {"/{usr/,}lib{,32,64}/**.so*", "mr"},
    {"/{usr/,}lib/@{multiarch}/**", "r"},
    {"/{usr/,}lib/@{multiarch}/**.so*", "mr"},
    {"/usr/lib{,32,64}/locale/**", "mr"},
    {"/usr/lib/@{multiarch}/gconv/*.so", "mr"},
    {"/usr/lib/@{multiarch}/gconv/gconv-modules*", "mr"},
    {"@{etc_ro}/locale/**", "r"},
    {"@{etc_ro}/locale.alias", "r"},
    {"@{etc_ro}/localtime", "r"},
    {"/usr/share/locale/**", "r"},
    {"/usr/share/zoneinfo/", "r"},
    {"/usr/share/zoneinfo/**", "r"},
    {"/dev/null", "rw"},
    {"/dev/zero", "rw"},
    {"/dev/full", "rw"},
    {"/dev/random", "r"},
    {"/dev/urandom", "r"},
    {"/dev/log", "w"},
    {"@{PROC}/sys/kernel/version", "r"},
    {"@{PROC}/sys/kernel/ngroups_max", "r"},
    {"@{PROC}/sys/kernel/cap_last_cap", "r"},
    {"@{PROC}/sys/vm/overcommit_memory", "r"},
    {"@{PROC}/meminfo", "r"},
    {"@{PROC}/stat", "r"},
    {"@{PROC}/cpuinfo", "r"},
    {"@{PROC}/filesystems", "r"},
    {"@{PROC}/@{pid}/{maps,auxv,status}", "r"},
    {"@{sys}/devices/system/cpu/", "r"},
    {"@{sys}/devices/system/cpu/online", "r"},
    {"@{sys}/devices/system/cpu/possible", "r"},
};

// From abstractions/ssl_certs: every rule (all read-only). The abstraction is used only where
// these cover an observation.
constexpr AbstractionEntry kSslCerts[] = {
    {"/etc/ca-certificates/{,**}", "r"},
    {"/etc/{,libre}ssl/", "r"},
    {"/etc/{,libre}ssl/cert.pem", "r"},
    {"/etc/{,libre}ssl/certs/{,**}", "r"},
    {"/{etc,usr/share}/pki/bl[ao]cklist/{,*}", "r"},
    {"/{etc,usr/share}/pki/trust/{,*}", "r"},
    {"/{etc,usr/share}/pki/trust/{bl[oa]cklist,anchors}/{,**}", "r"},
    {"/usr/share/ca-certificates/{,**}", "r"},
    {"/usr/share/ssl/certs/ca-bundle.crt", "r"},
    {"/usr/local/share/ca-certificates/{,**}", "r"},
    {"/var/lib/ca-certificates/{,**}", "r"},
};

struct AbstractionInfo {
  std::string_view name;
  std::span<const AbstractionEntry> entries;
  size_t stock_rules;  // rule lines of the stock file (AppArmor 3.0.8)
  std::string_view summary;
};

constexpr AbstractionInfo kAbstractions[] = {
    {"base", kBase, 72,
     "stock: 72 rules (+6 from abstractions/crypto), incl. reading all of /{usr/,}lib*/**, "
     "locales and time zones"},
    {"ssl_certs", kSslCerts, 25, "stock: 25 rules, reading the system's CA certificates"},
};

constexpr std::string_view kNames[] = {"base", "ssl_certs"};

const AbstractionInfo* info(std::string_view name) {
  for (const auto& abstraction : kAbstractions)
    if (abstraction.name == name) return &abstraction;
  return nullptr;
}

uint32_t parse_letters(std::string_view letters) {
  uint32_t perms = 0;
  for (char c : letters) {
    switch (c) {
      case 'r': perms |= file_perm::r; break;
      case 'w': perms |= file_perm::w; break;
      case 'a': perms |= file_perm::a; break;
      case 'l': perms |= file_perm::l; break;
      case 'k': perms |= file_perm::k; break;
      case 'm': perms |= file_perm::m; break;
      default: throw Fatal("abstraction table: unsupported permission letter '" + std::string(1, c) + "'");
    }
  }
  return perms;
}

const std::vector<FileRule>& compiled(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<FileRule>, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto found = cache.find(name); found != cache.end()) return found->second;
  std::vector<FileRule> rules;
  for (const auto& entry : known_abstraction_entries(name)) {
    std::string error;
    auto rule = FileRule::make(std::string(entry.pattern), parse_letters(entry.perms),
                               ExecMode::none, false, false, &error);
    if (!rule)
      throw Fatal("abstraction " + std::string(name) + ": " + std::string(entry.pattern) + ": " + error);
    rules.push_back(std::move(*rule));
  }
  return cache.emplace(std::string(name), std::move(rules)).first->second;
}

}  // namespace

std::span<const AbstractionEntry> known_abstraction_entries(std::string_view name) {
  const AbstractionInfo* found = info(name);
  return found ? found->entries : std::span<const AbstractionEntry>{};
}

std::span<const std::string_view> stock_abstraction_names() { return kNames; }

std::string_view abstraction_summary(std::string_view name) {
  const AbstractionInfo* found = info(name);
  return found ? found->summary : std::string_view{};
}

size_t abstraction_rule_count(std::string_view name) {
  const AbstractionInfo* found = info(name);
  return found ? found->stock_rules : 0;
}

std::optional<IncludeRule> IncludeRule::make(std::string_view abstraction, std::string* why_not) {
  if (known_abstraction_entries(abstraction).empty()) {
    if (why_not) *why_not = "abstraction is not known to armorer";
    return std::nullopt;
  }
  IncludeRule rule;
  rule.name_ = std::string(abstraction);
  rule.file_rules_ = &compiled(abstraction);
  return rule;
}

// A comment after an include is safe where a comment before it would not be: a line that
// starts with "#include" is an include directive to the parser.
std::string IncludeRule::render() const {
  return "include <abstractions/" + name_ + ">  # " + std::string(abstraction_summary(name_));
}

bool IncludeRule::covers(const Observation& obs) const {
  auto need = file_need(obs);
  if (!need || need->exec) return false;
  uint32_t granted = 0;
  for (const auto& rule : *file_rules_)
    if (rule.applies_to(*need)) granted |= rule.perms();
  return file_perms_cover(granted, need->perms);
}

}  // namespace armorer
