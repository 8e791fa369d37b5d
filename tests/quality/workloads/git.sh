# VCS: git init, add and commit a generated tree twice, branch, log, diff and status.
# Usage: git.sh SEED DIR
set -euo pipefail
seed=$1 dir=$2
RANDOM=$seed
export GIT_AUTHOR_NAME=quality GIT_AUTHOR_EMAIL=quality@example.invalid
export GIT_COMMITTER_NAME=quality GIT_COMMITTER_EMAIL=quality@example.invalid
repo="$dir/repo-$seed"
git init -q -b main "$repo"
cd "$repo"
files=$((3 + RANDOM % 6))
for ((i = 0; i < files; i++)); do
  mkdir -p "src/mod$((i % 3))"
  echo "value $RANDOM of seed $seed" > "src/mod$((i % 3))/file-$RANDOM.txt"
done
echo "# project $seed" > README.md
git add -A
git commit -q -m "initial $seed"
git checkout -q -b "feature-$seed"
echo "change $RANDOM" >> README.md
git commit -q -am "change $seed"
git log --oneline > "$dir/log-$seed.txt"
git diff main --stat > "$dir/diff-$seed.txt"
git status --short > "$dir/status-$seed.txt"
git checkout -q main
