#include "analyzer/path_pieces.h"

#include <algorithm>

#include "apparmor/aare.h"

namespace armorer {

namespace {

bool digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Within tunables/kernelvars' @{pid}: 1 .. 4999999 without leading zeros.
bool pid_value(std::string_view text) {
  if (!digits(text) || text[0] == '0' || text.size() > 7) return false;
  return text.size() < 7 || (text[0] >= '1' && text[0] <= '4');
}

// Within @{uid}: 0, or up to 10 digits without a leading zero (the last digit group 1-4).
bool uid_value(std::string_view text) {
  if (text == "0") return true;
  if (!digits(text) || text[0] == '0' || text.size() > 10) return false;
  return text.size() < 10 || (text[0] >= '1' && text[0] <= '4');
}

// tunables/multiarch: *-linux-gnu*
bool multiarch_value(std::string_view text) {
  const auto at = text.find("-linux-gnu");
  return at != std::string_view::npos && at > 0 && text.find('/') == std::string_view::npos;
}

PathPiece variable(std::string pattern, std::string literal, std::vector<std::string> probes,
                   bool absolute) {
  PathPiece piece;
  piece.pattern = std::move(pattern);
  piece.literal = std::move(literal);
  piece.probes = std::move(probes);
  piece.absolute = absolute;
  return piece;
}

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

PathPiece PathPiece::plain(std::string_view component) {
  PathPiece piece;
  piece.pattern = aare_escape(component);
  piece.literal = std::string(component);
  return piece;
}

std::vector<PathPiece> path_pieces(std::string_view path, bool is_dir, bool variables) {
  const auto parts = split(path);
  std::vector<PathPiece> pieces;
  pieces.reserve(parts.size());
  size_t i = 0;
  auto at = [&](size_t k) { return k < parts.size() ? parts[k] : std::string_view(); };
  // A component after which something follows: "/home/alice" names a home directory only
  // when it is one (more components, or the path is a directory).
  auto inner = [&](size_t k) { return k + 1 < parts.size() || (k + 1 == parts.size() && is_dir); };
  if (variables && !parts.empty()) {
    if (at(0) == "proc") {
      pieces.push_back(variable("@{PROC}", "/proc", {"/proc"}, true));
      i = 1;
      if (pid_value(at(1))) {
        pieces.push_back(variable("@{pid}", std::string(at(1)), {"1"}, false));
        i = 2;
        if (at(2) == "task" && pid_value(at(3))) {
          pieces.push_back(PathPiece::plain("task"));
          pieces.push_back(variable("@{tid}", std::string(at(3)), {"1"}, false));
          i = 4;
        }
      }
    } else if (at(0) == "sys") {
      pieces.push_back(variable("@{sys}", "/sys", {"/sys"}, true));
      i = 1;
    } else if (at(0) == "run" || (at(0) == "var" && at(1) == "run")) {
      const size_t run = at(0) == "run" ? 0 : 1;
      pieces.push_back(variable("@{run}", run == 0 ? "/run" : "/var/run", {"/run", "/var/run"}, true));
      i = run + 1;
      if (at(i) == "user" && uid_value(at(i + 1)) && inner(i + 1)) {
        pieces.push_back(PathPiece::plain("user"));
        pieces.push_back(variable("@{uid}", std::string(at(i + 1)), {"0"}, false));
        i += 2;
      }
    } else if (at(0) == "root" && inner(0)) {
      pieces.push_back(variable("@{HOME}", "/root", {"/root", "/home/armorer-probe"}, true));
      i = 1;
    } else if (at(0) == "home" && !at(1).empty() && inner(1)) {
      pieces.push_back(variable("@{HOME}", "/home/" + std::string(at(1)),
                                {"/root", "/home/armorer-probe"}, true));
      i = 2;
    } else if ((at(0) == "usr" && at(1) == "lib" && multiarch_value(at(2)) && inner(2)) ||
               (at(0) == "lib" && multiarch_value(at(1)) && inner(1))) {
      const size_t arch = at(0) == "usr" ? 2 : 1;
      for (size_t k = 0; k < arch; ++k) pieces.push_back(PathPiece::plain(parts[k]));
      pieces.push_back(variable("@{multiarch}", std::string(at(arch)), {"i386-linux-gnu"}, false));
      i = arch + 1;
    }
  }
  for (; i < parts.size(); ++i) pieces.push_back(PathPiece::plain(parts[i]));
  return pieces;
}

std::string join_patterns(const std::vector<PathPiece>& pieces, bool is_dir) {
  std::string out;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (!(i == 0 && pieces[i].absolute)) out += '/';
    out += pieces[i].pattern;
  }
  if (out.empty() || is_dir) out += '/';
  return out;
}

std::vector<std::string> probe_paths(const std::vector<PathPiece>& pieces, bool is_dir, size_t limit) {
  std::vector<std::string> paths{""};
  for (size_t i = 0; i < pieces.size(); ++i) {
    const PathPiece& piece = pieces[i];
    std::vector<std::string> texts = piece.probes;
    if (texts.empty()) texts.push_back(piece.literal);
    std::vector<std::string> next;
    for (const auto& prefix : paths) {
      for (const auto& text : texts) {
        if (next.size() >= limit) break;
        next.push_back(prefix + (i == 0 && piece.absolute ? "" : "/") + text);
      }
    }
    paths = std::move(next);
  }
  for (auto& path : paths)
    if (path.empty() || is_dir) path += '/';
  return paths;
}

}  // namespace armorer
