#include "core/observation.h"

#include <array>
#include <utility>

namespace armorer {

namespace {
constexpr std::array<std::pair<ObsKind, std::string_view>, 9> kKindNames{{
    {ObsKind::file, "file"},
    {ObsKind::exec, "exec"},
    {ObsKind::capability, "capability"},
    {ObsKind::network, "network"},
    {ObsKind::signal, "signal"},
    {ObsKind::ptrace, "ptrace"},
    {ObsKind::mount, "mount"},
    {ObsKind::unix_socket, "unix"},
    {ObsKind::syscall, "syscall"},
}};

constexpr std::array<std::pair<uint32_t, std::string_view>, 12> kAccessNames{{
    {access::read, "read"},
    {access::write, "write"},
    {access::append, "append"},
    {access::create, "create"},
    {access::remove, "delete"},
    {access::rename_src, "rename-from"},
    {access::rename_dst, "rename-to"},
    {access::link, "link"},
    {access::lock, "lock"},
    {access::setattr, "setattr"},
    {access::mmap_exec, "mmap-exec"},
    {access::exec, "exec"},
}};
}  // namespace

std::string_view to_string(ObsKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "unknown";
}

std::optional<ObsKind> obs_kind_from_string(std::string_view text) {
  for (const auto& [k, name] : kKindNames)
    if (name == text) return k;
  return std::nullopt;
}

std::string access_to_string(uint32_t bits) {
  std::string out;
  for (const auto& [bit, name] : kAccessNames) {
    if (!(bits & bit)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

}  // namespace armorer
