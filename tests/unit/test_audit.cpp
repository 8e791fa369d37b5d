// AppArmor audit log ingestion: the samples in samples/audit/ are parsed and every
// observation they must produce is listed here, with the stats of every line.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "core/error.h"
#include "recorder/audit/audit_ingest.h"

using namespace armorer;

namespace {

struct Ingested {
  AuditIngestStats stats;
  std::vector<Observation> observations;  // all batches, in the order received
  std::size_t batches = 0;
};

Ingested ingest(std::istream& in, const AuditIngestOptions& options) {
  Ingested out;
  out.stats = ingest_audit_log(in, options, [&](std::vector<Observation>&& batch) {
    ++out.batches;
    for (auto& obs : batch) out.observations.push_back(std::move(obs));
  });
  return out;
}

Ingested ingest_sample(const std::string& file, const AuditIngestOptions& options) {
  std::ifstream in{std::string{ARMORER_SOURCE_DIR} + "/samples/audit/" + file,
                   std::ios::binary};
  REQUIRE(in.good());
  return ingest(in, options);
}

struct Expected {
  ObsKind kind;
  std::string subject;
  std::string object;
  uint32_t access;
  uint32_t flags;
  uint64_t count;
};

// Every observation is expected exactly once, and nothing else is produced.
void check_exactly(const std::vector<Observation>& got, const std::vector<Expected>& want) {
  CHECK(got.size() == want.size());
  for (const auto& w : want) {
    auto it = std::find_if(got.begin(), got.end(), [&](const Observation& o) {
      return o.kind == w.kind && o.subject == w.subject && o.object == w.object &&
             o.access == w.access && o.flags == w.flags;
    });
    INFO("expected ", to_string(w.kind), " ", w.subject, " -> [", w.object, "] ",
         access_to_string(w.access), " flags=", w.flags);
    REQUIRE(it != got.end());
    CHECK(it->count == w.count);
  }
}

const Observation& find(const std::vector<Observation>& got, std::string_view object,
                        uint32_t access) {
  auto it = std::find_if(got.begin(), got.end(), [&](const Observation& o) {
    return o.object == object && o.access == access;
  });
  REQUIRE(it != got.end());
  return *it;
}

std::string record(std::string_view profile, std::string_view name, int serial) {
  return "type=AVC msg=audit(1700000000.000:" + std::to_string(serial) +
         "): apparmor=\"ALLOWED\" operation=\"open\" profile=\"" + std::string{profile} +
         "\" name=\"" + std::string{name} +
         "\" pid=1 comm=\"t\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0";
}

}  // namespace

TEST_CASE("auditd complain-mode log: every record class, exact observations and stats") {
  using namespace access;
  using namespace obs_flag;
  const std::string S = "/usr/local/bin/webapp";
  const std::string C = "/usr/bin/convert";
  auto result = ingest_sample("auditd_complain.log", {"webapp", S});

  CHECK(result.stats.lines == 59);
  CHECK(result.stats.records_kept == 35);
  CHECK(result.stats.other_profiles == 4);  // STATUS by "unconfined", webapp-admin, cupsd, firefox
  CHECK(result.stats.not_modelled == 2);    // file_perm without a name, dbus USER_AVC
  CHECK(result.stats.not_apparmor == 13);   // SYSCALL, PATH, CWD, PROCTITLE, EXECVE, EOE...
  CHECK(result.stats.malformed == 5);
  CHECK(result.batches == 1);

  check_exactly(result.observations, {
      {ObsKind::file, S, "/etc/webapp/config.yaml", read, 0, 2},
      {ObsKind::file, S, "/var/lib/webapp/cache/sess_1", write | create, owner, 1},
      {ObsKind::file, S, "/usr/share/webapp/templates/", read, directory, 1},
      {ObsKind::file, S, "/usr/share/webapp/templates/index.html", read, 0, 1},
      {ObsKind::file, S, "/var/lib/webapp/uploads/my report.pdf", create, owner, 1},
      {ObsKind::file, S, "/var/lib/webapp/uploads/my report.pdf", access::remove, owner, 1},
      {ObsKind::file, S, "/var/lib/webapp/cache/sess_1", read | write | access::remove | rename_src,
       owner, 1},
      {ObsKind::file, S, "/var/lib/webapp/cache/sess_1.old", write | create | rename_dst, owner,
       1},
      {ObsKind::file, S, "/var/lib/webapp/current", link, owner, 1},
      {ObsKind::file, S, "/var/lib/webapp/uploads/", write | setattr, owner | directory, 1},
      {ObsKind::file, S, "/var/lib/webapp/uploads/avatar.png", write | setattr, 0, 1},
      {ObsKind::file, S, "/var/log/webapp/access.log", write | setattr, owner, 1},
      {ObsKind::file, S, "/run/webapp/webapp.pid", lock, owner, 1},
      {ObsKind::file, S, "/usr/lib/x86_64-linux-gnu/libssl.so.3", read | mmap_exec, 0, 1},
      {ObsKind::file, S, "/var/lib/webapp/cache/tmp/", create, owner | directory, 1},
      {ObsKind::file, S, "/var/lib/webapp/cache/tmp/", access::remove, owner | directory, 1},
      {ObsKind::file, S, "/tmp/a b ", read | write, owner, 1},
      {ObsKind::exec, S, "/usr/bin/convert", exec, 0, 1},
      {ObsKind::file, C, "/usr/lib/x86_64-linux-gnu/libMagickCore-6.Q16.so.6.0.0",
       read | mmap_exec, 0, 1},
      {ObsKind::file, C, "/etc/ImageMagick-6/policy.xml", read, 0, 1},
      {ObsKind::capability, S, "net_bind_service", 0, 0, 1},
      {ObsKind::capability, S, "setgid", 0, 0, 1},
      {ObsKind::network, S, "inet6 stream 6", 0, 0, 1},
      {ObsKind::network, S, "inet dgram 17", 0, 0, 1},
      {ObsKind::unix_socket, S, "stream @/tmp/.X11-unix/X0", 0, 0, 1},
      {ObsKind::unix_socket, S, "dgram @webapp\\x20metrics", 0, 0, 1},
      {ObsKind::signal, S, "term webapp//null-/usr/bin/convert", 0, 0, 1},
      {ObsKind::signal, S, "hup unconfined", 0, 0, 1},
      {ObsKind::ptrace, S, "unconfined", 0, 0, 1},
      {ObsKind::mount, S, "tmpfs tmpfs /var/lib/webapp/tmp/", 0, 0, 1},
      {ObsKind::mount, S, "- - /var/lib/webapp/tmp/", 0, 0, 1},
      {ObsKind::file, S, "/etc/shadow", read, denied, 1},
      {ObsKind::file, S, "/etc/webapp/secrets.env", read, 0, 1},  // apparmor="AUDIT"
      {ObsKind::file, S, "/proc/sys/kernel/ngroups_max", read, 0, 1},  // docker-default//&webapp
  });

  // Aggregated records keep the earliest and latest time, whatever the log order.
  const auto& config = find(result.observations, "/etc/webapp/config.yaml", read);
  CHECK(config.first_seen_ms == 1700000001200);
  CHECK(config.last_seen_ms == 1700000009950);
  const auto& libssl = find(result.observations, "/usr/lib/x86_64-linux-gnu/libssl.so.3",
                            read | mmap_exec);
  CHECK(libssl.first_seen_ms == 1700000000900);
  CHECK(libssl.last_seen_ms == 1700000000900);

  // The batch comes sorted by (kind, subject, object, access, flags): stable output.
  CHECK(std::is_sorted(result.observations.begin(), result.observations.end(),
                       [](const Observation& a, const Observation& b) { return a.key() < b.key(); }));
}

TEST_CASE("kernel log lines from syslog, journal and dmesg with enforce-mode denials") {
  using namespace access;
  using namespace obs_flag;
  const std::string B = "/usr/bin/backup-agent";  // path-named profile: its own executable
  const std::string T = "/opt/backup tools/compress";
  auto result = ingest_sample("kernel_syslog.log", {B, ""});

  CHECK(result.stats.lines == 36);
  CHECK(result.stats.records_kept == 22);
  CHECK(result.stats.other_profiles == 3);  // STATUS, backup-agent-helper, cups-browsed
  CHECK(result.stats.not_modelled == 0);
  CHECK(result.stats.not_apparmor == 8);  // boot marker, daemons, EXT4, SYSCALL, PROCTITLE, blank
  CHECK(result.stats.malformed == 3);     // logger-forged record, stray bare word, prose

  check_exactly(result.observations, {
      {ObsKind::file, B, "/root/.ssh/id_ed25519", read, denied | owner, 1},
      {ObsKind::file, B, "/var/backups/", read, owner | directory, 1},
      {ObsKind::file, B, "/var/backups/dpkg.status.0", read, owner, 2},
      {ObsKind::file, B, "/run/backup-agent.lock", write | lock, owner, 1},
      {ObsKind::file, B, "/run/backup-agent.lock", write | create, owner, 1},
      {ObsKind::file, B, "/var/log/backup-agent.log", write | setattr, 0, 1},
      {ObsKind::capability, B, "dac_read_search", 0, denied, 1},
      {ObsKind::capability, B, "sys_admin", 0, 0, 1},
      {ObsKind::network, B, "inet raw 1", 0, 0, 1},
      {ObsKind::network, B, "inet6 dgram 17", 0, denied, 1},
      {ObsKind::unix_socket, B, "dgram /run/systemd/notify", 0, 0, 1},
      {ObsKind::exec, B, "/usr/bin/gpg", exec, denied | owner, 1},
      {ObsKind::exec, B, T, exec, owner, 1},
      {ObsKind::file, T, "/var/backups/", read, owner | directory, 2},
      {ObsKind::mount, B, "pivot_root /tmp/newroot/old/ /tmp/newroot/", 0, denied, 1},
      {ObsKind::mount, B, "- /var/backups/ /mnt/snapshot/", 0, 0, 1},
      {ObsKind::mount, B, "vfat /media/usb\\x20disk /mnt/usb/", 0, 0, 1},
      {ObsKind::ptrace, B, "unconfined", 0, denied, 1},
      {ObsKind::signal, B, "kill unconfined", 0, denied, 1},
      {ObsKind::file, B, "dev/pts/0", read | write, denied | owner | disconnected, 1},
  });
  const auto& dpkg = find(result.observations, "/var/backups/dpkg.status.0", read);
  CHECK(dpkg.first_seen_ms == 1700000000331);
  CHECK(dpkg.last_seen_ms == 1700000000442);
}

TEST_CASE("the same log always gives the same observations") {
  auto a = ingest_sample("auditd_complain.log", {"webapp", "/usr/local/bin/webapp"});
  auto b = ingest_sample("auditd_complain.log", {"webapp", "/usr/local/bin/webapp"});
  REQUIRE(a.observations.size() == b.observations.size());
  for (std::size_t i = 0; i < a.observations.size(); ++i) {
    CHECK(same_fact(a.observations[i], b.observations[i]));
    CHECK(a.observations[i].count == b.observations[i].count);
  }
}

TEST_CASE("batches: the sink gets at most batch_records records per call, counts add up") {
  auto result = ingest_sample("auditd_complain.log", {"webapp", "/usr/local/bin/webapp", 4});
  CHECK(result.batches == 9);  // 35 records kept, 4 per batch
  uint64_t total = 0;
  for (const auto& obs : result.observations) total += obs.count;
  CHECK(total == 35);
}

TEST_CASE("profile selection: children, hats, null- learning profiles and stacks") {
  CHECK(matching_label("webapp", "webapp") == "webapp");
  CHECK(matching_label("webapp//null-/usr/bin/id", "webapp") == "webapp//null-/usr/bin/id");
  CHECK(matching_label("webapp//HAT", "webapp") == "webapp//HAT");
  CHECK(matching_label("docker-default//&webapp", "webapp") == "webapp");
  CHECK(matching_label("webapp//child//&other", "webapp") == "webapp//child");
  CHECK_FALSE(matching_label("webapp-admin", "webapp"));
  CHECK_FALSE(matching_label("webappx//child", "webapp"));
  CHECK_FALSE(matching_label("other//webapp", "webapp"));
  CHECK_FALSE(matching_label("unconfined", "webapp"));
  CHECK_FALSE(matching_label("webapp", ""));
}

TEST_CASE("subjects: null- children name the program, then the caller's, then the profile") {
  CHECK(audit_subject("webapp//null-/usr/bin/id", "/srv/app") == "/usr/bin/id");
  CHECK(audit_subject("a//null-/bin/sh//null-/usr/bin/id", "") == "/usr/bin/id");
  CHECK(audit_subject("a//null-/bin/sh//hat", "") == "/bin/sh");
  CHECK(audit_subject("webapp//hat", "/srv/app") == "/srv/app");
  CHECK(audit_subject("/usr/sbin/nginx//hat", "") == "/usr/sbin/nginx");
  CHECK(audit_subject("webapp", "") == "webapp");
  CHECK(audit_subject("a///b", "") == "a");
}

TEST_CASE("mask letters and object fields") {
  using namespace access;
  CHECK(access_from_mask("rwaxcdlkm") ==
        (read | write | append | exec | create | access::remove | link | lock | mmap_exec));
  CHECK(access_from_mask("::r") == read);
  CHECK(access_from_mask("") == 0);
  CHECK(encode_object_field("") == "-");
  CHECK(encode_object_field("-") == "\\x2d");
  CHECK(encode_object_field("a b\\c\n") == "a\\x20b\\x5cc\\x0a");
  for (const std::string& field : std::vector<std::string>{"", "-", "/media/usb disk", "x\\y", std::string{"\0@a", 3}})
    CHECK(decode_object_field(encode_object_field(field)) == field);
}

TEST_CASE("a forged syslog record cannot inject a field or a record") {
  // A mount point with a space must not look like an extra field of the object.
  auto parsed = parse_audit_line(
      "type=AVC msg=audit(1700000000.000:1): apparmor=\"ALLOWED\" operation=\"mount\" "
      "profile=\"p\" name=2F6D6E742F78202F6574632F pid=1 comm=\"m\" fstype=\"tmpfs\" "
      "srcname=\"tmpfs\" flags=\"rw\"");
  REQUIRE(parsed.kind == LineKind::apparmor);
  auto obs = observation_from_record(parsed.record, "/bin/m");
  REQUIRE(obs);
  CHECK(obs->object == "tmpfs tmpfs /mnt/x\\x20/etc/");

  // Anyone can log "audit(...): apparmor=..." with logger(1) under another tag.
  CHECK(parse_audit_line("Nov 14 22:13:25 h user: " + record("p", "/etc/shadow", 2)
                                                           .substr(std::string{"type=AVC msg="}.size()))
            .kind == LineKind::malformed);
  // The kernel quotes a name with a single quote instead of hex-encoding it.
  auto quote = parse_audit_line(record("p", "/tmp/msg='x", 4));
  REQUIRE(quote.kind == LineKind::apparmor);
  CHECK(quote.record.name == "/tmp/msg='x");

  // Nor a backslash, which libapparmor would read as an escape ("/tmp/a\\b" → "/tmp/ab").
  for (std::string name : {"/tmp/a\\b", "/tmp/a\\", "/tmp/\\\\x41"}) {
    auto parsed_name = parse_audit_line(record("p", name, 5));
    REQUIRE(parsed_name.kind == LineKind::apparmor);
    CHECK(parsed_name.record.name == name);
  }
  CHECK(parse_audit_line(record("p", "/" + std::string(8500, '\\'), 6)).kind ==
        LineKind::malformed);  // its hex form would overflow libapparmor's buffer

  // A process with CAP_AUDIT_WRITE can send USER_AVC: only the kernel's records teach.
  auto user = parse_audit_line(
      "type=USER_AVC msg=audit(1700000000.000:3): pid=1 uid=0 msg='apparmor=\"ALLOWED\" "
      "operation=\"open\" profile=\"p\" name=\"/etc/shadow\" requested_mask=\"r\" "
      "fsuid=0 ouid=0'");
  REQUIRE(user.kind == LineKind::apparmor);
  CHECK(user.record.origin == RecordOrigin::userspace);
  CHECK_FALSE(observation_from_record(user.record, "/bin/x"));
}

TEST_CASE("long lines never reach libapparmor's fixed buffers") {
  // libapparmor 3.0 corrupts its heap on a quoted value of 16 KiB: such a record must be
  // refused, one below the cap parsed, and a megabyte of junk skipped.
  auto huge_name = "/" + std::string(17000, 'a');
  CHECK(parse_audit_line(record("p", huge_name, 1)).kind == LineKind::malformed);
  auto path_max_name = "/" + std::string(4095, 'b');
  auto parsed = parse_audit_line(record("p", path_max_name, 2));
  REQUIRE(parsed.kind == LineKind::apparmor);
  CHECK(parsed.record.name == path_max_name);

  std::stringstream log;
  log << record("p", "/ok", 3) << '\n'
      << std::string(1 << 20, 'x') << '\n'
      << record("p", huge_name, 4) << '\n'
      << "type=AVC msg=audit(1700000000.000:5): " << std::string(20000, '"') << '\n'
      << record("p", path_max_name, 6);  // last line without a newline
  auto result = ingest(log, {"p", "/bin/t"});
  CHECK(result.stats.lines == 5);
  CHECK(result.stats.malformed == 3);
  CHECK(result.stats.records_kept == 2);
  CHECK(result.observations.size() == 2);
}

TEST_CASE("no profile name is a usage error") {
  std::stringstream log{record("p", "/x", 1)};
  CHECK_THROWS_AS(ingest_audit_log(log, {}, [](std::vector<Observation>&&) {}), Fatal);
}

namespace {

// Produces a 200,000-line log one line at a time, so the test itself never holds the log.
class GeneratedLog : public std::streambuf {
 public:
  explicit GeneratedLog(int lines) : lines_(lines) {}

 protected:
  int_type underflow() override {
    if (next_ == lines_) return traits_type::eof();
    line_ = make_line(next_++);
    setg(line_.data(), line_.data(), line_.data() + line_.size());
    return traits_type::to_int_type(line_.front());
  }

 private:
  static std::string make_line(int i) {
    auto serial = std::to_string(i);
    switch (i % 4) {
      case 0:
        return "Nov 14 22:13:20 h kernel: audit: type=1400 audit(1700000000.500:" + serial +
               "): apparmor=\"ALLOWED\" operation=\"open\" class=\"file\" profile=\"gen\" "
               "name=\"/data/file_" + std::to_string(i / 4 % 500) +
               "\" pid=7 comm=\"gen\" requested_mask=\"r\" denied_mask=\"r\" fsuid=1 ouid=1\n";
      case 1:
        return "type=SYSCALL msg=audit(1700000000.000:" + serial +
               "): arch=c000003e syscall=257 success=yes exit=3 comm=\"gen\" exe=\"/bin/gen\"\n";
      case 2:
        return "type=AVC msg=audit(1700000000.000:" + serial +
               "): apparmor=\"ALLOWED\" operation=\"open\" profile=\"other\" name=\"/x\" "
               "pid=8 comm=\"o\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0\n";
      default:
        return "type=AVC msg=audit(1700000000.000:" + serial +
               "): apparmor=\"ALLOWED\" operation=\"capable\" profile=\"gen//null-/bin/helper\" "
               "pid=9 comm=\"helper\" capability=12  capname=\"net_admin\"\n";
    }
  }

  int lines_;
  int next_ = 0;
  std::string line_;
};

}  // namespace

TEST_CASE("a 200k-line log streams through in bounded batches") {
  GeneratedLog source{200000};
  std::istream in{&source};
  std::size_t batches = 0, largest_batch = 0;
  uint64_t file_records = 0, capability_records = 0;
  std::vector<bool> seen_file(500, false);
  auto stats = ingest_audit_log(in, {"gen", "/bin/gen"}, [&](std::vector<Observation>&& batch) {
    ++batches;
    largest_batch = std::max(largest_batch, batch.size());
    for (const auto& obs : batch) {
      if (obs.kind == ObsKind::capability) {
        CHECK(obs.subject == "/bin/helper");
        CHECK(obs.object == "net_admin");
        capability_records += obs.count;
      } else {
        REQUIRE(obs.kind == ObsKind::file);
        CHECK(obs.flags == obs_flag::owner);
        seen_file[std::stoi(obs.object.substr(std::string{"/data/file_"}.size()))] = true;
        file_records += obs.count;
      }
    }
  });
  CHECK(stats.lines == 200000);
  CHECK(stats.records_kept == 100000);
  CHECK(stats.other_profiles == 50000);
  CHECK(stats.not_apparmor == 50000);
  CHECK(stats.malformed == 0);
  CHECK(file_records == 50000);
  CHECK(capability_records == 50000);
  CHECK(batches == 100);  // one per 1000 kept records
  CHECK(largest_batch <= 501);  // aggregated: at most 500 files + 1 capability per batch
  CHECK(std::all_of(seen_file.begin(), seen_file.end(), [](bool b) { return b; }));
}
