// Text-level handling of one audit log line, before libapparmor sees it: find the audit
// record inside whatever wrapper the log added (auditd, kernel syslog, journal, dmesg), split
// its key=value list, and decide whether the wrapper is one only the kernel or auditd writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace armorer {

// Longer lines are never AppArmor records (the kernel caps a record near 9 KiB) and
// libapparmor 3.0's scanner corrupts its heap on a value of 16 KiB or more, so such lines are
// refused before they are parsed.
inline constexpr std::size_t kMaxAuditLineBytes = 16000;

enum class RecordOrigin {
  kernel,     // auditd type=AVC/APPARMOR_*, or a kernel log line "kernel: ... audit: type=1400"
  userspace,  // auditd type=USER_AVC (dbus-daemon): written by a process, not the kernel
  unknown,    // an audit(...) id behind a wrapper no kernel log uses (e.g. `logger` output)
};

struct AuditToken {
  std::string_view key;
  std::string_view raw;  // value as written: "quoted", bare, or hex
};

struct AuditLine {
  RecordOrigin origin = RecordOrigin::unknown;
  int64_t time_ms = 0;  // from audit(SECONDS.MILLIS:SERIAL)
  uint64_t serial = 0;
  std::string_view id;       // "1700000000.123:45"
  std::string_view payload;  // the key=value list after "): "
};

// Finds the audit id and payload; nullopt if the line carries no audit(...) id.
std::optional<AuditLine> locate_audit_record(std::string_view line);

// True if the payload holds an apparmor=... key, i.e. it is an AppArmor record at all.
bool mentions_apparmor(std::string_view payload);

// Splits a payload into key=value tokens. Kernel values never contain a double quote and
// contain spaces only inside quotes (anything else is hex-encoded), so this is exact for
// records the kernel wrote. nullopt for anything else (bare words, unbalanced quotes).
// A user-space record (USER_AVC) carries its AppArmor keys inside msg='...': only those are
// returned. Kernel records are never unwrapped that way: the kernel does not hex-encode a
// single quote, so a file named "msg='x" must stay an ordinary value.
std::optional<std::vector<AuditToken>> split_audit_tokens(std::string_view payload,
                                                          RecordOrigin origin);

// A value as the kernel meant it: quotes removed, hex decoded (kernel hex is upper-case pairs).
// `may_be_hex` says whether the key can carry a hex-encoded string at all; numbers cannot.
std::string audit_value(std::string_view raw, bool may_be_hex);

// Lines without an audit id that are still recognisably log text (syslog, journal, dmesg,
// journal markers, blank) rather than garbage.
bool looks_like_log_line(std::string_view line);

}  // namespace armorer
