// Rules that name one item of a closed vocabulary: `capability NAME,` and
// `network FAMILY [TYPE],`. Their text comes only from AppArmor's own tables, never from the
// recording, so nothing recorded can reach the profile through them.
#pragma once

#include <compare>
#include <optional>
#include <string>

#include "core/observation.h"

namespace armorer {

class CapabilityRule {
 public:
  // Object "net_raw" (or "CAP_NET_RAW", or the kernel's number).
  static std::optional<CapabilityRule> from_observation(const Observation& obs,
                                                        std::string* why_not);
  static std::optional<CapabilityRule> make(std::string_view name, std::string* why_not);

  const std::string& name() const { return name_; }  // "net_raw"
  std::string render() const;                        // "capability net_raw,"
  bool same_target(const CapabilityRule& other) const { return name_ == other.name_; }
  void merge(const CapabilityRule&) {}
  bool covers(const Observation& obs) const;

  auto operator<=>(const CapabilityRule&) const = default;

 private:
  std::string name_;
};

class NetworkRule {
 public:
  // Object "<family> <type> <protocol>", e.g. "inet stream 6"; names or numbers. The protocol
  // is not written: AppArmor 3 mediates family and type.
  static std::optional<NetworkRule> from_observation(const Observation& obs,
                                                     std::string* why_not);
  // An empty type means every type of the family.
  static std::optional<NetworkRule> make(std::string_view family, std::string_view type,
                                         std::string* why_not);

  const std::string& family() const { return family_; }
  const std::string& type() const { return type_; }
  std::string render() const;  // "network inet stream,"
  bool same_target(const NetworkRule& other) const {
    return family_ == other.family_ && type_ == other.type_;
  }
  void merge(const NetworkRule&) {}
  bool covers(const Observation& obs) const;

  auto operator<=>(const NetworkRule&) const = default;

 private:
  std::string family_;
  std::string type_;
};

}  // namespace armorer
