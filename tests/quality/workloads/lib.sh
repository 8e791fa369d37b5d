# Shared by the workloads: names that change on every run, the way upload ids, cache keys,
# repository, branch and temp names do in production. Drawn from bash's SRANDOM (the kernel's
# random source), not from the seed: two runs with one seed still name their data apart.
token() { # token [LENGTH]: lower-case letters and digits
  local n=${1:-8} chars=abcdefghijklmnopqrstuvwxyz0123456789 out=
  for ((k = 0; k < n; k++)); do out+=${chars:SRANDOM % 36:1}; done
  printf '%s' "$out"
}
