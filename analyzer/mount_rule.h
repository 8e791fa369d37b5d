// `mount fstype=TYPE SOURCE -> MOUNTPOINT,` for mounts the workload did itself.
#pragma once

#include <compare>
#include <optional>
#include <string>

#include "analyzer/literal_pattern.h"
#include "core/observation.h"

namespace armorer {

class MountRule {
 public:
  // Object "<fstype> <source> <mountpoint>"; the source holds no space, the mount point may.
  static std::optional<MountRule> from_observation(const Observation& obs, std::string* why_not);

  // "mount fstype=tmpfs tmpfs -> /mnt/data,"
  std::string render() const;
  bool same_target(const MountRule& other) const { return (*this <=> other) == 0; }
  void merge(const MountRule&) {}
  bool covers(const Observation& obs) const;

  std::strong_ordering operator<=>(const MountRule& other) const;
  bool operator==(const MountRule& other) const { return (*this <=> other) == 0; }

 private:
  MountRule(std::string fstype, LiteralPattern source, LiteralPattern mountpoint)
      : fstype_(std::move(fstype)), source_(std::move(source)), mountpoint_(std::move(mountpoint)) {}
  std::string fstype_;
  LiteralPattern source_;
  LiteralPattern mountpoint_;
};

}  // namespace armorer
