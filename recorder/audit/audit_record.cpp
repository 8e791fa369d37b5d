#include "recorder/audit/audit_record.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

// aalogparse.h names a struct member `namespace`, a C++ keyword.
extern "C" {
#define namespace aa_namespace
#include <aalogparse/aalogparse.h>
#undef namespace
}

namespace armorer {

namespace {

// Keys handed to libapparmor 3.0. Everything else is read here instead: keys newer kernels
// add (class=, peer_addr=, execpath=...) turn a whole record INVALID in libapparmor 3.0, it
// rejects hex values for target=, peer=, fstype=, srcname= (the kernel hex-encodes any name
// with a space), and it decodes protocol numbers into names we would have to map back.
// Each key below is checked against the shape the kernel writes for it before it is passed.
enum class Shape { number, quoted, string, word };
struct LibraryKey {
  std::string_view key;
  Shape shape;
};
constexpr LibraryKey kLibraryKeys[] = {
    {"apparmor", Shape::word},         {"operation", Shape::quoted}, {"profile", Shape::string},
    {"label", Shape::string},          {"name", Shape::string},      {"comm", Shape::string},
    {"exe", Shape::string},            {"requested_mask", Shape::quoted},
    {"denied_mask", Shape::quoted},    {"mask", Shape::quoted},      {"info", Shape::quoted},
    {"family", Shape::quoted},         {"sock_type", Shape::quoted}, {"capname", Shape::quoted},
    {"flags", Shape::quoted},          {"signal", Shape::word},      {"fsuid", Shape::number},
    {"ouid", Shape::number},           {"pid", Shape::number},       {"error", Shape::number},
    {"capability", Shape::number},
};

const LibraryKey* library_key(std::string_view key) {
  for (const auto& known : kLibraryKeys)
    if (key == known.key) return &known;
  return nullptr;
}

// libapparmor leaks its tokens when a record does not fit its grammar, so it is only ever
// given values of the shapes the kernel writes.
bool fits(Shape shape, std::string_view raw) {
  auto all = [&](auto pred) {
    return !raw.empty() && std::all_of(raw.begin(), raw.end(), pred);
  };
  bool quoted = raw.size() >= 2 && raw.front() == '"' && raw.back() == '"';
  switch (shape) {
    case Shape::number:
      if (!raw.empty() && raw.front() == '-') raw.remove_prefix(1);
      return all([](char c) { return c >= '0' && c <= '9'; });
    case Shape::quoted: return quoted && raw.find('\\') == std::string_view::npos;
    case Shape::string:
      return quoted || (raw.size() % 2 == 0 && all([](char c) {
                          return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
                        }));
    case Shape::word:
      if (quoted) raw = raw.substr(1, raw.size() - 2);
      return all([](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '_';
      });
  }
  return false;
}

// Keys read here that may carry a hex-encoded string.
bool hex_key(std::string_view key) {
  return key == "target" || key == "name2" || key == "peer" || key == "addr" ||
         key == "peer_addr" || key == "fstype" || key == "srcname";
}

// Keys that fill the same field. The kernel never repeats one; a record that does is
// ambiguous (which name was accessed?) and libapparmor leaks the value it overwrites.
std::string_view field_of(std::string_view key) {
  if (key == "label") return "profile";
  if (key == "capname") return "name";
  if (key == "name2") return "target";
  if (key == "exe") return "comm";
  return key;
}

bool repeats_a_field(const std::vector<AuditToken>& tokens) {
  for (std::size_t i = 0; i < tokens.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (field_of(tokens[i].key) == field_of(tokens[j].key)) return true;
  return false;
}

// The kernel writes a backslash inside quotes as is, but libapparmor's scanner reads it as
// an escape ("/tmp/a\\b" would become "/tmp/ab", another file): such values go in as hex,
// which it decodes literally.
void append_hex(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
}

struct RecordDeleter {
  void operator()(aa_log_record* record) const { free_record(record); }
};
using LibRecord = std::unique_ptr<aa_log_record, RecordDeleter>;

LibRecord call_parse_record(std::string& text) {
  // parse_record() writes into a file-scope global inside libapparmor.
  static std::mutex parser_mutex;
  std::lock_guard lock{parser_mutex};
  return LibRecord{parse_record(text.data())};
}

std::string copy(const char* text) { return text ? std::string{text} : std::string{}; }

std::optional<uint64_t> uid(unsigned long value) {
  if (value == ULONG_MAX) return std::nullopt;  // libapparmor's "not logged"
  return value;
}

std::optional<AuditEvent> event_of(aa_record_event_type type) {
  switch (type) {
    case AA_RECORD_ALLOWED: return AuditEvent::allowed;
    case AA_RECORD_DENIED: return AuditEvent::denied;
    case AA_RECORD_AUDIT: return AuditEvent::audited;
    case AA_RECORD_STATUS:
    case AA_RECORD_HINT:
    case AA_RECORD_ERROR: return AuditEvent::other;
    case AA_RECORD_INVALID: break;
  }
  return std::nullopt;
}

ParsedAuditLine malformed() { return {}; }

}  // namespace

ParsedAuditLine parse_audit_line(std::string_view line) {
  if (line.size() > kMaxAuditLineBytes || line.find('\0') != std::string_view::npos)
    return malformed();
  auto located = locate_audit_record(line);
  if (!located) {
    if (line.find("apparmor=") != std::string_view::npos) return malformed();
    return {looks_like_log_line(line) ? LineKind::other_log : LineKind::malformed, {}};
  }
  if (!mentions_apparmor(located->payload)) return {LineKind::other_log, {}};
  if (located->origin == RecordOrigin::unknown) return malformed();
  auto tokens = split_audit_tokens(located->payload, located->origin);
  if (!tokens || repeats_a_field(*tokens)) return malformed();

  AuditRecord record;
  record.origin = located->origin;
  record.time_ms = located->time_ms;
  std::string text = "type=AVC msg=audit(" + std::string{located->id} + "):";
  for (const auto& token : *tokens) {
    if (const auto* known = library_key(token.key)) {
      if (!fits(known->shape, token.raw)) return malformed();
      text += ' ';
      text += token.key;
      text += '=';
      if (known->shape == Shape::string && token.raw.find('\\') != std::string_view::npos)
        append_hex(text, token.raw.substr(1, token.raw.size() - 2));
      else
        text += token.raw;
      continue;
    }
    auto value = audit_value(token.raw, hex_key(token.key));
    if (token.key == "target" || token.key == "name2") record.target = std::move(value);
    else if (token.key == "peer") record.peer = std::move(value);
    else if (token.key == "protocol") record.protocol = std::move(value);
    else if (token.key == "addr") record.addr = std::move(value);
    else if (token.key == "peer_addr") record.peer_addr = std::move(value);
    else if (token.key == "fstype") record.fs_type = std::move(value);
    else if (token.key == "srcname") record.src_name = std::move(value);
  }

  if (text.size() > kMaxAuditLineBytes) return malformed();  // hex doubled a long value
  auto parsed = call_parse_record(text);
  if (!parsed) return malformed();
  auto event = event_of(parsed->event);
  if (!event || !parsed->profile || !parsed->operation) return malformed();
  record.event = *event;
  record.operation = copy(parsed->operation);
  record.profile = copy(parsed->profile);
  record.name = copy(parsed->name);
  record.requested_mask = copy(parsed->requested_mask);
  record.denied_mask = copy(parsed->denied_mask);
  record.info = copy(parsed->info);
  record.family = copy(parsed->net_family);
  record.sock_type = copy(parsed->net_sock_type);
  record.signal = copy(parsed->signal);
  record.mount_flags = copy(parsed->flags);
  record.fsuid = uid(parsed->fsuid);
  record.ouid = uid(parsed->ouid);
  return {LineKind::apparmor, std::move(record)};
}

}  // namespace armorer
