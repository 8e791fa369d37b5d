// Mount rules for what the workload mounted itself: `mount fstype=TYPE SOURCE -> POINT,`
// (`mount SOURCE -> POINT,` for a bind or move mount, which has no type), `umount POINT,`,
// `remount POINT,` and `pivot_root oldroot=OLD NEW,`.
#pragma once

#include <compare>
#include <optional>
#include <string>

#include "apparmor/literal_pattern.h"
#include "core/observation.h"

namespace armorer {

class MountRule {
 public:
  enum class Operation : uint8_t { mount, umount, remount, pivot_root };

  // Object "<fstype> <source> <mountpoint>", fields encoded (core/object_field.h), "-" for
  // a missing one (recorder/audit/audit_observation.h): "- - /mnt/" unmounts the point,
  // "remount - /mnt/" remounts it, "pivot_root /new/old/ /new/" pivots, and a mount
  // without a type ("- /src/ /dst/") is a bind or move mount.
  static std::optional<MountRule> from_observation(const Observation& obs, std::string* why_not);

  Operation operation() const { return operation_; }
  // "mount fstype=tmpfs "tmpfs" -> /mnt/data,", "mount /src/ -> /dst/,", "umount /mnt/data,",
  // "remount /mnt/data,", "pivot_root oldroot=/new/old/ /new/,"
  std::string render() const;
  bool same_target(const MountRule& other) const { return (*this <=> other) == 0; }
  void merge(const MountRule&) {}
  bool covers(const Observation& obs) const;

  std::strong_ordering operator<=>(const MountRule& other) const;
  bool operator==(const MountRule& other) const { return (*this <=> other) == 0; }

 private:
  MountRule(Operation operation, std::string fstype, std::optional<LiteralPattern> source,
            LiteralPattern mountpoint)
      : operation_(operation), fstype_(std::move(fstype)), source_(std::move(source)),
        mountpoint_(std::move(mountpoint)) {}
  Operation operation_;
  std::string fstype_;                    // mount only; empty for a bind or move mount
  std::optional<LiteralPattern> source_;  // mount: the source; pivot_root: the old root
  LiteralPattern mountpoint_;             // pivot_root: the new root
};

}  // namespace armorer
