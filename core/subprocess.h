// Running a helper program (apparmor_parser) and capturing what it prints, plus the temporary
// file it reads: small RAII pieces shared by the profile reader, the validator and emit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace armorer {

struct ProcessOutput {
  int status = 0;  // as from waitpid()
  std::string out, err;
};

// Runs argv[0] (a path) with stdin from /dev/null and both outputs captured; throws Fatal when
// it cannot be started.
ProcessOutput run_captured(const std::vector<std::string>& argv);

// A file in $TMPDIR (default /tmp) holding `content`, removed when this goes out of scope.
// Throws Fatal naming the file when it cannot be written.
class TempFile {
 public:
  TempFile(std::string_view content, std::string_view name_prefix);
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace armorer
