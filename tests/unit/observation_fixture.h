// One way for unit tests to write an Observation: kind and object first, the rest defaulted
// to a read-nothing fact of /usr/bin/app seen once.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "core/observation.h"

namespace armorer_test {

inline armorer::Observation obs(armorer::ObsKind kind, std::string object, uint32_t bits = 0,
                                uint32_t flags = 0, std::string subject = "/usr/bin/app",
                                uint64_t count = 1) {
  armorer::Observation o;
  o.kind = kind;
  o.subject = std::move(subject);
  o.object = std::move(object);
  o.access = bits;
  o.flags = flags;
  o.count = count;
  return o;
}

}  // namespace armorer_test
