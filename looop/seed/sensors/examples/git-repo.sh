#!/usr/bin/env bash
# A git repository's state: branch, uncommitted changes, commits not pushed (and not pulled).
# GIT_REPOS="~/src/app ~/src/lib" (default: the current directory's repository).
set -euo pipefail
GIT_REPOS="${GIT_REPOS:-.}"
rows=()
for repo in $GIT_REPOS; do
  repo="${repo/#\~/$HOME}"
  if ! out=$(git -C "$repo" status --porcelain=v2 --branch 2>&1); then
    rows+=("$repo" "error" "${out%%$'\n'*}")
    continue
  fi
  rows+=("$repo" "ok" "$out")
done
python3 - "${rows[@]}" <<'PY'
import json, sys
args, signal, detail = sys.argv[1:], {}, {}
for i in range(0, len(args), 3):
    repo, state, out = args[i:i + 3]
    if state == "error":
        signal[repo] = {"error": out[:200]}
        continue
    branch, ahead, behind, dirty = None, 0, 0, 0
    for line in out.splitlines():
        if line.startswith("# branch.head "):
            branch = line.split(" ", 2)[2]
        elif line.startswith("# branch.ab "):
            a, b = line.split()[2:4]
            ahead, behind = int(a), -int(b)
        elif line and not line.startswith("#"):
            dirty += 1
    signal[repo] = {"branch": branch, "dirty": dirty > 0, "unpushed": ahead, "behind": behind}
    detail[repo] = {"changed_files": dirty}
print(json.dumps({"signal": signal, "detail": detail}))
PY
