# The bench workloads, one definition for bench/run.sh and bench/compare.sh (sourced).
# workload NAME: sets WL to the command line of a workload (each 0.3-2 s untraced here); needs
# TOOLS (the built bench tools) and, for stress, SHM (a tmpfs directory). Returns 1 for an
# unknown name.
workload() {
  case $1 in
    file) WL=(sh -c 'find /usr/share -type f -size -64k -print0 | xargs -0 cat > /dev/null') ;;
    tar) WL=(sh -c 'tar -C /usr -cf - include share/doc | cat > /dev/null') ;;
    exec) WL=(sh -c 'i=0; while [ $i -lt 2000 ]; do /bin/true; i=$((i + 1)); done') ;;
    syscall) WL=("$TOOLS/bench_syscall_loop" 15000000) ;;
    network) WL=("$TOOLS/bench_tcp_loop" 30000) ;;
    stress) WL=("$TOOLS/bench_create_files" "$SHM/files" 200000 300) ;;
    *) return 1 ;;
  esac
}
