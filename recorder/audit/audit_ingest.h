// Learning from an AppArmor audit log instead of eBPF: a program runs under a profile in
// complain mode, the kernel logs what the profile did not allow (apparmor="ALLOWED"), and this
// turns those records into Observations. Accepts auditd's audit.log (type=AVC, also with
// log_format=ENRICHED), kernel lines from syslog/journalctl/dmesg ("kernel: audit: type=1400
// audit(...): ..."), kernels that add class= and libapparmor 3.0, which does not know it.
//
// Which records are kept: ALLOWED, DENIED (flagged obs_flag::denied) and AUDIT records whose
// label is the profile, one of its children or hats ("NAME//child", "NAME//null-/usr/bin/id":
// complain mode logs an unconfined exec's accesses under such a learning child), or a stack
// containing either ("NAME//&other"). A namespaced profile must be named with its namespace
// (":ns:NAME"). Kinds, objects, access bits and flags: see audit_observation.h; the subject
// of each observation: audit_subject() there.
//
// Trust: records count only in the shapes that the kernel or auditd write. A syslog line
// whose tag is not "kernel" is refused (as malformed), but classic syslog lets any local user
// write with tag "kernel" (logger -t kernel), so learn from auditd's log or `journalctl -k`
// where that matters. USER_AVC records (dbus-daemon) are never turned into observations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "core/observation.h"
#include "recorder/audit/audit_observation.h"
#include "recorder/audit/audit_record.h"

namespace armorer {

struct AuditIngestOptions {
  std::string aa_profile;    // required: the AppArmor profile whose records are learned
  std::string executable;    // subject when the log names none better (see audit_subject)
  std::size_t batch_records = 1000;  // kept records per sink call
};

// Every line lands in exactly one counter besides `lines`:
// lines == records_kept + other_profiles + not_modelled + not_apparmor + malformed.
struct AuditIngestStats {
  uint64_t lines = 0;
  uint64_t records_kept = 0;    // turned into observations
  uint64_t other_profiles = 0;  // AppArmor records of other profiles (and STATUS for them)
  uint64_t not_modelled = 0;    // the profile's records without an observation: dbus,
                                // change_hat, STATUS/HINT, file records without a name...
  uint64_t not_apparmor = 0;    // log lines that are not AppArmor records (SYSCALL, blank...)
  uint64_t malformed = 0;       // garbage, overlong, truncated or forged records
};

using ObservationSink = std::function<void(std::vector<Observation>&&)>;

// Streams `in` line by line (memory stays bounded by one line and one batch, whatever the
// size of the log). Every `batch_records` kept records, and once at the end if any remain,
// calls `sink` with that batch aggregated: identical facts (same kind, subject, object,
// access, flags) become one observation with summed counts and widened first/last seen,
// sorted by that key. Nothing in the log is fatal; an empty aa_profile throws Fatal.
AuditIngestStats ingest_audit_log(std::istream& in, const AuditIngestOptions& options,
                                  const ObservationSink& sink);

}  // namespace armorer
