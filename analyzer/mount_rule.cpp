#include "analyzer/mount_rule.h"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace armorer {

namespace {

struct MountObject {
  std::string_view fstype, source, mountpoint;
};

std::optional<MountObject> split(std::string_view object) {
  const auto first = object.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = object.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  MountObject parts{object.substr(0, first), object.substr(first + 1, second - first - 1),
                    object.substr(second + 1)};
  if (parts.fstype.empty() || parts.source.empty() || parts.mountpoint.empty()) return std::nullopt;
  return parts;
}

// File system type names are a kernel vocabulary ("ext4", "fuse.sshfs"): anything else is
// not a type and is not written.
bool plain_fstype(std::string_view fstype) {
  return std::all_of(fstype.begin(), fstype.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

std::optional<MountRule> MountRule::from_observation(const Observation& obs,
                                                     std::string* why_not) {
  auto fail = [&](std::string reason) -> std::optional<MountRule> {
    if (why_not) *why_not = std::move(reason);
    return std::nullopt;
  };
  if (obs.kind != ObsKind::mount) return fail("not a mount");
  auto parts = split(obs.object);
  if (!parts) return fail("mount object is not \"<fstype> <source> <mountpoint>\"");
  if (!plain_fstype(parts->fstype)) return fail("file system type is not a plain name");
  if (!parts->mountpoint.starts_with('/')) return fail("mount point is not absolute");
  auto source = LiteralPattern::make(parts->source, why_not);
  if (!source) return std::nullopt;
  auto mountpoint = LiteralPattern::make(parts->mountpoint, why_not);
  if (!mountpoint) return std::nullopt;
  return MountRule(std::string(parts->fstype), std::move(*source), std::move(*mountpoint));
}

std::string MountRule::render() const {
  return "mount fstype=" + fstype_ + " " + source_.token() + " -> " + mountpoint_.token() + ",";
}

bool MountRule::covers(const Observation& obs) const {
  if (obs.kind != ObsKind::mount) return false;
  auto parts = split(obs.object);
  return parts && parts->fstype == fstype_ && source_.matches(parts->source) &&
         mountpoint_.matches(parts->mountpoint);
}

std::strong_ordering MountRule::operator<=>(const MountRule& other) const {
  return std::tie(fstype_, mountpoint_, source_) <=>
         std::tie(other.fstype_, other.mountpoint_, other.source_);
}

}  // namespace armorer
