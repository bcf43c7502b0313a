"""DIFF, explained: what changed since the last decided beat, and who flaps.

Each decided beat saves digests and size-capped signal values, so the next
prompt says why the AI was woken (old → new) and names sensors whose signal
changed on every one of the last N decided beats.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

VALUE_CAP = 2048  # chars of one signal kept for old → new
KEYS_SHOWN = 12  # changed keys listed per sensor
SHOWN_CHARS = 120  # of one value in the prompt
LINES_CAP = 80


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:16]


def load(path: Path) -> dict[str, Any] | None:
    """The saved state (also the older digests-only format), or None."""
    from looop.core.fsio import read_json_object

    data = read_json_object(path)
    if data is None:
        return None
    if "parts" not in data:  # digests only, written before values were kept
        return {"parts": {k: v for k, v in data.items() if isinstance(v, str)}, "values": {}, "streaks": {}}
    for key in ("parts", "values", "streaks"):
        if not isinstance(data.get(key), dict):
            data[key] = {}
    return data


def streaks(before: dict[str, Any] | None, parts: list[tuple[str, bytes]]) -> dict[str, int]:
    """Per sensor: how many decided beats in a row (this one included) its signal changed."""
    if before is None:
        return {}
    old_parts, old_streaks = before["parts"], before["streaks"]
    out = {}
    for marker, body in parts:
        if not marker.startswith("sensor:"):
            continue
        name = marker[len("sensor:"):]
        if marker in old_parts and old_parts[marker] != _digest(body):
            prior = old_streaks.get(name, 0)
            out[name] = (prior if isinstance(prior, int) else 0) + 1
        else:
            out[name] = 0
    return out


def flapping(counts: dict[str, int], beats: int) -> list[str]:
    return sorted(name for name, n in counts.items() if beats > 0 and n >= beats)


def save(path: Path, parts: list[tuple[str, bytes]], before: dict[str, Any] | None) -> None:
    from looop.core.fsio import atomic_write

    values = {}
    for marker, body in parts:
        if marker.startswith(("sensor:", "worker:")):
            text = body.decode("utf-8", errors="replace")
            values[marker] = text if len(text) <= VALUE_CAP else None
    state = {"v": 2, "parts": {m: _digest(b) for m, b in parts}, "values": values,
             "streaks": streaks(before, parts)}
    atomic_write(path, json.dumps(state, indent=0) + "\n")  # ASCII: a name's undecodable bytes round-trip


def _show(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


_ABSENT = object()


def _flatten(value: Any, prefix: str = "", depth: int = 0) -> dict[str, Any]:
    if isinstance(value, dict) and value and depth < 4:
        out: dict[str, Any] = {}
        for key in sorted(value):
            out.update(_flatten(value[key], f"{prefix}.{key}" if prefix else str(key), depth + 1))
        return out
    return {prefix or "(signal)": value}


def _parse(text: str | None) -> Any:
    if text is None:
        return _ABSENT
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def value_lines(old_text: str | None, new_text: str) -> list[str]:
    """`key: old → new` for each changed key of a signal (capped)."""
    old, new = _parse(old_text), _parse(new_text)
    if old is _ABSENT:
        return ["    (the old value was too large to keep; now: " + _show(new) + ")"]
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [f"    {_show(old)} → {_show(new)}"]
    a, b = _flatten(old), _flatten(new)
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k, _ABSENT) != b.get(k, _ABSENT)]
    out = [f"    {k}: {_show(a.get(k, _ABSENT))} → {_show(b.get(k, _ABSENT))}" for k in keys[:KEYS_SHOWN]]
    if len(keys) > KEYS_SHOWN:
        out.append(f"    (… {len(keys) - KEYS_SHOWN} more changed keys)")
    return out


def _worker(text: str | None) -> str:
    """A worker's stable fields as `state[ exit N][ ⚑ note]`."""
    fields = _parse(text)
    if not (isinstance(fields, list) and len(fields) == 4):
        return "(unknown)"
    _, state, code, note = fields
    return f"{state}" + (f" (exit {code})" if code is not None else "") + (f" ⚑ {_show(note)}" if note is not None else "")


def _label(marker: str) -> str:
    """A part's name on one line: a file name's newlines and escapes spelled out."""
    from looop.core.untrusted import terminal

    kind, _, name = marker.partition(":")
    return terminal({"sensor": f"sensor {name}", "worker": f"worker {name}"}.get(kind, marker))


def report(before: dict[str, Any] | None, parts: list[tuple[str, bytes]]) -> list[str]:
    """The body of `=== WHAT CHANGED ===`."""
    if before is None:
        return ["(the first decided beat: everything below is new)"]
    old, values = before["parts"], before["values"]
    now = {m: b for m, b in parts}
    out: list[str] = []
    for marker, body in parts:
        if marker not in old:
            shown = f": {_show(_parse(body.decode('utf-8', 'replace')))}" if marker.startswith(("sensor:", "worker:")) else ""
            out.append(f"- {_label(marker)}: added{shown}")
        elif old[marker] != _digest(body):
            out.append(f"- {_label(marker)}: changed")
            if marker.startswith("worker:"):
                out.append(f"    {_worker(values.get(marker))} → {_worker(body.decode('utf-8', 'replace'))}")
            elif marker.startswith("sensor:"):
                out.extend(value_lines(values.get(marker), body.decode("utf-8", errors="replace")))
    out += [f"- {_label(m)}: removed" for m in old if m not in now]
    if not out:
        return ["(nothing since the last decided beat: this beat was asked for, or is a scheduled re-check)"]
    if len(out) > LINES_CAP:
        out = out[:LINES_CAP] + [f"(… {len(out) - LINES_CAP} more lines)"]
    return out


def flapping_section(names: list[str], beats: int) -> str:
    from looop.core.untrusted import terminal

    lines = [f"- sensor {terminal(n)}: its signal changed on each of the last {beats} decided beats" for n in names]
    return "\n".join(lines) + (
        "\nA flapping sensor wakes the loop (and spends money) for churn. Unless that churn really needs a "
        "move each time, make one move to fix it: move its volatile fields (timestamps, counters, ages) "
        "from \"signal\" to \"detail\" in sensors/<name>.sh.\n")
