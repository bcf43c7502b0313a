#!/usr/bin/env bash
# looop:interval=60
# An HTTP health check: is each of HEALTH_URLS answering 2xx/3xx within HEALTH_TIMEOUT seconds (default 10)?
# HEALTH_URLS="https://example.com/health https://api.example.com/ping"
set -euo pipefail
HEALTH_URLS="${HEALTH_URLS:?set HEALTH_URLS to the URLs to check}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-10}"
rows=()
for url in $HEALTH_URLS; do
  code=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time "$HEALTH_TIMEOUT" "$url" 2>/dev/null) || true
  rows+=("$url" "${code:-000 0}")
done
python3 - "${rows[@]}" <<'PY'
import json, sys
args, signal, detail = sys.argv[1:], {}, {}
for i in range(0, len(args), 2):
    url, (code, seconds) = args[i], (args[i + 1].split() + ["0"])[:2]
    status = int(code) if code.isdigit() else 0
    signal[url] = "up" if 200 <= status < 400 else "down"
    detail[url] = {"status": status, "ms": round(float(seconds) * 1000)}
print(json.dumps({"signal": signal, "detail": detail}))
PY
