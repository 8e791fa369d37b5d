// Writing command output: to stdout, or atomically to a file (temp file + rename), so that a
// failed run never leaves a half-written profile where a deployment expects a whole one.
#pragma once

#include <string>

namespace armorer::cli {

// Throws Fatal naming the path on failure.
void write_output(const std::string& path_or_empty, const std::string& content);

}  // namespace armorer::cli
