# VCS: git init, add and commit a randomly named tree twice, branch, log, diff and status.
# Mode "other": a deeper tree, a tag and `git show`.
# Usage: git.sh SEED DIR MODE
set -euo pipefail
seed=$1 dir=$2 mode=$3
source "$(dirname "$0")/lib.sh"
RANDOM=$seed
export GIT_AUTHOR_NAME=quality GIT_AUTHOR_EMAIL=quality@example.invalid
export GIT_COMMITTER_NAME=quality GIT_COMMITTER_EMAIL=quality@example.invalid
repo=$dir/$(token 8)
git init -q -b main "$repo"
cd "$repo"
files=$((3 + RANDOM % 6))
mods=($(token 5) $(token 5) $(token 5))
for ((i = 0; i < files; i++)); do
  sub=src/${mods[i % 3]}
  [[ $mode == other ]] && sub=$sub/$(token 4)
  mkdir -p "$sub"
  echo "value $RANDOM of seed $seed" > "$sub/$(token 8).txt"
done
echo "# project $seed" > README.md
git add -A
git commit -q -m "initial $seed"
branch=feature-$(token 6)
git checkout -q -b "$branch"
echo "change $RANDOM" >> README.md
git commit -q -am "change $seed"
git log --oneline > "$dir/log.txt"
git diff main --stat > "$dir/diff.txt"
git status --short > "$dir/status.txt"
if [[ $mode == other ]]; then
  git tag "v$seed"
  git show --stat "v$seed" > "$dir/show.txt"
fi
git checkout -q main
