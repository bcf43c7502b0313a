#!/usr/bin/env bash
# New files in a directory: those changed within NEW_FILES_HOURS (default 24) in NEW_FILES_DIR (default ~/Downloads).
# Level-triggered: a file wakes the loop when it appears, and again when it ages out of the window.
set -euo pipefail
NEW_FILES_DIR="${NEW_FILES_DIR:-$HOME/Downloads}"
NEW_FILES_HOURS="${NEW_FILES_HOURS:-24}"
[ -d "$NEW_FILES_DIR" ] || { echo "no directory $NEW_FILES_DIR (set NEW_FILES_DIR)" >&2; exit 1; }
find "$NEW_FILES_DIR" -maxdepth 1 -type f -mmin "-$((NEW_FILES_HOURS * 60))" -print0 | python3 -c '
import json, os, sys
names = sorted(os.path.basename(p) for p in sys.stdin.buffer.read().decode("utf-8", "replace").split("\0") if p)
print(json.dumps({"signal": {"new": names[:50], "count": len(names)}, "detail": {"dir": sys.argv[1]}}))
' "$NEW_FILES_DIR"
