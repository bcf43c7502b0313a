#!/usr/bin/env bash
# looop:interval=300
# GitHub: open PRs that ask for your review, and the CI state of your own open PRs.
# Needs `gh` logged in (`gh auth status`). GH_REPOS="owner/a owner/b" limits it to those repos.
set -euo pipefail
GH_REPOS="${GH_REPOS:-}"
command -v gh >/dev/null || { echo "gh is not installed (https://cli.github.com)" >&2; exit 1; }
review=() mine=()
if [ -n "$GH_REPOS" ]; then
  for repo in $GH_REPOS; do
    review+=("$(gh pr list -R "$repo" --search "review-requested:@me" --state open --json number,title,url)")
    mine+=("$(gh pr list -R "$repo" --author "@me" --state open --json number,title,url,statusCheckRollup)")
  done
else
  review+=("$(gh search prs --review-requested=@me --state=open --json repository,number,title,url --limit 50)")
  mine+=("$(gh search prs --author=@me --state=open --json repository,number,title,url --limit 50)")
fi
export GH_REPOS
python3 - "${#review[@]}" "${review[@]}" "${mine[@]}" <<'PY'
import json, sys
n = int(sys.argv[1]); review, mine = sys.argv[2:2 + n], sys.argv[2 + n:]
repos = __import__("os").environ.get("GH_REPOS", "").split()

def key(pr, i):
    repo = (pr.get("repository") or {}).get("nameWithOwner") or (repos[i] if i < len(repos) else "?")
    return f"{repo}#{pr['number']}"

def ci(pr):
    states = [(c.get("conclusion") or c.get("state") or c.get("status") or "").upper()
              for c in pr.get("statusCheckRollup") or []]
    if any(s in ("FAILURE", "ERROR", "CANCELLED", "TIMED_OUT", "ACTION_REQUIRED") for s in states):
        return "fail"
    if any(s in ("PENDING", "QUEUED", "IN_PROGRESS", "EXPECTED", "") for s in states):
        return "pending" if states else "none"
    return "pass" if states else "none"

wanted, titles, checks = [], {}, {}
for i, raw in enumerate(review):
    for pr in json.loads(raw or "[]"):
        wanted.append(key(pr, i)); titles[key(pr, i)] = pr.get("title", "")
for i, raw in enumerate(mine):
    for pr in json.loads(raw or "[]"):
        checks[key(pr, i)] = ci(pr); titles[key(pr, i)] = pr.get("title", "")
print(json.dumps({"signal": {"review_requested": sorted(wanted), "my_ci": dict(sorted(checks.items()))},
                  "detail": {"titles": titles}}))
PY
