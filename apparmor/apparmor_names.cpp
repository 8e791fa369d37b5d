#include "apparmor/apparmor_names.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <span>

#include "core/kernel_names.h"

namespace armorer {

namespace {

// Signal numbers 0..31 (0 is the existence probe of kill(pid, 0)); 32.. are rtmin+N.
constexpr std::array<std::string_view, 32> kSignals{
    "exists", "hup",  "int",  "quit",   "ill",  "trap",  "abrt", "bus",
    "fpe",    "kill", "usr1", "segv",   "usr2", "pipe",  "alrm", "term",
    "stkflt", "chld", "cont", "stop",   "stp",  "ttin",  "ttou", "urg",
    "xcpu",   "xfsz", "vtalrm", "prof", "winch", "io",   "pwr",  "sys"};
constexpr int kRtMin = 32;
constexpr int kRtMax = 64;

std::optional<int> parse_number(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string_view> lookup(std::span<const std::string_view> table, std::string_view text) {
  if (auto number = parse_number(text)) {
    if (*number < 0 || static_cast<size_t>(*number) >= table.size() || table[*number].empty())
      return std::nullopt;
    return table[*number];
  }
  const std::string name = lower(text);
  for (std::string_view entry : table)
    if (!entry.empty() && entry == name) return entry;
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> capability_name(std::string_view text) {
  std::string name = lower(text);
  if (name.starts_with("cap_")) name.erase(0, 4);
  return lookup(capability_names(), name);
}

std::optional<std::string_view> network_family_name(std::string_view text) {
  return lookup(socket_family_names(), text);
}

std::optional<std::string_view> network_type_name(std::string_view text) {
  return lookup(socket_type_names(), text);
}

std::optional<std::string> signal_name(std::string_view text) {
  if (auto number = parse_number(text)) {
    if (*number >= 0 && *number < kRtMin) return std::string(kSignals[*number]);
    if (*number >= kRtMin && *number <= kRtMax) return "rtmin+" + std::to_string(*number - kRtMin);
    return std::nullopt;
  }
  std::string name = lower(text);
  if (name.starts_with("sig")) name.erase(0, 3);
  if (name == "tstp") name = "stp";  // the kernel's SIGTSTP is AppArmor's "stp"
  if (name == "iot") name = "abrt";
  if (name == "poll") name = "io";
  if (name == "cld") name = "chld";
  if (name.starts_with("rtmin+")) {
    auto offset = parse_number(std::string_view(name).substr(6));
    if (!offset || *offset < 0 || *offset > kRtMax - kRtMin) return std::nullopt;
    return "rtmin+" + std::to_string(*offset);
  }
  for (std::string_view entry : kSignals)
    if (entry == name) return name;
  return std::nullopt;
}

std::optional<std::string> profile_name_problem(std::string_view name) {
  if (name.empty()) return "profile name is empty";
  if (name.size() > 128) return "profile name is longer than 128 characters";
  auto allowed = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  if (!std::isalnum(static_cast<unsigned char>(name.front())))
    return "profile name must start with a letter or digit";
  auto bad = std::find_if_not(name.begin(), name.end(), allowed);
  if (bad != name.end())
    return "profile name may hold only letters, digits, '.', '_' and '-' (found " +
           comment_safe(std::string_view(&*bad, 1)) + ")";
  // The kernel's name for "no profile": a profile called so would be confusing at best.
  if (name == "unconfined")
    return "profile name \"" + std::string(name) + "\" is reserved";
  return std::nullopt;
}

std::string comment_safe(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\\') {
      out += "\\\\";
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace armorer
