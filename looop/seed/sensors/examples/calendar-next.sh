#!/usr/bin/env bash
# looop:interval=900
# A calendar's next event, from an .ics URL (a calendar's "secret address in iCal format").
# ICS_URL=https://calendar.example.com/private-…/basic.ics  ICS_LOOKAHEAD_H=24: only events that soon count.
# Plain events only: recurring ones (RRULE) are shown at their first date.
set -euo pipefail
ICS_URL="${ICS_URL:?set ICS_URL to the calendar .ics address}"
ICS_LOOKAHEAD_H="${ICS_LOOKAHEAD_H:-24}"
curl -fsS --max-time 20 "$ICS_URL" | python3 -c '
import json, sys
from datetime import datetime, timedelta, timezone
ahead = timedelta(hours=float(sys.argv[1]))
now = datetime.now(timezone.utc)
text = sys.stdin.read().replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "")

def when(name, value):
    """DTSTART forms: 20261203T090000Z (UTC), 20261203T090000 (local), VALUE=DATE:20261203."""
    if "VALUE=DATE" in name and len(value) == 8:
        return datetime.strptime(value, "%Y%m%d").astimezone(timezone.utc)
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    return datetime.strptime(value[:15], "%Y%m%dT%H%M%S").astimezone(timezone.utc)

events, event = [], None
for line in text.split("\n"):
    if line == "BEGIN:VEVENT":
        event = {}
    elif line == "END:VEVENT" and event is not None:
        if "start" in event:
            events.append(event)
        event = None
    elif event is not None and ":" in line:
        name, value = line.split(":", 1)
        if name.split(";")[0] == "DTSTART":
            try:
                event["start"] = when(name, value.strip())
            except ValueError:
                pass
        elif name.split(";")[0] == "SUMMARY":
            event["summary"] = value.strip().replace("\\,", ",")
coming = sorted((e for e in events if e["start"] >= now), key=lambda e: e["start"])
nxt = coming[0] if coming else None
soon = nxt if nxt and nxt["start"] - now <= ahead else None
shown = (lambda e: {"start": e["start"].isoformat(), "summary": e.get("summary", "")}) if nxt else None
print(json.dumps({"signal": {"next": shown(soon) if soon else None},
                  "detail": {"next_any": shown(nxt) if nxt else None, "events": len(events)}}))
' "$ICS_LOOKAHEAD_H"
