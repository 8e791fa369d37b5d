// One AppArmor audit record as plain values, parsed by libapparmor's parse_record() (the parser
// aa-logprof uses) after audit_line.h has taken it out of its log wrapper.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "recorder/audit/audit_line.h"

namespace armorer {

enum class AuditEvent {
  allowed,  // apparmor="ALLOWED": complain mode, the access happened
  denied,   // apparmor="DENIED": enforce mode, the access was refused
  audited,  // apparmor="AUDIT": allowed by an `audit` rule
  other,    // STATUS, HINT, ERROR: policy events, not accesses
};

struct AuditRecord {
  AuditEvent event = AuditEvent::other;
  RecordOrigin origin = RecordOrigin::unknown;
  int64_t time_ms = 0;
  std::string operation;
  std::string profile;         // profile= or label= (stacks look like "a//&b")
  std::string name;            // path, capability name (from capname=), mount point
  std::string target;          // target= / name2=: link target, exec transition
  std::string requested_mask;  // file letters ("rw") or words ("send receive")
  std::string denied_mask;
  std::string info;
  std::string family, sock_type, protocol;  // protocol: the kernel's number, as written
  std::string signal, peer;
  std::string fs_type, src_name, mount_flags;
  std::string addr, peer_addr;  // unix sockets; "none" when unbound
  std::optional<uint64_t> fsuid, ouid;
};

enum class LineKind {
  apparmor,   // `record` is filled
  other_log,  // a log line, but not an AppArmor record (SYSCALL, PROCTITLE, daemon messages)
  malformed,  // neither: garbage, a truncated or forged record, a record libapparmor rejects
};

struct ParsedAuditLine {
  LineKind kind = LineKind::malformed;
  AuditRecord record;
};

// Thread-safe (libapparmor's parser keeps its result in a global; calls are serialised).
ParsedAuditLine parse_audit_line(std::string_view line);

}  // namespace armorer
