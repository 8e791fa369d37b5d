#include "recorder/event_decoder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "bpf/events.h"
#include "core/kernel_names.h"
#include "core/syscall_names.h"

namespace armorer {

namespace {

// Events of a process whose executable is not known yet (its announcement was lost), and the
// parent of the target's first exec (armorer itself or the container runtime).
const std::string kUnknownSubject = "";

uint32_t observation_flags(uint32_t event_flags) {
  uint32_t flags = 0;
  if (event_flags & EVF_TRUNCATED) flags |= obs_flag::truncated;
  if (event_flags & EVF_DELETED) flags |= obs_flag::deleted;
  if (event_flags & EVF_DISCONNECTED) flags |= obs_flag::disconnected;
  if (event_flags & EVF_OWNER) flags |= obs_flag::owner;
  if (event_flags & EVF_DIRECTORY) flags |= obs_flag::directory;
  return flags;
}

std::string with_directory_slash(std::string path, uint32_t flags) {
  if ((flags & obs_flag::directory) && (path.empty() || path.back() != '/')) path += '/';
  return path;
}

std::string proc_cwd(pid_t pid) {
  std::error_code error;
  auto cwd = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", error);
  return error ? std::string() : cwd.string();
}

}  // namespace

std::string join_and_normalise(const std::string& directory, const std::string& name) {
  std::string joined = (!name.empty() && name[0] == '/') ? name : directory + "/" + name;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t end = joined.find('/', start);
    if (end == std::string::npos) end = joined.size();
    std::string part = joined.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(std::move(part));
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

EventDecoder::EventDecoder(int64_t boot_to_unix_ms, std::string target_root)
    : boot_to_unix_ms_(boot_to_unix_ms), target_root_(std::move(target_root)) {}

// Events are read after the fact: the process is often gone by then, and the target's root
// stands in for its own.
bool EventDecoder::is_directory(pid_t pid, const std::string& path) const {
  struct stat st {};
  const std::string own = "/proc/" + std::to_string(pid) + "/root";
  if (stat((own + path).c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  if (errno == ENOENT && ::access(own.c_str(), F_OK) == 0) return false;  // alive, and no such file
  const std::string root = target_root_ == "/" ? "" : target_root_;
  return stat((root + path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

const std::string& EventDecoder::subject_path(uint64_t subject) const {
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? kUnknownSubject : it->second;
}

void EventDecoder::add(Observation observation) {
  observation.first_seen_ms = observation.last_seen_ms = now_ms_;
  auto key = std::make_tuple(observation.kind, observation.subject, observation.object,
                             observation.access, observation.flags);
  auto [it, inserted] = pending_.try_emplace(std::move(key), observation);
  if (!inserted) {
    it->second.count += observation.count;
    it->second.last_seen_ms = std::max(it->second.last_seen_ms, now_ms_);
  }
}

void EventDecoder::on_exec(const armorer_event& event, const std::string& path,
                           const std::string& script) {
  ++counters_.execs;
  const std::string& parent = subject_path(event.aux);
  subjects_[event.subject] = path;
  uint32_t base_flags = observation_flags(event.flags) & ~obs_flag::owner;
  if (!script.empty()) {
    // AppArmor checks exec on the script; its interpreter is opened by the kernel and then
    // read and mapped, which base-style rules grant as r + m.
    std::string absolute = script;
    uint32_t flags = base_flags;
    if (script[0] != '/') {
      std::string cwd = proc_cwd(static_cast<pid_t>(event.pid));
      if (cwd.empty()) flags |= obs_flag::disconnected;
      absolute = join_and_normalise(cwd.empty() ? "/" : cwd, script);
    }
    add({ObsKind::exec, parent, absolute, access::exec, flags});
    add({ObsKind::file, path, path, access::read | access::mmap_exec, base_flags});
  } else {
    add({ObsKind::exec, parent, path, access::exec, base_flags});
  }
  // The ELF interpreter (ld.so) the kernel mapped for the program comes as a file event of its
  // own (recorder/bpf/process.bpf.c).
}

void EventDecoder::handle(const armorer_event& event, size_t size) {
  ++counters_.events;
  now_ms_ = boot_to_unix_ms_ + static_cast<int64_t>(event.ts_ns / 1000000);
  size_t data_size = size - offsetof(armorer_event, data);
  size_t path_len = std::min<size_t>(event.path_len, data_size);
  size_t name_len = std::min<size_t>(event.name_len, data_size - path_len);
  std::string path(event.data, path_len);
  std::string name(event.data + path_len, name_len);

  switch (event.type) {
    case EV_SUBJECT:
      subjects_[event.subject] = path;
      ++counters_.processes;
      break;
    case EV_EXEC:
      ++counters_.processes;
      on_exec(event, path, (event.flags & EVF_SCRIPT) ? name : std::string());
      break;
    case EV_FORK:
      ++counters_.processes;
      break;
    case EV_EXIT:
      ++counters_.exits;
      break;
    case EV_FILE: {
      uint32_t flags = observation_flags(event.flags);
      std::string object = path;
      if (event.flags & EVF_HAS_NAME) {
        object = join_and_normalise((event.flags & EVF_NAME_ABSOLUTE) ? "/" : path, name);
        // AppArmor mediates a directory's chmod and chown with a trailing '/' (PATH_IS_DIR);
        // the call gave only a name, so the object itself tells, seen from the process's root.
        if ((event.access & access::setattr) && !(flags & obs_flag::directory) &&
            is_directory(static_cast<pid_t>(event.pid), object))
          flags |= obs_flag::directory;
      }
      object = with_directory_slash(std::move(object), flags);
      counters_.files.insert(std::hash<std::string>{}(object));
      add({ObsKind::file, subject_path(event.subject), object, event.access, flags});
      break;
    }
    case EV_CAP: {
      std::string_view cap = capability_name(static_cast<int>(event.a));
      std::string object = cap.empty() ? "cap_" + std::to_string(event.a) : std::string(cap);
      counters_.capabilities.insert(object);
      add({ObsKind::capability, subject_path(event.subject), object, 0, 0});
      break;
    }
    case EV_NET: {
      std::string_view family = socket_family_name(static_cast<int>(event.a));
      std::string_view type = socket_type_name(static_cast<int>(event.b));
      std::string object = (family.empty() ? "family_" + std::to_string(event.a) : std::string(family)) +
                           " " + (type.empty() ? "type_" + std::to_string(event.b) : std::string(type)) +
                           " " + std::to_string(event.c);
      counters_.network.insert(object);
      add({ObsKind::network, subject_path(event.subject), object, 0, 0});
      break;
    }
    case EV_SYSCALL: {
      std::string_view syscall = syscall_name(static_cast<int>(event.a));
      add({ObsKind::syscall, subject_path(event.subject),
           syscall.empty() ? "nr_" + std::to_string(event.a) : std::string(syscall), 0, 0});
      break;
    }
    default:
      break;
  }
}

std::vector<Observation> EventDecoder::take_batch() {
  std::vector<Observation> batch;
  batch.reserve(pending_.size());
  for (auto& [key, observation] : pending_) batch.push_back(std::move(observation));
  pending_.clear();
  return batch;
}

}  // namespace armorer
