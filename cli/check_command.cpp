// `armorer check`: what would a profile refuse of the accesses a workload makes? The accesses
// come from the database (what `learn` recorded) or from a TSV list, so that a profile can be
// judged against what an independent tracer saw.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <tuple>

#include "apparmor/apparmor_names.h"
#include "apparmor/profile_reader.h"
#include "cli/commands.h"
#include "cli/recorded_access.h"
#include "core/error.h"
#include "schema/store.h"

namespace armorer::cli {

namespace {

// TSV fields: backslash, tab, newline and other control bytes are escaped, so any path fits.
std::string escape_field(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else if (c < 0x20 || c == 0x7f) {
      char octal[5];
      std::snprintf(octal, sizeof octal, "\\%03o", c);
      out += octal;
    } else {
      out += ch;
    }
  }
  return out;
}

std::optional<std::string> unescape_field(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    const char c = text[i];
    if (c == '\\') out += '\\';
    else if (c == 't') out += '\t';
    else if (c == 'n') out += '\n';
    else if (c >= '0' && c <= '3' && i + 2 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '7' &&
             text[i + 2] >= '0' && text[i + 2] <= '7') {
      out += static_cast<char>((c - '0') * 64 + (text[i + 1] - '0') * 8 + (text[i + 2] - '0'));
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

Accesses from_database(const CheckArgs& args) {
  Store store = Store::open(args.db, OpenMode::read_only);
  if (store.runs(args.profile).empty())
    throw Fatal("unknown profile '" + args.profile + "' in " + args.db);
  return accesses_of(store.observations(args.profile));
}

// "file<TAB>PERMS<TAB>PATH" ("owner file" when the process owns the file),
// "capability<TAB>-<TAB>NAME", "network<TAB>-<TAB>FAMILY [TYPE]"; '#' lines are comments.
Access parse_access_line(const std::string& line) {
  const size_t tab1 = line.find('\t');
  const size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
  if (tab2 == std::string::npos) throw Fatal("expected KIND<TAB>PERMS<TAB>OBJECT");
  const std::string kind = line.substr(0, tab1);
  const std::string perms = line.substr(tab1 + 1, tab2 - tab1 - 1);
  const auto object = unescape_field(std::string_view(line).substr(tab2 + 1));
  if (!object || object->empty()) throw Fatal("the object is empty or badly escaped");
  Access access;
  access.subject = "-";
  if (kind == "file" || kind == "owner file") {
    access.kind = "file";
    access.object = *object;
    access.need.path = *object;
    access.need.owner = kind == "owner file";
    if (!object->starts_with('/')) throw Fatal("file path is not absolute");
    for (const char c : perms) {
      const std::string_view letters = "rwalkm";
      if (c == 'x') access.need.exec = true;
      else if (auto at = letters.find(c); at != std::string_view::npos) access.need.perms |= 1u << at;
      else throw Fatal(std::string("'") + c + "' is not one of the permissions r w a l k m x");
    }
    if (perms.empty()) throw Fatal("no permission given");
    return access;
  }
  if (perms != "-") throw Fatal("permissions of a " + kind + " access must be '-'");
  if (kind == "capability") {
    const auto name = capability_name(*object);
    if (!name) throw Fatal("unknown capability '" + escape_field(*object) + "'");
    access.kind = kind;
    access.object = std::string(*name);
    return access;
  }
  if (kind == "network") {
    auto network = network_access(*object);
    if (!network) throw Fatal("'" + escape_field(*object) + "' is not FAMILY [TYPE]");
    network->subject = "-";
    return *network;
  }
  throw Fatal("unknown kind '" + escape_field(kind) + "' (file, owner file, capability, network)");
}

Accesses from_tsv(const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) throw Fatal("cannot read " + path);
    in = &file;
  }
  Accesses out;
  std::string line;
  for (size_t number = 1; std::getline(*in, line); ++number) {
    if (line.empty() || line.starts_with('#')) continue;
    try {
      out.list.push_back(parse_access_line(line));
    } catch (const Fatal& error) {
      throw Fatal(path + " line " + std::to_string(number) + ": " + error.what());
    }
  }
  return out;
}

std::string merge_letters(const std::string& a, const std::string& b) {
  std::string out;
  for (const char c : std::string_view("rwalkmx-"))
    if (a.find(c) != std::string::npos || b.find(c) != std::string::npos) out += c;
  return out;
}

}  // namespace

int check(const CheckArgs& args) {
  const ProfilePolicy policy = read_profile(args.profile_file, args.profile);
  const Accesses accesses = args.db.empty() ? from_tsv(args.accesses) : from_database(args);

  // One line per (kind, subject, object), sorted: the same inputs always print the same text.
  std::map<std::tuple<std::string, std::string, std::string>, std::string> denied;
  size_t refused_count = 0;
  for (const Access& access : accesses.list) {
    const std::string letters = refused(policy, access);
    if (letters.empty()) continue;
    ++refused_count;
    auto& slot = denied[{access.kind, access.subject, access.object}];
    slot = merge_letters(slot, letters);
  }
  for (const auto& [key, letters] : denied) {
    const auto& [kind, subject, object] = key;
    std::printf("%s\t%s\t%s\t%s\n", kind.c_str(), escape_field(subject.empty() ? "-" : subject).c_str(),
                escape_field(object).c_str(), letters.c_str());
  }
  std::fflush(stdout);

  std::fprintf(stderr, "armorer: profile '%s' refuses %zu of %zu accesses\n",
               comment_safe(policy.name()).c_str(), refused_count, accesses.list.size());
  if (!args.profile.empty() && policy.name() != args.profile)
    std::fprintf(stderr, "armorer: note: the file's only profile is '%s', not '%s'\n",
                 comment_safe(policy.name()).c_str(), args.profile.c_str());
  if (policy.complain())
    std::fprintf(stderr, "armorer: note: the profile is in complain mode; judged as if enforced\n");
  std::string kinds;
  for (const auto& [kind, count] : accesses.unjudged) kinds += " " + std::to_string(count) + " " + kind;
  if (!kinds.empty())
    std::fprintf(stderr, "armorer: note: not judged (check judges files, exec, capabilities and "
                         "network):%s\n", kinds.c_str());
  return denied.empty() ? 0 : kExitFailure;
}

}  // namespace armorer::cli
