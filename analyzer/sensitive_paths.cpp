#include "analyzer/sensitive_paths.h"

#include <algorithm>
#include <array>
#include <mutex>

#include "apparmor/file_rule.h"
#include "core/error.h"

namespace armorer {

namespace {

using Examples = std::span<const std::string_view>;

constexpr std::string_view kShadow[] = {"/etc/shadow", "/etc/shadow-"};
constexpr std::string_view kGshadow[] = {"/etc/gshadow", "/etc/gshadow-"};
constexpr std::string_view kSudoers[] = {"/etc/sudoers"};
constexpr std::string_view kSudoersD[] = {"/etc/sudoers.d/README"};
constexpr std::string_view kSshKeys[] = {"/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ed25519_key"};
constexpr std::string_view kSslPrivate[] = {"/etc/ssl/private/ssl-cert-snakeoil.key"};
constexpr std::string_view kOpasswd[] = {"/etc/security/opasswd"};
constexpr std::string_view kRoot[] = {"/root/.bashrc", "/root/.profile", "/root/.bash_history",
                                      "/root/.ssh/authorized_keys", "/root/.ssh/id_rsa"};
constexpr std::string_view kUserSsh[] = {"/home/user/.ssh/id_rsa", "/home/user/.ssh/id_ed25519",
                                         "/home/user/.ssh/authorized_keys"};
constexpr std::string_view kUserGnupg[] = {"/home/user/.gnupg/private-keys-v1.d/key.key"};
constexpr std::string_view kUserCloud[] = {"/home/user/.aws/credentials", "/home/user/.kube/config",
                                           "/home/user/.docker/config.json"};
constexpr std::string_view kUserGcloud[] = {"/home/user/.config/gcloud/credentials.db"};
constexpr std::string_view kUserHistory[] = {"/home/user/.bash_history"};
constexpr std::string_view kUserStartup[] = {"/home/user/.bashrc", "/home/user/.profile"};
constexpr std::string_view kProcSys[] = {"/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe"};
constexpr std::string_view kSysrq[] = {"/proc/sysrq-trigger"};
constexpr std::string_view kKcore[] = {"/proc/kcore", "/proc/kallsyms"};
constexpr std::string_view kProcMem[] = {"/proc/1/mem", "/proc/1/environ"};
constexpr std::string_view kSecurityfs[] = {"/sys/kernel/security/apparmor/.load",
                                            "/sys/kernel/security/apparmor/profiles"};
constexpr std::string_view kBoot[] = {"/boot/vmlinuz", "/boot/grub/grub.cfg"};
constexpr std::string_view kDevMem[] = {"/dev/mem", "/dev/kmem", "/dev/port"};
constexpr std::string_view kDocker[] = {"/run/docker.sock", "/var/run/docker.sock"};
constexpr std::string_view kContainerd[] = {"/run/containerd/containerd.sock"};
constexpr std::string_view kAccounts[] = {"/etc/passwd", "/etc/group", "/etc/ld.so.preload"};
constexpr std::string_view kCron[] = {"/etc/cron.d/armorer-probe", "/etc/crontab"};
constexpr std::string_view kSpoolCron[] = {"/var/spool/cron/crontabs/root"};
constexpr std::string_view kProfileD[] = {"/etc/profile.d/armorer-probe.sh", "/etc/profile"};

// {,**}: the directory itself and everything below it.
constexpr std::array<SensitiveLocation, 28> kLocations{{
    {"/etc/shadow{,-}", false, true, kShadow},
    {"/etc/gshadow{,-}", false, true, kGshadow},
    {"/etc/sudoers", false, true, kSudoers},
    {"/etc/sudoers.d/{,**}", false, true, kSudoersD},
    {"/etc/ssh/*key*", false, true, kSshKeys},
    {"/etc/ssl/private/{,**}", false, true, kSslPrivate},
    {"/etc/security/opasswd", false, true, kOpasswd},
    // Root's home itself and the files right in it (start-up files, histories, editors'
    // state); its credential directories are the @{HOME} entries below. A tree of the
    // workload's own deeper down (/root/.cache/APP/...) is not root's.
    {"/root/{,*}", false, false, kRoot},
    {"@{HOME}/.ssh/{,**}", false, true, kUserSsh},
    {"@{HOME}/.gnupg/{,**}", false, true, kUserGnupg},
    {"@{HOME}/.{aws,kube,docker}/{,**}", false, true, kUserCloud},
    {"@{HOME}/.config/gcloud/{,**}", false, true, kUserGcloud},
    {"@{HOME}/.*_history", false, true, kUserHistory},
    {"@{HOME}/.{bashrc,profile,bash_profile,bash_login,bash_logout,zshrc,zprofile,zshenv}", true, false,
     kUserStartup},
    {"@{PROC}/sys/{,**}", false, false, kProcSys},
    {"@{PROC}/sysrq-trigger", false, true, kSysrq},
    {"@{PROC}/{kcore,kmem,kallsyms}", false, true, kKcore},
    {"@{PROC}/*/{mem,environ}", false, true, kProcMem},
    {"@{sys}/kernel/security/{,**}", false, true, kSecurityfs},
    {"/boot/{,**}", false, false, kBoot},
    {"/dev/{mem,kmem,port}", false, true, kDevMem},
    {"@{run}/docker.sock", false, true, kDocker},
    {"@{run}/containerd/{,**}", false, true, kContainerd},
    {"/etc/{passwd,group,ld.so.preload}{,-}", true, true, kAccounts},
    {"/etc/cron{tab,.*/,.*/**}", true, true, kCron},
    {"/var/spool/cron/{,**}", true, true, kSpoolCron},
    {"/etc/profile{,.d/,.d/**}", true, true, kProfileD},
    {"/etc/{bash.bashrc,environment,security/**,pam.d/**}", true, true, {}},
}};

bool concerns(const SensitiveLocation& location, GuardedAccess access) {
  if (!location.write_only) return access.perms != 0 || access.exec;
  return access.exec || (access.perms & (file_perm::w | file_perm::a | file_perm::l)) != 0;
}

std::shared_ptr<const std::vector<Aare>> compiled() {
  static std::once_flag once;
  static std::shared_ptr<const std::vector<Aare>> matchers;
  std::call_once(once, [] {
    auto list = std::make_shared<std::vector<Aare>>();
    for (const auto& location : kLocations) {
      std::string error;
      auto matcher = Aare::compile(location.pattern, stock_tunables(), &error);
      if (!matcher) throw Fatal("sensitive location table: " + error);
      list->push_back(std::move(*matcher));
    }
    matchers = std::move(list);
  });
  return matchers;
}

}  // namespace

std::span<const SensitiveLocation> sensitive_locations() { return kLocations; }

SensitiveGuard::SensitiveGuard() : matchers_(compiled()) {}

bool SensitiveGuard::sensitive(std::string_view literal) const {
  for (const auto& matcher : *matchers_)
    if (matcher.matches(literal)) return true;
  return false;
}

std::vector<size_t> SensitiveGuard::reached(const Aare& rule, GuardedAccess access,
                                            std::span<const std::string> rule_probes,
                                            std::span<const std::string_view> observed) const {
  auto seen = [&](std::string_view path) { return std::binary_search(observed.begin(), observed.end(), path); };
  std::vector<size_t> out;
  for (size_t i = 0; i < kLocations.size(); ++i) {
    const SensitiveLocation& location = kLocations[i];
    if (!concerns(location, access)) continue;
    bool hit = false;
    for (const auto example : location.examples)
      if (!seen(example) && rule.matches(example)) hit = true;
    for (const auto& probe : rule_probes)
      if (!hit && !seen(probe) && (*matchers_)[i].matches(probe)) hit = true;
    if (hit) out.push_back(i);
  }
  return out;
}

bool SensitiveGuard::holds_any(size_t index, std::span<const std::string_view> paths) const {
  for (const auto& path : paths)
    if ((*matchers_)[index].matches(path)) return true;
  return false;
}

}  // namespace armorer
