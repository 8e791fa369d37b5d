#include "cli/commands.h"
#include "core/error.h"

namespace armorer::cli {

AnalyzerOptions analyzer_options(const AnalysisArgs& args) {
  AnalyzerOptions options;
  options.use_abstractions = !args.no_abstractions;
  if (!args.abstractions.empty()) options.abstractions = args.abstractions;
  // The unconfined modes (ux, pux, ...) would let every child escape confinement: never written.
  const auto mode = exec_mode_from_string(args.exec_mode);
  if (!mode || to_string(*mode).find_first_of("uU") != std::string_view::npos)
    throw Fatal("unknown exec mode '" + args.exec_mode + "' (ix, px, Px, cx, Cx, pix, Pix, cix, Cix)", kExitUsage);
  options.exec_mode = *mode;
  return options;
}

}  // namespace armorer::cli
