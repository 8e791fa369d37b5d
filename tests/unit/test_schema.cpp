// The SQLite store on real files in temporary directories: creation and migration,
// accumulation across runs, byte-exact hostile strings, refusal of files that are not ours
// (left untouched), and sharing one file between connections.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "core/error.h"
#include "observation_fixture.h"
#include "schema/migrations.h"
#include "schema/open_database.h"
#include "schema/store.h"

namespace fs = std::filesystem;
using namespace armorer;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "armorer-test-schema-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The message of the Fatal that `action` throws, or a marker when it throws none.
std::string fatal_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const Fatal& fatal) {
    return fatal.what();
  }
  return "<no Fatal thrown>";
}

// A plain SQLite connection, standing in for another process or another application.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("open failed");
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db_));
  }
  int64_t query_int(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    const int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    return value;
  }
  std::string query_text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    std::string value;
    if (sqlite3_step(stmt) == SQLITE_ROW)
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

Run make_run(const std::string& profile, int64_t started_ms) {
  Run run;
  run.profile = profile;
  run.source = "ebpf";
  run.target = "command: /bin/true";
  run.label = "unit";
  run.kernel = "6.18.0";
  run.started_ms = started_ms;
  return run;
}

Observation make_obs(ObsKind kind, std::string subject, std::string object, uint32_t access,
                     uint64_t count, int64_t first_ms, int64_t last_ms, uint32_t flags = 0) {
  Observation obs =
      armorer_test::obs(kind, std::move(object), access, flags, std::move(subject), count);
  obs.first_seen_ms = first_ms;
  obs.last_seen_ms = last_ms;
  return obs;
}

const Observation* find_fact(const std::vector<Observation>& all, const Observation& key) {
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const Observation& o) { return same_fact(o, key); });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("migrations are numbered 1..N without gaps") {
  const auto& all = migrations();
  REQUIRE_FALSE(all.empty());
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].version == static_cast<int>(i + 1));
    CHECK_FALSE(all[i].sql.empty());
  }
  CHECK(latest_schema_version() == all.back().version);
}

TEST_CASE("a new database is created in WAL mode, migrated, and reopens with its data") {
  TempDir dir;
  const std::string path = dir.file("armorer.db");
  int64_t run_id = 0;
  {
    Store store = Store::open(path, OpenMode::read_write_create);
    CHECK(store.schema_version() == latest_schema_version());
    run_id = store.begin_run(make_run("web", 1000));
    CHECK(run_id > 0);
  }
  {
    RawDb raw(path);
    CHECK(raw.query_int("PRAGMA user_version") == latest_schema_version());
    CHECK(raw.query_int("PRAGMA application_id") == kArmorerApplicationId);
    CHECK(raw.query_text("PRAGMA journal_mode") == "wal");
    for (const char* table : {"runs", "observations", "observation_runs"})
      CHECK(raw.query_int(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                                      " AND name = '") + table + "'") == 1);
  }
  for (OpenMode mode : {OpenMode::read_write_create, OpenMode::read_only}) {
    Store store = Store::open(path, mode);
    CHECK(store.schema_version() == latest_schema_version());
    const auto runs = store.runs("web");
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].id == run_id);
    CHECK(runs[0].status == "running");
  }
  // An empty file is what SQLite itself would create: it becomes a database.
  const std::string empty = dir.file("empty.db");
  write_bytes(empty, "");
  CHECK(Store::open(empty, OpenMode::read_write_create).schema_version() ==
        latest_schema_version());
}

TEST_CASE("runs record their lifecycle and are listed per profile in id order") {
  TempDir dir;
  Store store = Store::open(dir.file("a.db"), OpenMode::read_write_create);
  const int64_t first = store.begin_run(make_run("web", 1000));
  const int64_t other = store.begin_run(make_run("db", 1500));
  const int64_t second = store.begin_run(make_run("web", 2000));
  store.update_run_progress(first, 40, 2);

  Run done = make_run("web", 1000);
  done.id = first;
  done.ended_ms = 1900;
  done.status = "complete";
  done.events = 50;
  done.lost_events = 3;
  done.exit_status = 7;
  done.recorded_with = "exec=tp_btf file=tp_btf network=tp_btf syscall=tp_btf capability=none";
  done.missing_kinds = {"capability", "network"};
  store.finish_run(done);
  Run cut = make_run("web", 2000);
  cut.id = second;
  cut.ended_ms = 2100;
  cut.status = "interrupted";
  store.finish_run(cut);

  CHECK(store.profiles() == std::vector<std::string>{"db", "web"});
  const auto runs = store.runs("web");
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].id == first);
  CHECK(runs[0].source == "ebpf");
  CHECK(runs[0].target == "command: /bin/true");
  CHECK(runs[0].label == "unit");
  CHECK(runs[0].kernel == "6.18.0");
  CHECK(runs[0].started_ms == 1000);
  CHECK(runs[0].ended_ms == 1900);
  CHECK(runs[0].status == "complete");
  CHECK(runs[0].events == 50);
  CHECK(runs[0].lost_events == 3);
  CHECK(runs[0].exit_status == std::optional<int>(7));
  CHECK(runs[0].recorded_with == done.recorded_with);
  CHECK(runs[0].missing_kinds == std::vector<std::string>{"capability", "network"});
  CHECK(runs[1].id == second);
  CHECK(runs[1].recorded_with.empty());
  CHECK(runs[1].missing_kinds.empty());
  CHECK(runs[1].status == "interrupted");
  CHECK_FALSE(runs[1].exit_status.has_value());
  const auto db_runs = store.runs("db");
  REQUIRE(db_runs.size() == 1);
  CHECK(db_runs[0].id == other);
  CHECK(db_runs[0].ended_ms == 0);
  CHECK(store.runs("nobody").empty());

  Run bad = cut;
  bad.status = "running";
  CHECK(fatal_message([&] { store.finish_run(bad); }).find("cannot finish with status") !=
        std::string::npos);
  bad.status = "complete";
  bad.id = 999;
  CHECK(fatal_message([&] { store.finish_run(bad); }) == dir.file("a.db") + ": no run with id 999");
}

TEST_CASE("two runs accumulate: counts summed, first/last widened, provenance kept") {
  TempDir dir;
  Store store = Store::open(dir.file("a.db"), OpenMode::read_write_create);
  const int64_t run1 = store.begin_run(make_run("web", 100));
  const int64_t run2 = store.begin_run(make_run("web", 5000));
  const int64_t elsewhere = store.begin_run(make_run("db", 100));

  const auto read_etc = make_obs(ObsKind::file, "/usr/bin/app", "/etc/hosts", access::read, 2, 300, 400);
  const auto write_log = make_obs(ObsKind::file, "/usr/bin/app", "/var/log/app", access::write, 1, 350, 350);
  const auto raw_socket = make_obs(ObsKind::capability, "/usr/bin/app", "net_raw", 0, 4, 0, 0);
  // The same fact twice in one batch is summed too.
  store.add_observations(run1, std::vector<Observation>{read_etc, write_log, read_etc});
  store.add_observations(run2, std::vector<Observation>{
      make_obs(ObsKind::file, "/usr/bin/app", "/etc/hosts", access::read, 5, 200, 6000),
      raw_socket});
  // A later run with unknown times (0) must not pull first_seen down to 0.
  store.add_observations(run2, std::vector<Observation>{
      make_obs(ObsKind::file, "/usr/bin/app", "/var/log/app", access::write, 1, 0, 0)});
  store.add_observations(elsewhere, std::vector<Observation>{read_etc});

  const ObservationsWithRuns web = store.observations_with_runs("web");
  REQUIRE(web.observations.size() == 3);
  REQUIRE(web.run_ids.size() == 3);
  CHECK(store.observations("web").size() == 3);
  CHECK(store.observation_runs("web") == web.run_ids);

  const Observation* etc = find_fact(web.observations, read_etc);
  REQUIRE(etc != nullptr);
  CHECK(etc->count == 2 + 2 + 5);
  CHECK(etc->first_seen_ms == 200);
  CHECK(etc->last_seen_ms == 6000);
  const Observation* log = find_fact(web.observations, write_log);
  REQUIRE(log != nullptr);
  CHECK(log->count == 2);
  CHECK(log->first_seen_ms == 350);
  CHECK(log->last_seen_ms == 350);
  const Observation* cap = find_fact(web.observations, raw_socket);
  REQUIRE(cap != nullptr);
  CHECK(cap->count == 4);

  auto runs_of = [&](const Observation* obs) { return web.run_ids[obs - web.observations.data()]; };
  CHECK(runs_of(etc) == std::vector<int64_t>{run1, run2});
  CHECK(runs_of(log) == std::vector<int64_t>{run1, run2});
  CHECK(runs_of(cap) == std::vector<int64_t>{run2});
  // Each run's own count, the duplicate within run 1's batch summed.
  RawDb raw(dir.file("a.db"));
  auto run_count = [&](const Observation& obs, int64_t run) {
    return raw.query_int("SELECT r.count FROM observation_runs r JOIN observations o"
                         " ON o.id = r.observation_id WHERE o.profile = 'web' AND o.object = '" +
                         obs.object + "' AND r.run_id = " + std::to_string(run));
  };
  CHECK(run_count(read_etc, run1) == 4);
  CHECK(run_count(read_etc, run2) == 5);
  CHECK(run_count(write_log, run2) == 1);

  // The other profile is a separate aggregate.
  const auto db = store.observations("db");
  REQUIRE(db.size() == 1);
  CHECK(db[0].count == 2);
  CHECK(store.observation_runs("db") == std::vector<std::vector<int64_t>>{{elsewhere}});

  // A batch for a run that does not exist writes nothing.
  CHECK(fatal_message([&] { store.add_observations(4242, std::vector<Observation>{raw_socket}); }) ==
        dir.file("a.db") + ": no run with id 4242");
  CHECK(store.observations("web").size() == 3);
}

TEST_CASE("observations come back in the documented order whatever the insertion order") {
  TempDir dir;
  Store store = Store::open(dir.file("a.db"), OpenMode::read_write_create);
  const int64_t run = store.begin_run(make_run("p", 1));
  std::vector<Observation> batch{
      make_obs(ObsKind::file, "/b", "/z", access::read, 1, 1, 1),
      make_obs(ObsKind::syscall, "/a", "openat", 0, 1, 1, 1),
      make_obs(ObsKind::file, "/a", "/z", access::write, 1, 1, 1),
      make_obs(ObsKind::file, "/a", "/z", access::read, 1, 1, 1),
      make_obs(ObsKind::file, "/a", "/z", access::read, 1, 1, 1, obs_flag::deleted),
      make_obs(ObsKind::capability, "/a", "chown", 0, 1, 1, 1),
      make_obs(ObsKind::file, "/a", "/\xff", access::read, 1, 1, 1),
      make_obs(ObsKind::file, "/a", "/Z", access::read, 1, 1, 1),
      make_obs(ObsKind::exec, "/a", "/bin/sh", access::exec, 1, 1, 1),
  };
  store.add_observations(run, batch);

  // Expected: kind by name, then bytes compared unsigned, then access, then flags.
  auto expected = batch;
  std::sort(expected.begin(), expected.end(), [](const Observation& a, const Observation& b) {
    return std::make_tuple(std::string(to_string(a.kind)), a.subject, a.object, a.access, a.flags) <
           std::make_tuple(std::string(to_string(b.kind)), b.subject, b.object, b.access, b.flags);
  });
  const auto got = store.observations("p");
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) CHECK(same_fact(got[i], expected[i]));
  CHECK(to_string(got.front().kind) == "capability");
  CHECK(got.back().object == "openat");
}

TEST_CASE("hostile strings round-trip byte-exact and never act as SQL") {
  TempDir dir;
  const std::string path = dir.file("a.db");
  const std::vector<std::string> hostile{
      "/tmp/new\nline",
      "/tmp/quote'\"",
      "/tmp/comma,x",
      std::string("/tmp/\xff\xfe\x80 not utf-8"),
      "/tmp/x'); DROP TABLE observations; --",
      "/tmp/rule} /** rwx,\n  deny /etc/shadow r,",
      "",
  };
  const std::string subject = "/opt/\xff\n'weird";
  {
    Store store = Store::open(path, OpenMode::read_write_create);
    const int64_t run = store.begin_run(make_run("p'\n", 1));
    std::vector<Observation> batch;
    for (const auto& object : hostile)
      batch.push_back(make_obs(ObsKind::file, subject, object, access::read, 1, 1, 1));
    store.add_observations(run, batch);
  }
  Store store = Store::open(path, OpenMode::read_only);
  CHECK(store.profiles() == std::vector<std::string>{"p'\n"});
  const auto got = store.observations("p'\n");
  REQUIRE(got.size() == hostile.size());
  for (const auto& object : hostile) {
    const auto* obs = find_fact(got, make_obs(ObsKind::file, subject, object, access::read, 1, 1, 1));
    REQUIRE_MESSAGE(obs != nullptr, "lost object of " << object.size() << " bytes");
    CHECK(obs->object.size() == object.size());
    CHECK(obs->subject == subject);
  }
  // Strings that differ only in non-UTF-8 bytes stay distinct facts.
  CHECK(std::count_if(got.begin(), got.end(),
                      [](const Observation& o) { return o.object.starts_with("/tmp/\xff"); }) == 1);
}

TEST_CASE("a database from a newer armorer is refused and left byte-identical") {
  TempDir dir;
  const std::string path = dir.file("new.db");
  { Store::open(path, OpenMode::read_write_create).begin_run(make_run("p", 1)); }
  const int newer = latest_schema_version() + 1;
  { RawDb(path).exec("PRAGMA user_version = " + std::to_string(newer)); }
  REQUIRE_FALSE(fs::exists(path + "-wal"));
  const std::string before = read_bytes(path);

  const std::string expected = path + ": database schema version " + std::to_string(newer) +
                               " is newer than this armorer (" +
                               std::to_string(latest_schema_version()) + "); upgrade armorer";
  for (OpenMode mode : {OpenMode::read_write_create, OpenMode::read_only})
    CHECK(fatal_message([&] { Store::open(path, mode); }) == expected);
  CHECK(read_bytes(path) == before);
}

TEST_CASE("files that are not armorer databases are refused and left unchanged") {
  TempDir dir;
  struct Case {
    std::string name;
    std::string bytes;
    std::string expected_reason;
  };
  std::vector<Case> cases{
      {"notes.txt", "hello\nworld\n", "not an armorer database (not an SQLite file)"},
      {"big.txt", std::string(20000, 'x'), "not an armorer database (not an SQLite file)"},
      {"short", "SQLite", "not an armorer database (not an SQLite file)"},
  };
  // Right magic, garbage after it: SQLite must reject the header before anything is written.
  std::string bad_header("SQLite format 3\0", 16);
  bad_header += std::string(4096 - 16, '\xee');
  cases.push_back({"bad-header.db", bad_header, ""});

  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string path = dir.file(c.name);
    write_bytes(path, c.bytes);
    for (OpenMode mode : {OpenMode::read_write_create, OpenMode::read_only}) {
      const std::string message = fatal_message([&] { Store::open(path, mode); });
      CHECK(message.starts_with(path + ": "));
      if (!c.expected_reason.empty()) CHECK(message == path + ": " + c.expected_reason);
      CHECK((message.find("not an armorer database") != std::string::npos ||
             message.find("corrupt") != std::string::npos));
      CHECK(message.find('\n') == std::string::npos);
    }
    CHECK(read_bytes(path) == c.bytes);
  }
}

TEST_CASE("another application's SQLite database is refused and left unchanged") {
  TempDir dir;
  const std::string plain = dir.file("other.db");
  { RawDb(plain).exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep');"); }
  const std::string versioned = dir.file("versioned.db");
  { RawDb(versioned).exec("CREATE TABLE runs (x); PRAGMA user_version = 1;"); }
  const std::string stamped = dir.file("stamped.db");
  { RawDb(stamped).exec("PRAGMA application_id = 12345; CREATE TABLE t (x);"); }

  for (const auto& [path, reason] : std::vector<std::pair<std::string, std::string>>{
           {plain, "it holds tables armorer did not create"},
           {versioned, "it holds tables armorer did not create"},
           {stamped, "it belongs to another application"}}) {
    const std::string before = read_bytes(path);
    for (OpenMode mode : {OpenMode::read_write_create, OpenMode::read_only})
      CHECK(fatal_message([&] { Store::open(path, mode); }) ==
            path + ": not an armorer database (" + reason + ")");
    CHECK(read_bytes(path) == before);
  }
}

TEST_CASE("a corrupt armorer database is refused and left unchanged") {
  TempDir dir;
  const std::string path = dir.file("corrupt.db");
  {
    Store store = Store::open(path, OpenMode::read_write_create);
    const int64_t run = store.begin_run(make_run("p", 1));
    std::vector<Observation> batch;
    for (int i = 0; i < 2000; ++i)
      batch.push_back(make_obs(ObsKind::file, "/bin/app", "/data/file-" + std::to_string(i),
                               access::read, 1, 1, 1));
    store.add_observations(run, batch);
  }
  std::string bytes = read_bytes(path);
  const size_t page = 4096;
  REQUIRE(bytes.size() > 8 * page);
  // Smash the b-tree pages after the schema page; the header still says "SQLite".
  std::fill(bytes.begin() + 2 * page, bytes.begin() + 6 * page, '\x5a');
  write_bytes(path, bytes);

  for (OpenMode mode : {OpenMode::read_write_create, OpenMode::read_only}) {
    const std::string message = fatal_message([&] { Store::open(path, mode); });
    CHECK(message.starts_with(path + ": database is corrupt ("));
    CHECK(message.find('\n') == std::string::npos);
  }
  CHECK(read_bytes(path) == bytes);
}

TEST_CASE("missing, unwritable and unusable paths are refused with the reason") {
  TempDir dir;
  const std::string missing = dir.file("missing.db");
  CHECK(fatal_message([&] { Store::open(missing, OpenMode::read_only); }) ==
        missing + ": no such database");
  CHECK_FALSE(fs::exists(missing));

  // Root can write anywhere, so use paths that no permission makes creatable.
  const std::string no_dir = dir.file("no-such-dir/a.db");
  CHECK(fatal_message([&] { Store::open(no_dir, OpenMode::read_write_create); }) ==
        no_dir + ": cannot create database: No such file or directory");
  write_bytes(dir.file("plain-file"), "x");
  const std::string under_file = dir.file("plain-file/a.db");
  CHECK(fatal_message([&] { Store::open(under_file, OpenMode::read_write_create); }) ==
        under_file + ": cannot open database: Not a directory");
  fs::create_directory(dir.file("a-directory"));
  CHECK(fatal_message([&] { Store::open(dir.file("a-directory"), OpenMode::read_write_create); }) ==
        dir.file("a-directory") + ": is a directory, not an armorer database");

  // A read-only Store refuses writes instead of pretending.
  const std::string path = dir.file("ro.db");
  { Store::open(path, OpenMode::read_write_create); }
  Store reader = Store::open(path, OpenMode::read_only);
  CHECK(fatal_message([&] { reader.begin_run(make_run("p", 1)); })
            .starts_with(path + ": cannot record the run: "));
}

TEST_CASE("names SQLite would treat specially are plain relative paths") {
  TempDir dir;
  struct WorkingDirectory {
    fs::path previous = fs::current_path();
    ~WorkingDirectory() { fs::current_path(previous); }
  } restore;
  fs::current_path(dir.file(""));
  Store::open(":memory:", OpenMode::read_write_create).begin_run(make_run("p", 1));
  Store::open("file:x.db?mode=memory", OpenMode::read_write_create).begin_run(make_run("p", 1));
  CHECK(fs::exists(dir.file(":memory:")));
  CHECK(fs::exists(dir.file("file:x.db?mode=memory")));
  CHECK(Store::open(":memory:", OpenMode::read_only).runs("p").size() == 1);
}

TEST_CASE("two Store objects on one file write alternately and both land") {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  Store first = Store::open(path, OpenMode::read_write_create);
  Store second = Store::open(path, OpenMode::read_write_create);
  const int64_t run1 = first.begin_run(make_run("web", 1));
  const int64_t run2 = second.begin_run(make_run("web", 2));
  CHECK(run1 != run2);
  const auto shared = make_obs(ObsKind::file, "/bin/app", "/etc/passwd", access::read, 1, 10, 10);
  for (int i = 0; i < 20; ++i) {
    Store& writer = i % 2 == 0 ? first : second;
    const int64_t run = i % 2 == 0 ? run1 : run2;
    writer.add_observations(run, std::vector<Observation>{
        shared, make_obs(ObsKind::file, "/bin/app", "/tmp/f" + std::to_string(i), access::write,
                         1, 10 + i, 10 + i)});
  }
  Store reader = Store::open(path, OpenMode::read_only);
  const ObservationsWithRuns all = reader.observations_with_runs("web");
  CHECK(all.observations.size() == 21);
  const Observation* passwd = find_fact(all.observations, shared);
  REQUIRE(passwd != nullptr);
  CHECK(passwd->count == 20);
  CHECK(all.run_ids[passwd - all.observations.data()] == std::vector<int64_t>{run1, run2});
  CHECK(first.runs("web").size() == 2);
}

TEST_CASE("several connections creating the same new database at once all succeed") {
  TempDir dir;
  const std::string path = dir.file("race.db");
  constexpr int kOpeners = 4;
  std::vector<std::string> failures(kOpeners);
  {
    std::vector<std::jthread> openers;
    for (int i = 0; i < kOpeners; ++i)
      openers.emplace_back([&, i] {
        try {
          Store::open(path, OpenMode::read_write_create).begin_run(make_run("p", i));
        } catch (const Fatal& fatal) {
          failures[i] = fatal.what();
        }
      });
  }
  for (const auto& failure : failures) CHECK(failure == "");
  Store store = Store::open(path, OpenMode::read_only);
  CHECK(store.schema_version() == latest_schema_version());
  CHECK(store.runs("p").size() == kOpeners);
}

TEST_CASE("a writing connection waits longer for the lock than a reading one") {
  // learn's low-priority writer can hold the write lock for seconds on a busy machine; a
  // second learn must wait for it rather than fail and lose its recording.
  TempDir dir;
  const std::string path = dir.file("timeouts.db");
  auto busy_timeout = [](const sqlite::Connection& conn) {
    sqlite::Statement query(conn, "PRAGMA busy_timeout", "cannot read the busy timeout");
    query.step();
    return query.column_int(0);
  };
  CHECK(busy_timeout(*open_database(path, OpenMode::read_write_create)) == 30000);
  CHECK(busy_timeout(*open_database(path, OpenMode::read_only)) == 5000);
}

TEST_CASE("WAL: readers are not blocked by a writer, and writers wait for each other") {
  TempDir dir;
  const std::string path = dir.file("wal.db");
  Store store = Store::open(path, OpenMode::read_write_create);
  const int64_t run = store.begin_run(make_run("web", 1));
  store.add_observations(run, std::vector<Observation>{
      make_obs(ObsKind::file, "/bin/app", "/etc/hosts", access::read, 1, 1, 1)});

  RawDb other(path);
  other.exec("BEGIN IMMEDIATE");
  other.exec("INSERT INTO runs (profile, source, target, started_ms) VALUES ('web', 'audit', 'x', 5)");
  const auto start = std::chrono::steady_clock::now();
  {
    Store reader = Store::open(path, OpenMode::read_only);
    CHECK(reader.observations("web").size() == 1);
    CHECK(reader.runs("web").size() == 1);  // the uncommitted run is not visible
  }
  CHECK(store.runs("web").size() == 1);
  // Well under the 5 s busy timeout: nobody waited for the write lock.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  other.exec("COMMIT");
  CHECK(store.runs("web").size() == 2);

  // A writer that finds the lock held waits (busy timeout) instead of failing.
  other.exec("BEGIN IMMEDIATE");
  // jthread joins even when the write below throws, so a failure is reported, not a crash.
  std::jthread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    other.exec("COMMIT");
  });
  const auto waited_from = std::chrono::steady_clock::now();
  store.add_observations(run, std::vector<Observation>{
      make_obs(ObsKind::file, "/bin/app", "/etc/hosts", access::read, 1, 1, 1)});
  const auto waited = std::chrono::steady_clock::now() - waited_from;
  CHECK(waited >= std::chrono::milliseconds(250));
  CHECK(store.observations("web").at(0).count == 2);
}
