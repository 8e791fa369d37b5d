#include "recorder/kernel_symbols.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace armorer {

std::map<std::string, AddressRange> kernel_function_ranges(const std::vector<std::string>& names,
                                                           const std::string& kallsyms_path) {
  std::ifstream in(kallsyms_path);
  std::set<std::string> wanted(names.begin(), names.end());
  std::vector<uint64_t> text_addresses;
  std::map<std::string, uint64_t> starts;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string address, type, name;
    if (!(fields >> address >> type >> name)) continue;
    if (type != "t" && type != "T") continue;
    uint64_t value = std::stoull(address, nullptr, 16);
    if (value == 0) continue;  // addresses hidden from this reader
    text_addresses.push_back(value);
    if (wanted.count(name) && !starts.count(name)) starts[name] = value;
  }
  std::sort(text_addresses.begin(), text_addresses.end());
  std::map<std::string, AddressRange> ranges;
  for (const auto& [name, begin] : starts) {
    auto next = std::upper_bound(text_addresses.begin(), text_addresses.end(), begin);
    if (next == text_addresses.end()) continue;
    ranges[name] = {begin, *next};
  }
  return ranges;
}

}  // namespace armorer
