// Opening an armorer database safely: a file that is not ours (another program's SQLite
// DB, a text file, a corrupt or newer-schema DB) is refused before anything is written to it.
#pragma once

#include <memory>
#include <string>

#include "schema/sqlite_handle.h"
#include "schema/store.h"

namespace armorer {

// Stamped into the SQLite header (PRAGMA application_id) by the first migration so that
// another application's DB is recognised even when it also uses user_version. "ARMR".
inline constexpr int32_t kArmorerApplicationId = 0x41524D52;

// Opens `path`, checks it, and for read_write_create switches to WAL and applies missing
// migrations. Throws Fatal with one line naming the file on every refusal.
std::unique_ptr<sqlite::Connection> open_database(const std::string& path, OpenMode mode);

// Highest migration this build carries.
int latest_schema_version();

}  // namespace armorer
