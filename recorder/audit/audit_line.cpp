#include "recorder/audit/audit_line.h"

#include <array>

namespace armorer {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\x1d'; }  // 0x1d: auditd ENRICHED
bool is_upper_hex(char c) { return is_digit(c) || (c >= 'A' && c <= 'F'); }
bool is_key_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Consumes [0-9]{1,max} from the front of `s`.
std::optional<std::string_view> take_digits(std::string_view& s, std::size_t max) {
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n == 0 || n > max) return std::nullopt;
  auto digits = s.substr(0, n);
  s.remove_prefix(n);
  return digits;
}

uint64_t to_number(std::string_view digits) {
  uint64_t value = 0;
  for (char c : digits) value = value * 10 + static_cast<uint64_t>(c - '0');
  return value;
}

// "audit(" already consumed: SECONDS.FRACTION:SERIAL followed by "):".
std::optional<AuditLine> parse_id(std::string_view rest) {
  const auto start = rest;
  auto seconds = take_digits(rest, 12);
  if (!seconds || !starts_with(rest, ".")) return std::nullopt;
  rest.remove_prefix(1);
  auto fraction = take_digits(rest, 9);
  if (!fraction || !starts_with(rest, ":")) return std::nullopt;
  rest.remove_prefix(1);
  auto serial = take_digits(rest, 19);
  if (!serial || !starts_with(rest, "):")) return std::nullopt;
  AuditLine line;
  line.id = start.substr(0, start.size() - rest.size());
  rest.remove_prefix(2);
  while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
  line.payload = rest;
  // The kernel prints milliseconds as three digits; be lenient about other widths.
  std::string millis{fraction->substr(0, 3)};
  millis.resize(3, '0');
  line.time_ms = static_cast<int64_t>(to_number(*seconds) * 1000 + to_number(millis));
  line.serial = to_number(*serial);
  return line;
}

// What wrote the text in front of "audit(". Only shapes the kernel's log or auditd produce
// count as trusted: any user can put "audit(...): apparmor=..." into syslog with logger(1),
// and such a line must not teach a profile anything.
RecordOrigin origin_of(std::string_view prefix) {
  if (starts_with(prefix, "node=")) {  // auditd name_format
    auto space = prefix.find(' ');
    if (space == std::string_view::npos) return RecordOrigin::unknown;
    prefix.remove_prefix(space + 1);
  }
  if (starts_with(prefix, "type=") && prefix.size() > 10 &&
      prefix.substr(prefix.size() - 5) == " msg=") {
    auto type = prefix.substr(5, prefix.size() - 10);
    if (type.find(' ') != std::string_view::npos) return RecordOrigin::unknown;
    return starts_with(type, "USER_") ? RecordOrigin::userspace : RecordOrigin::kernel;
  }
  // Kernel log text: [syslog header ending in "kernel: "] [dmesg stamp] [audit: ] type=N
  if (auto tag = prefix.find("kernel: "); tag != std::string_view::npos) {
    if (tag != 0 && prefix[tag - 1] != ' ') return RecordOrigin::unknown;
    if (prefix.substr(0, tag).find_first_of("\"=") != std::string_view::npos)
      return RecordOrigin::unknown;
    prefix.remove_prefix(tag + 8);
  }
  if (starts_with(prefix, "[")) {
    auto close = prefix.find("] ");
    if (close == std::string_view::npos) return RecordOrigin::unknown;
    prefix.remove_prefix(close + 2);
  }
  if (starts_with(prefix, "audit: ")) prefix.remove_prefix(7);
  if (!starts_with(prefix, "type=")) return RecordOrigin::unknown;
  prefix.remove_prefix(5);
  auto type = take_digits(prefix, 5);
  if (!type || prefix != " ") return RecordOrigin::unknown;
  // 1100-1199 are user-space messages relayed by the kernel (AUDIT_FIRST_USER_MSG...).
  auto number = to_number(*type);
  return (number >= 1100 && number < 1200) ? RecordOrigin::userspace : RecordOrigin::kernel;
}

}  // namespace

std::optional<AuditLine> locate_audit_record(std::string_view line) {
  for (std::size_t at = line.find("audit("); at != std::string_view::npos;
       at = line.find("audit(", at + 1)) {
    auto record = parse_id(line.substr(at + 6));
    if (!record) continue;
    record->origin = origin_of(line.substr(0, at));
    return record;
  }
  return std::nullopt;
}

bool mentions_apparmor(std::string_view payload) {
  for (std::size_t at = payload.find("apparmor="); at != std::string_view::npos;
       at = payload.find("apparmor=", at + 1)) {
    if (at == 0 || is_space(payload[at - 1]) || payload[at - 1] == '\'') return true;
  }
  return false;
}

std::optional<std::vector<AuditToken>> split_audit_tokens(std::string_view payload,
                                                          RecordOrigin origin) {
  if (origin == RecordOrigin::userspace) {
    auto inner = payload.find("msg='");
    if (inner == std::string_view::npos) return std::nullopt;
    payload.remove_prefix(inner + 5);
    auto close = payload.rfind('\'');
    if (close == std::string_view::npos) return std::nullopt;
    payload = payload.substr(0, close);
  }
  std::vector<AuditToken> tokens;
  std::size_t i = 0;
  while (true) {
    while (i < payload.size() && is_space(payload[i])) ++i;
    if (i == payload.size()) break;
    std::size_t key_start = i;
    while (i < payload.size() && is_key_char(payload[i])) ++i;
    if (i == key_start || i == payload.size() || payload[i] != '=') return std::nullopt;
    auto key = payload.substr(key_start, i - key_start);
    std::size_t value_start = ++i;
    if (i < payload.size() && payload[i] == '"') {
      auto close = payload.find('"', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      i = close + 1;
      if (i < payload.size() && !is_space(payload[i])) return std::nullopt;
    } else {
      while (i < payload.size() && !is_space(payload[i])) {
        if (payload[i] == '"') return std::nullopt;
        ++i;
      }
    }
    tokens.push_back({key, payload.substr(value_start, i - value_start)});
  }
  return tokens;
}

std::string audit_value(std::string_view raw, bool may_be_hex) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"')
    return std::string{raw.substr(1, raw.size() - 2)};
  bool hex = may_be_hex && !raw.empty() && raw.size() % 2 == 0;
  for (std::size_t i = 0; hex && i < raw.size(); ++i) hex = is_upper_hex(raw[i]);
  if (!hex) return std::string{raw};
  auto nibble = [](char c) { return is_digit(c) ? c - '0' : c - 'A' + 10; };
  std::string decoded;
  decoded.reserve(raw.size() / 2);
  for (std::size_t i = 0; i < raw.size(); i += 2)
    decoded.push_back(static_cast<char>(nibble(raw[i]) << 4 | nibble(raw[i + 1])));
  return decoded;
}

bool looks_like_log_line(std::string_view line) {
  if (line.find_first_not_of(" \t") == std::string_view::npos) return true;  // blank
  if (starts_with(line, "-- ")) return true;  // journalctl markers ("-- Boot ... --")
  auto time_at = [&](std::size_t at) {  // HH:MM:SS
    return line.size() >= at + 8 && is_digit(line[at]) && is_digit(line[at + 1]) &&
           line[at + 2] == ':' && is_digit(line[at + 3]) && is_digit(line[at + 4]) &&
           line[at + 5] == ':' && is_digit(line[at + 6]) && is_digit(line[at + 7]);
  };
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ",
      "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "};
  for (auto month : kMonths) {  // syslog: "Nov 14 22:13:20" or "Nov  4 22:13:20"
    if (starts_with(line, month) && line.size() > 7 && (is_digit(line[4]) || line[4] == ' ') &&
        is_digit(line[5]) && line[6] == ' ' && time_at(7))
      return true;
  }
  // ISO 8601 (rsyslog high precision, journalctl -o short-iso): 2023-11-14T22:13:20
  if (line.size() >= 19 && is_digit(line[0]) && is_digit(line[3]) && line[4] == '-' &&
      line[7] == '-' && (line[10] == 'T' || line[10] == ' ') && time_at(11))
    return true;
  // dmesg: "[   12.345678] ..."
  if (starts_with(line, "[")) {
    std::size_t i = 1;
    while (i < line.size() && line[i] == ' ') ++i;
    auto rest = line.substr(i);
    if (take_digits(rest, 12) && starts_with(rest, ".")) {
      rest.remove_prefix(1);
      if (take_digits(rest, 9) && starts_with(rest, "]")) return true;
    }
  }
  return false;
}

}  // namespace armorer
