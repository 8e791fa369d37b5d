#include "apparmor/mount_rule.h"

#include <algorithm>
#include <cctype>
#include <tuple>
#include <vector>

#include "core/object_field.h"

namespace armorer {

namespace {

// File system type names are a kernel vocabulary ("ext4", "fuse.sshfs"): anything else is
// not a type and is not written.
bool plain_fstype(std::string_view fstype) {
  return !fstype.empty() && std::all_of(fstype.begin(), fstype.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '.' || c == '_' || c == '-';
  });
}

struct MountObject {
  MountRule::Operation operation;
  std::string fstype, source, mountpoint;
};

std::optional<MountObject> parse(std::string_view object, std::string* why_not) {
  auto fail = [&](std::string reason) -> std::optional<MountObject> {
    if (why_not) *why_not = std::move(reason);
    return std::nullopt;
  };
  auto fields = split_object_fields(object, 3);
  if (fields.size() != 3) return fail("mount object is not \"<fstype> <source> <mountpoint>\"");
  MountObject parts{MountRule::Operation::mount, std::move(fields[0]), std::move(fields[1]),
                    std::move(fields[2])};
  if (parts.mountpoint.empty()) return fail("mount without a mount point");
  if (!parts.mountpoint.starts_with('/')) return fail("mount point is not absolute");
  if (parts.fstype == "pivot_root") {
    parts.operation = MountRule::Operation::pivot_root;
    parts.fstype.clear();
    if (!parts.source.starts_with('/')) return fail("old root of pivot_root is not absolute");
  } else if (parts.fstype == "remount") {
    parts.operation = MountRule::Operation::remount;
    parts.fstype.clear();
    parts.source.clear();
  } else if (parts.fstype.empty()) {
    if (parts.source.empty()) parts.operation = MountRule::Operation::umount;
  } else {
    if (!plain_fstype(parts.fstype)) return fail("file system type is not a plain name");
    if (parts.source.empty()) return fail("mount without a source");
  }
  return parts;
}

}  // namespace

std::optional<MountRule> MountRule::from_observation(const Observation& obs,
                                                     std::string* why_not) {
  if (obs.kind != ObsKind::mount) {
    if (why_not) *why_not = "not a mount";
    return std::nullopt;
  }
  auto parts = parse(obs.object, why_not);
  if (!parts) return std::nullopt;
  std::optional<LiteralPattern> source;
  if (!parts->source.empty()) {
    source = LiteralPattern::make(parts->source, why_not);
    if (!source) return std::nullopt;
  }
  auto mountpoint = LiteralPattern::make(parts->mountpoint, why_not);
  if (!mountpoint) return std::nullopt;
  return MountRule(parts->operation, std::move(parts->fstype), std::move(source), std::move(*mountpoint));
}

std::string MountRule::render() const {
  switch (operation_) {
    case Operation::umount:
      return "umount " + mountpoint_.token() + ",";
    case Operation::remount:
      return "remount " + mountpoint_.token() + ",";
    case Operation::pivot_root:
      return "pivot_root oldroot=" + source_->token() + " " + mountpoint_.token() + ",";
    case Operation::mount:
      break;
  }
  const std::string type = fstype_.empty() ? "" : "fstype=" + fstype_ + " ";
  return "mount " + type + source_->token() + " -> " + mountpoint_.token() + ",";
}

bool MountRule::covers(const Observation& obs) const {
  if (obs.kind != ObsKind::mount) return false;
  auto parts = parse(obs.object, nullptr);
  if (!parts || parts->operation != operation_ || parts->fstype != fstype_) return false;
  if (source_.has_value() != !parts->source.empty()) return false;
  return (!source_ || source_->matches(parts->source)) && mountpoint_.matches(parts->mountpoint);
}

std::strong_ordering MountRule::operator<=>(const MountRule& other) const {
  return std::tie(operation_, fstype_, mountpoint_, source_) <=>
         std::tie(other.operation_, other.fstype_, other.mountpoint_, other.source_);
}

}  // namespace armorer
