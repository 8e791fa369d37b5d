#include "recorder/root_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <vector>

namespace armorer {

namespace {

std::deque<std::string> split(const std::string& path) {
  std::deque<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

}  // namespace

std::optional<std::string> resolve_in_root(const std::string& root, const std::string& path) {
  std::deque<std::string> pending = split(path);
  std::vector<std::string> done;
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(part);
    std::string host = root + join(done);
    struct stat st{};
    if (lstat(host.c_str(), &st) != 0) return std::nullopt;
    if (!S_ISLNK(st.st_mode)) continue;
    if (++links > 40) return std::nullopt;
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096), '\0');
    ssize_t n = readlink(host.c_str(), target.data(), target.size());
    if (n <= 0) return std::nullopt;
    target.resize(static_cast<size_t>(n));
    done.pop_back();
    if (target[0] == '/') done.clear();
    std::deque<std::string> more = split(target);
    pending.insert(pending.begin(), more.begin(), more.end());
  }
  return join(done);
}

}  // namespace armorer
