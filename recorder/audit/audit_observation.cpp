#include "recorder/audit/audit_observation.h"

#include <array>
#include <initializer_list>
#include <utility>

namespace armorer {

namespace {

constexpr std::string_view kStackSeparator = "//&";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool in(std::string_view word, std::initializer_list<std::string_view> set) {
  for (auto item : set)
    if (word == item) return true;
  return false;
}

// Operations the kernel reports against a path (security/apparmor/include/audit.h OP_*).
bool file_operation(std::string_view op) {
  return in(op, {"open", "getattr", "setattr", "mknod", "unlink", "mkdir", "rmdir",
                 "rename_src", "rename_dest", "link", "symlink", "chmod", "chown", "truncate",
                 "file_lock", "file_mmap", "file_mprotect", "file_perm", "file_receive",
                 "file_inherit", "sysctl", "connect"});
}

bool mount_operation(std::string_view op) {
  return in(op, {"mount", "umount", "remount", "pivotroot"});
}

uint32_t access_from_operation(std::string_view op) {
  if (op == "rename_src") return access::rename_src;
  if (op == "rename_dest") return access::rename_dst;
  if (in(op, {"chmod", "chown", "truncate", "setattr"})) return access::setattr;
  return 0;
}

uint32_t flags_from_info(std::string_view info) {
  uint32_t flags = 0;
  if (info.find("deleted entry") != std::string_view::npos) flags |= obs_flag::deleted;
  if (info.find("disconnected path") != std::string_view::npos) flags |= obs_flag::disconnected;
  if (info.find("name too long") != std::string_view::npos) flags |= obs_flag::truncated;
  return flags;
}

std::string lower(std::string_view text) {
  std::string out{text};
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string join(std::initializer_list<std::string_view> fields) {
  std::string out;
  for (auto field : fields) {
    if (!out.empty()) out += ' ';
    out += encode_object_field(field);
  }
  return out;
}

std::string unix_address(const AuditRecord& record) {
  if (!record.addr.empty() && record.addr != "none") return record.addr;
  if (!record.peer_addr.empty() && record.peer_addr != "none") return record.peer_addr;
  return "none";
}

// Kind and object for every record class except plain files; nullopt if not one of them.
std::optional<std::pair<ObsKind, std::string>> non_file_object(const AuditRecord& r) {
  const auto& op = r.operation;
  if (op == "capable") {
    if (r.name.empty()) return std::nullopt;
    return std::pair{ObsKind::capability, lower(r.name)};
  }
  if (op == "signal") return std::pair{ObsKind::signal, join({r.signal, r.peer})};
  if (op == "ptrace") return std::pair{ObsKind::ptrace, join({r.peer})};
  if (mount_operation(op)) {
    if (r.name.empty()) return std::nullopt;
    if (op == "umount") return std::pair{ObsKind::mount, join({"", "", r.name})};
    // Without a marker these would read like a mount without a type (a bind mount: "-
    // /src/ /dst/") or like an umount ("- - /mnt/"); no file system type has these names.
    if (op == "pivotroot") return std::pair{ObsKind::mount, join({"pivot_root", r.src_name, r.name})};
    if (op == "remount") return std::pair{ObsKind::mount, join({"remount", "", r.name})};
    return std::pair{ObsKind::mount, join({r.fs_type, r.src_name, r.name})};
  }
  if (r.family == "unix")
    return std::pair{ObsKind::unix_socket, join({r.sock_type, unix_address(r)})};
  if (!r.family.empty())
    return std::pair{ObsKind::network, join({r.family, r.sock_type, r.protocol})};
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> matching_label(std::string_view label, std::string_view profile) {
  if (profile.empty()) return std::nullopt;
  while (true) {
    auto end = label.find(kStackSeparator);
    auto component = label.substr(0, end);
    if (component == profile ||
        (starts_with(component, profile) && component.substr(profile.size(), 2) == "//"))
      return component;
    if (end == std::string_view::npos) return std::nullopt;
    label.remove_prefix(end + kStackSeparator.size());
  }
}

std::string audit_subject(std::string_view label, std::string_view executable) {
  auto base = label.substr(0, label.find("//"));
  for (auto end = label.size(); end > base.size();) {
    auto start = label.rfind("//", end - 1);
    if (start + 2 <= end) {
      auto piece = label.substr(start + 2, end - start - 2);
      if (starts_with(piece, "null-/")) return std::string{piece.substr(5)};
    }
    end = start;
  }
  if (!executable.empty()) return std::string{executable};
  return std::string{base};
}

uint32_t access_from_mask(std::string_view mask) {
  static constexpr std::array<std::pair<char, uint32_t>, 9> kLetters{{
      {'r', access::read}, {'w', access::write}, {'a', access::append},
      {'c', access::create}, {'d', access::remove}, {'l', access::link},
      {'k', access::lock}, {'m', access::mmap_exec}, {'x', access::exec},
  }};
  uint32_t bits = 0;
  for (char c : mask)
    for (const auto& [letter, bit] : kLetters)
      if (c == letter) bits |= bit;
  return bits;
}

std::optional<Observation> observation_from_record(const AuditRecord& record,
                                                   std::string_view subject) {
  if (record.origin != RecordOrigin::kernel || record.event == AuditEvent::other)
    return std::nullopt;
  Observation obs;
  obs.subject = std::string{subject};
  obs.first_seen_ms = obs.last_seen_ms = record.time_ms;
  obs.count = 1;
  if (record.event == AuditEvent::denied) obs.flags |= obs_flag::denied;

  if (auto other = non_file_object(record)) {
    obs.kind = other->first;
    obs.object = std::move(other->second);
    return obs;
  }
  const bool exec = record.operation == "exec";
  if ((!exec && !file_operation(record.operation)) || record.name.empty()) return std::nullopt;

  const auto& mask = record.requested_mask.empty() ? record.denied_mask : record.requested_mask;
  obs.kind = exec ? ObsKind::exec : ObsKind::file;
  obs.object = record.name;
  obs.access = access_from_mask(mask) | access_from_operation(record.operation);
  if (exec) obs.access |= access::exec;
  if (obs.access == 0) return std::nullopt;
  if (record.fsuid && record.ouid && *record.fsuid == *record.ouid) obs.flags |= obs_flag::owner;
  if (!exec && record.name.back() == '/') obs.flags |= obs_flag::directory;
  obs.flags |= flags_from_info(record.info);
  return obs;
}

}  // namespace armorer
