// Forward-only schema migrations, embedded from schema/sql/NNN_*.sql at build time.
// PRAGMA user_version holds the highest applied version.
#pragma once

#include <string_view>
#include <vector>

namespace armorer {

struct Migration {
  int version;
  std::string_view sql;
};

const std::vector<Migration>& migrations();

}  // namespace armorer
