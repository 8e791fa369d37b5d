#include "analyzer/path_generaliser.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "analyzer/aare.h"

namespace armorer {

namespace {

struct Component {
  std::string text;
  bool is_pattern = false;  // already AARE (a variable), not a literal to escape
};

std::vector<Component> split(std::string_view path) {
  std::vector<Component> parts;
  size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    parts.push_back({std::string(path.substr(start, end - start))});
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;  // a trailing '/' leaves an empty last component
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// /proc/<pid>/... and /proc/<pid>/task/<tid>/...: one pattern for every process the workload
// will ever have, with the variables tunables/global defines.
bool fold_proc_ids(std::vector<Component>& parts) {
  if (parts.size() < 2 || parts[0].text != "proc" || !all_digits(parts[1].text)) return false;
  parts[1] = {"@{pid}", true};
  if (parts.size() >= 4 && parts[2].text == "task" && all_digits(parts[3].text))
    parts[3] = {"@{tid}", true};
  return true;
}

std::string join(const std::vector<Component>& parts) {
  std::string pattern;
  for (const auto& part : parts) {
    pattern += '/';
    pattern += part.is_pattern ? part.text : aare_escape(part.text);
  }
  return pattern;
}

}  // namespace

std::string PathGeneraliser::pattern_for(std::string_view literal) const {
  const std::string exact = aare_escape(literal);
  if (!literal.starts_with('/')) return exact;
  auto parts = split(literal);
  if (!fold_proc_ids(parts)) return exact;
  const std::string pattern = join(parts);
  auto matcher = Aare::compile(pattern, stock_tunables());
  if (!matcher || !matcher->matches(literal)) return exact;
  return pattern;
}

}  // namespace armorer
