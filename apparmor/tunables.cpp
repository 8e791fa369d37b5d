// The variables a profile gets from `include <tunables/global>` on a stock AppArmor 3.0 system
// (Debian 12's apparmor 3.0.8: home, multiarch, proc, alias, kernelvars, xdg-user-dirs, share,
// etc, run). Embedded rather than read from /etc: the profiles we emit must mean the same thing
// wherever they are reviewed, and the machine that analyses need not be the one that enforces.
// Values are as written in those files (quotes removed); Aare expands the references.
#include "apparmor/aare.h"

namespace armorer {

const Variables& stock_tunables() {
  static const Variables vars = [] {
    Variables v;
    // tunables/home
    v["HOME"] = {"@{HOMEDIRS}/*/", "/root/"};
    v["HOMEDIRS"] = {"/home/"};
    // tunables/multiarch
    v["multiarch"] = {"*-linux-gnu*"};
    // tunables/proc
    v["PROC"] = {"/proc/"};
    // tunables/kernelvars: decimal numbers without leading zeros, as large as the kernel allows
    v["pid"] = {
        "{[1-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9],"
        "[1-9][0-9][0-9][0-9][0-9][0-9],[1-4][0-9][0-9][0-9][0-9][0-9][0-9]}"};
    v["tid"] = {"@{pid}"};
    v["pids"] = {"@{pid}"};
    v["uid"] = {
        "{[0-9],[1-9][0-9],[1-9][0-9][0-9],[1-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9],"
        "[1-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9],"
        "[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9],[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9],"
        "[1-4][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]}"};
    v["uids"] = {"@{uid}"};
    v["sys"] = {"/sys/"};
    // tunables/xdg-user-dirs
    v["XDG_DESKTOP_DIR"] = {"Desktop"};
    v["XDG_DOWNLOAD_DIR"] = {"Downloads"};
    v["XDG_TEMPLATES_DIR"] = {"Templates"};
    v["XDG_PUBLICSHARE_DIR"] = {"Public"};
    v["XDG_DOCUMENTS_DIR"] = {"Documents"};
    v["XDG_MUSIC_DIR"] = {"Music"};
    v["XDG_PICTURES_DIR"] = {"Pictures"};
    v["XDG_VIDEOS_DIR"] = {"Videos"};
    // tunables/share
    v["flatpak_exports_root"] = {"{flatpak/exports,flatpak/{app,runtime}/*/*/*/*/export}"};
    v["system_share_dirs"] = {"/{usr,usr/local,var/lib/@{flatpak_exports_root}}/share"};
    v["user_share_dirs"] = {"@{HOME}/.local{,/share/@{flatpak_exports_root}}/share"};
    // tunables/etc
    v["etc_ro"] = {"/etc/", "/usr/etc/"};
    v["etc_rw"] = {"/etc/"};
    // tunables/run
    v["run"] = {"/run/", "/var/run/"};
    return v;
  }();
  return vars;
}

}  // namespace armorer
