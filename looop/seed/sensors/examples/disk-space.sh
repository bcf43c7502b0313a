#!/usr/bin/env bash
# looop:interval=300
# Disk space: which filesystems are below DISK_MIN_FREE_PCT percent free (default 10).
# DISK_PATHS="/ /home" (default: / and $HOME). Only crossing the threshold wakes the loop.
set -euo pipefail
DISK_PATHS="${DISK_PATHS:-/ $HOME}"
DISK_MIN_FREE_PCT="${DISK_MIN_FREE_PCT:-10}"
# shellcheck disable=SC2086  # the paths are words on purpose
df -Pk $DISK_PATHS | python3 -c '
import json, sys
low_pct = float(sys.argv[1])
signal, detail = {}, {}
for line in sys.stdin.read().splitlines()[1:]:
    f = line.split()
    if len(f) < 6 or not f[1].isdigit():
        continue
    size, avail, mount = int(f[1]), int(f[3]), " ".join(f[5:])
    free = 100.0 * avail / size if size else 100.0
    signal[mount] = "low" if free < low_pct else "ok"
    detail[mount] = {"free_pct": round(free, 1), "free_gb": round(avail / 1048576, 1)}
print(json.dumps({"signal": signal, "detail": detail}))
' "$DISK_MIN_FREE_PCT"
