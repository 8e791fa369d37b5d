// Writes a synthetic recording of exactly COUNT distinct observations for one profile,
// through the same Store API `armorer learn` uses, so that `armorer emit` can be timed at
// scale. Deterministic: the same COUNT always gives the same observations.
// Usage: bench_gen_recording DB PROFILE COUNT
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/kernel_names.h"
#include "core/observation.h"
#include "core/syscall_names.h"
#include "schema/store.h"

namespace {

using armorer::ObsKind;
using armorer::Observation;
namespace access = armorer::access;
namespace obs_flag = armorer::obs_flag;

constexpr int kSubjects = 40;
constexpr size_t kBatch = 20000;

std::string subject_path(uint64_t n) { return "/usr/bin/tool" + std::to_string(n % kSubjects); }

// Real recordings are mostly files; the other kinds are bounded by what exists (about 40
// capabilities, a few hundred system calls) per executable, and come first so that a small
// COUNT still holds every kind.
class Generator {
 public:
  explicit Generator(uint64_t count) : count_(count) {}

  bool next(Observation& out) {
    if (made_ >= count_) return false;
    out = {};
    out.count = 1 + made_ % 7;
    out.first_seen_ms = 1700000000000 + static_cast<int64_t>(made_);
    out.last_seen_ms = out.first_seen_ms + 1000;
    if (!bounded_kind(out)) file(out);
    ++made_;
    return true;
  }

 private:
  // Capabilities, sockets, system calls and execs for each subject, up to 2% of COUNT.
  bool bounded_kind(Observation& out) {
    if (made_ >= count_ / 50) return false;
    const uint64_t subject = bounded_ % kSubjects, round = bounded_ / kSubjects;
    ++bounded_;
    out.subject = subject_path(subject);
    if (round < 3) {
      out.kind = ObsKind::capability;
      out.object = std::string(armorer::capability_name(static_cast<int>((subject + round * 7) % 38)));
    } else if (round < 5) {
      out.kind = ObsKind::network;
      out.object = round == 3 ? "inet stream 6" : "inet6 dgram 17";
    } else if (round < 120) {
      out.kind = ObsKind::syscall;
      out.object = std::string(armorer::syscall_name(static_cast<int>(round - 5)));
      if (out.object.empty()) out.object = "nr_" + std::to_string(round - 5);
    } else {
      out.kind = ObsKind::exec;
      out.object = "/opt/app/libexec/helper" + std::to_string(round - 120);
      out.access = access::exec;
    }
    return true;
  }

  // Files in a three-level tree with a mix of accesses, some /proc paths (folded by the
  // analyzer), owner-only files, directories, and names that need escaping.
  void file(Observation& out) {
    const uint64_t n = files_++;
    out.kind = ObsKind::file;
    out.subject = subject_path(n / 1000);
    static const uint32_t kAccesses[] = {
        access::read, access::read | access::write, access::write | access::create,
        access::read | access::mmap_exec, access::append, access::read | access::lock,
        access::remove, access::setattr};
    out.access = kAccesses[n % 8];
    switch (n % 50) {
      case 0:
        out.object = "/proc/" + std::to_string(1000 + n / 50) + "/stat";
        out.access = access::read;
        return;
      case 1:
        out.object = "/srv/data/d" + std::to_string(n / 5000) + "/dir" + std::to_string(n) + "/";
        out.flags = obs_flag::directory;
        out.access = access::read;
        return;
      case 2:
        out.object = "/srv/data/d" + std::to_string(n / 5000) + "/odd name {" + std::to_string(n) + "}[x]";
        return;
      default:
        out.object = "/srv/data/d" + std::to_string(n / 5000) + "/s" + std::to_string(n / 100 % 50) +
                     "/file" + std::to_string(n) + ".dat";
        if (n % 3 == 0) out.flags = obs_flag::owner;
    }
  }

  uint64_t count_;
  uint64_t made_ = 0, bounded_ = 0, files_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DB PROFILE COUNT\n", argv[0]);
    return 2;
  }
  try {
    armorer::Store store = armorer::Store::open(argv[1], armorer::OpenMode::read_write_create);
    // Two runs, each observation in one or both, as after repeated training.
    armorer::Run run;
    run.profile = argv[2];
    run.source = "ebpf";
    run.target = "command: synthetic";
    run.started_ms = 1700000000000;
    run.status = "running";
    const int64_t runs[2] = {store.begin_run(run), store.begin_run(run)};
    Generator generator(std::strtoull(argv[3], nullptr, 10));
    std::vector<Observation> batch[2];
    Observation obs;
    uint64_t i = 0;
    auto flush = [&](int which) {
      if (!batch[which].empty()) store.add_observations(runs[which], batch[which]);
      batch[which].clear();
    };
    while (generator.next(obs)) {
      if (i % 5 == 0) batch[1].push_back(obs);
      batch[i % 5 == 0 ? 0 : i % 2].push_back(std::move(obs));
      ++i;
      for (int which : {0, 1})
        if (batch[which].size() >= kBatch) flush(which);
    }
    flush(0);
    flush(1);
    for (int64_t id : runs) {
      run.id = id;
      run.ended_ms = run.started_ms + 60000;
      run.status = "complete";
      run.exit_status = 0;
      store.finish_run(run);
    }
    std::printf("%llu\n", static_cast<unsigned long long>(i));
  } catch (const armorer::Fatal& error) {
    std::fprintf(stderr, "bench_gen_recording: %s\n", error.what());
    return 1;
  }
  return 0;
}
