#include "recorder/audit/audit_ingest.h"

#include <algorithm>
#include <map>
#include <streambuf>
#include <tuple>

#include "core/error.h"

namespace armorer {

namespace {

// Reads one line into `line`, keeping at most `limit` bytes of it; `too_long` reports that
// the rest was skipped. Returns false at end of input.
bool read_bounded_line(std::streambuf& buf, std::string& line, std::size_t limit,
                       bool& too_long) {
  line.clear();
  too_long = false;
  using traits = std::streambuf::traits_type;
  auto c = buf.sbumpc();
  if (traits::eq_int_type(c, traits::eof())) return false;
  for (; !traits::eq_int_type(c, traits::eof()); c = buf.sbumpc()) {
    char ch = traits::to_char_type(c);
    if (ch == '\n') break;
    if (line.size() < limit) line += ch;
    else too_long = true;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

using FactKey = std::tuple<ObsKind, std::string, std::string, uint32_t, uint32_t>;

class Batch {
 public:
  void add(Observation&& obs) {
    FactKey key{obs.kind, obs.subject, obs.object, obs.access, obs.flags};
    auto [it, inserted] = facts_.try_emplace(std::move(key), std::move(obs));
    if (!inserted) {
      it->second.count += obs.count;
      it->second.first_seen_ms = std::min(it->second.first_seen_ms, obs.first_seen_ms);
      it->second.last_seen_ms = std::max(it->second.last_seen_ms, obs.last_seen_ms);
    }
    ++records_;
  }
  std::size_t records() const { return records_; }
  void flush(const ObservationSink& sink) {
    if (records_ == 0) return;
    std::vector<Observation> out;
    out.reserve(facts_.size());
    for (auto& [key, obs] : facts_) out.push_back(std::move(obs));
    facts_.clear();
    records_ = 0;
    sink(std::move(out));
  }

 private:
  std::map<FactKey, Observation> facts_;  // ordered: the sink sees a stable order
  std::size_t records_ = 0;
};

}  // namespace

AuditIngestStats ingest_audit_log(std::istream& in, const AuditIngestOptions& options,
                                  const ObservationSink& sink) {
  if (options.aa_profile.empty())
    throw Fatal("audit ingest: no AppArmor profile name given to select records", kExitUsage);
  const std::size_t batch_limit = std::max<std::size_t>(options.batch_records, 1);
  AuditIngestStats stats;
  Batch batch;
  std::string line;
  bool too_long = false;
  std::streambuf* buf = in.rdbuf();
  if (!buf) return stats;
  // One byte over the limit is enough for parse_audit_line to refuse the line.
  while (read_bounded_line(*buf, line, kMaxAuditLineBytes + 1, too_long)) {
    ++stats.lines;
    auto parsed = parse_audit_line(line);
    if (too_long || parsed.kind == LineKind::malformed) {
      ++stats.malformed;
      continue;
    }
    if (parsed.kind == LineKind::other_log) {
      ++stats.not_apparmor;
      continue;
    }
    auto label = matching_label(parsed.record.profile, options.aa_profile);
    if (!label) {
      ++stats.other_profiles;
      continue;
    }
    auto obs = observation_from_record(parsed.record, audit_subject(*label, options.executable));
    if (!obs) {
      ++stats.not_modelled;
      continue;
    }
    ++stats.records_kept;
    batch.add(std::move(*obs));
    if (batch.records() >= batch_limit) batch.flush(sink);
  }
  batch.flush(sink);
  return stats;
}

}  // namespace armorer
