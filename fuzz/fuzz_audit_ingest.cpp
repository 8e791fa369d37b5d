// Fuzz target: an audit log is untrusted text (any local user can write syslog lines), so
// the ingest must take any byte stream without crashing and keep its counters consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "recorder/audit/audit_ingest.h"

namespace {

void ingest_as(const std::string& log, const char* aa_profile) {
  std::istringstream in(log);
  armorer::AuditIngestOptions options;
  options.aa_profile = aa_profile;
  options.executable = "/usr/bin/fuzzed";
  options.batch_records = 3;  // small batches also exercise the mid-stream flush
  uint64_t delivered = 0;
  const auto stats = armorer::ingest_audit_log(in, options, [&](auto&& batch) {
    for (const auto& obs : batch) delivered += obs.count;
  });
  // The header's contract: every line lands in exactly one counter.
  const uint64_t sum = stats.records_kept + stats.other_profiles + stats.not_modelled +
                       stats.not_apparmor + stats.malformed;
  if (sum != stats.lines) std::abort();
  if (delivered > stats.records_kept) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string log(reinterpret_cast<const char*>(data), size);
  // The profiles of the two sample logs, so that seeds reach the record-keeping paths.
  ingest_as(log, "webapp");
  ingest_as(log, "/usr/bin/backup-agent");
  return 0;
}
