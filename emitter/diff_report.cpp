// The two renderings of a ProfileDiff. Rule text comes from profile files, which may be
// hostile: control bytes and invalid UTF-8 are shown as \xNN, and in Markdown every rule sits
// on a line that starts with '+' or '-' inside a fenced block, where nothing is rendered.
#include <map>
#include <tuple>
#include <string>

#include "emitter/profile_diff.h"

namespace armorer {

namespace {

// Length of a valid UTF-8 sequence at `pos` (1 for ASCII), 0 when the bytes are not one.
std::size_t utf8_length(std::string_view text, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) return 1;
  const std::size_t length = b0 >= 0xf0 && b0 <= 0xf4 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc2 && b0 <= 0xdf ? 2 : 0;
  if (length == 0 || pos + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((static_cast<unsigned char>(text[pos + i]) & 0xc0) != 0x80) return 0;
  return length;
}

std::string display(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = utf8_length(text, i);
    if (length == 0 || c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

// A label inside `code` in Markdown: no backtick can close it early, no '|' can split a table.
std::string inline_code(std::string_view text) {
  std::string out = display(text);
  for (char& c : out)
    if (c == '`' || c == '|') c = '\'';
  return "`" + out + "`";
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

struct Group {
  std::vector<const RuleChange*> added, removed;
  std::size_t widening = 0;
};

// Section heading (with the child profile, if any) → its changes, in report order.
std::vector<std::pair<std::string, Group>> groups(const ProfileDiff& diff) {
  std::map<std::tuple<RuleKind, std::string>, Group> by_key;
  for (const auto& change : diff.added) {
    auto& group = by_key[{change.kind, change.scope}];
    group.added.push_back(&change);
    group.widening += change.widens;
  }
  for (const auto& change : diff.removed) {
    auto& group = by_key[{change.kind, change.scope}];
    group.removed.push_back(&change);
    group.widening += change.widens;
  }
  std::vector<std::pair<std::string, Group>> out;
  for (auto& [key, group] : by_key) {
    std::string title(section_title(std::get<0>(key)));
    if (!std::get<1>(key).empty()) title += " (in " + display(std::get<1>(key)) + ")";
    out.emplace_back(std::move(title), std::move(group));
  }
  return out;
}

std::string summary(const ProfileDiff& diff) {
  return plural(diff.added.size(), "rule added", "rules added") + ", " +
         plural(diff.removed.size(), "removed", "removed") + "; " +
         plural(diff.widening_count(), "change widens", "changes widen") + " access";
}

}  // namespace

std::string format_diff_text(const ProfileDiff& diff, const DiffLabels& labels) {
  std::string out = "armorer diff: " + display(labels.old_label) + " -> " + display(labels.new_label) + "\n";
  if (diff.added.empty() && diff.removed.empty()) return out + "no rule changed\n";
  out += summary(diff) + "\n";
  for (const auto& [title, group] : groups(diff)) {
    out += "\n" + title + "\n";
    for (const RuleChange* change : group.added) {
      out += "  + " + display(change->text) + "\n";
      out += std::string(change->widens ? "      ! widens: " : "      ok: ") + display(change->why) + "\n";
    }
    for (const RuleChange* change : group.removed) {
      out += "  - " + display(change->text) + "\n";
      if (change->widens) out += "      ! widens: " + display(change->why) + "\n";
    }
  }
  out += diff.widens() ? "\nAccess widened: review the rules marked '!' before merging.\n"
                       : "\nNo access widened.\n";
  return out;
}

std::string format_diff_markdown(const ProfileDiff& diff, const DiffLabels& labels) {
  std::string out = "### AppArmor profile changes: " + inline_code(labels.old_label) + " → " +
                    inline_code(labels.new_label) + "\n\n";
  if (diff.added.empty() && diff.removed.empty()) return out + "No rule changed.\n";
  out += diff.widens() ? "**⚠️ Access widened** by " + plural(diff.widening_count(), "change", "changes") +
                             ": review the lines marked `WIDENS` before merging.\n\n"
                       : "**✅ No access widened**: rules were only removed, narrowed or already allowed.\n\n";
  out += "| section | added | removed | widening |\n|---|---:|---:|---:|\n";
  const auto grouped = groups(diff);
  for (const auto& [title, group] : grouped)
    out += "| " + inline_code(title) + " | " + std::to_string(group.added.size()) + " | " +
           std::to_string(group.removed.size()) + " | " + std::to_string(group.widening) + " |\n";
  for (const auto& [title, group] : grouped) {
    out += "\n**" + inline_code(title) + "**\n\n```diff\n";
    for (const RuleChange* change : group.added)
      out += "+ " + display(change->text) + (change->widens ? "  # WIDENS: " : "  # ok: ") + display(change->why) + "\n";
    for (const RuleChange* change : group.removed)
      out += "- " + display(change->text) + (change->widens ? "  # WIDENS: " + display(change->why) : "") + "\n";
    out += "```\n";
  }
  return out;
}

}  // namespace armorer
