"""Schedules: timed wake-ups, one small JSON file each in `schedules/`.

Level-triggered like the rest of the beat: whether a schedule is due is
worked out from its file and the clock, never from memory. Only due-ness
feeds the world hash (one wake per firing; after downtime a recurring one
wakes once), and a file that cannot be read is `invalid`, never a failed beat.
Functions other parts call: `write`, `drop`, `load_all`, `next_due`,
`world_parts`, `section`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from looop.core import durations
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths

MIN_EVERY = 60  # seconds: the floor of a recurring schedule
HORIZON = 100 * 366 * 86400  # seconds: no schedule reaches further (a time_t and a datetime both hold it)
KINDS = ("in_s", "every_s", "at", "cron")  # exactly one of these in a spec


@dataclass(frozen=True)
class Schedule:
    """One schedule, evaluated at a moment."""

    name: str
    kind: str  # once | every | cron | invalid
    state: str  # pending | due | recurring | invalid
    spec: str = ""  # human words: "at 2026-12-01 09:00", "every 1d", "cron 0 9 * * 1-5"
    note: str = ""
    at: float | None = None  # a one-shot's moment
    last_fired: float | None = None  # a recurring one's latest firing (its period)
    next_due: float | None = None  # the next moment it fires (None: due now, or never again)
    problem: str = ""  # why it is invalid


# -- parsing what a human or a move gives ---------------------------------------

def parse_duration(text: str, flag: str = "duration") -> int:
    """A duration (`90`, `30m`, `1d`, `PT5M`, … see looop.core.durations) → whole seconds, within the horizon."""
    seconds = durations.parse_whole(text, flag)
    if seconds > HORIZON:
        raise FatalError(f"{flag} {text!r}: further than {HORIZON // 86400}d, the longest a schedule reaches", ExitStatus.BAD_INPUT)
    return seconds


def parse_at(text: str) -> float:
    """An ISO local time (`2026-12-01T09:00`, with or without seconds or offset) → epoch."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise FatalError(f"--at {text!r}: not an ISO time (e.g. 2026-12-01T09:00, local time)", ExitStatus.BAD_INPUT) from None
    try:
        epoch = moment.timestamp()  # a naive time is local time
    except (ValueError, OverflowError, OSError):
        epoch = -1.0
    if not 0 <= epoch <= time.time() + HORIZON:
        raise FatalError(f"--at {text!r}: outside 1970 to {HORIZON // 86400}d from now", ExitStatus.BAD_INPUT)
    return epoch


def check_cron(expr: str) -> str:
    """A 5-field cron expression croniter accepts, normalised to single spaces."""
    fields = str(expr).split()
    if len(fields) != 5:
        raise FatalError(f"--cron {expr!r}: needs 5 fields (minute hour day month weekday), got {len(fields)}", ExitStatus.BAD_INPUT)
    from croniter import croniter

    normal = " ".join(fields)
    try:
        croniter(normal, datetime.now()).get_next(datetime)
    except (ValueError, KeyError, TypeError, OverflowError) as exc:  # croniter's errors are ValueErrors
        if type(exc).__name__ == "CroniterBadDateError":
            raise FatalError(f"--cron {expr!r}: never fires (no such date)", ExitStatus.BAD_INPUT) from None
        raise FatalError(f"--cron {expr!r}: not a valid cron expression ({exc})", ExitStatus.BAD_INPUT) from None
    return normal


def _stamp(epoch: float) -> str:
    """An epoch as ISO local time with its offset (what the file keeps)."""
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def local(epoch: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch)) if epoch is not None else "-"


# -- writing and dropping (the verbs and the typed moves call these) ------------

def write(paths: Paths, name: str, spec: Mapping[str, Any], note: str = "", now: float | None = None) -> Schedule:
    """Create or replace `schedules/<name>.json` from a spec holding exactly one
    of `in_s` (seconds from now), `every_s` (≥ 60), `at` (ISO local time) or
    `cron` (5 fields, local time). Returns the schedule as it stands now; bad
    input is a FatalError (exit 2) and writes nothing."""
    from looop.core.fsio import atomic_write
    from looop.core.ids import check_plain

    check_plain(name, "schedule name")
    given = [k for k in KINDS if spec.get(k) is not None]
    if len(given) != 1:
        flags = ", ".join(f"--{k.removesuffix('_s')}" for k in given) or "none"
        raise FatalError(f"schedule {name}: give exactly one of --in, --every, --at, --cron (got {flags})", ExitStatus.BAD_INPUT)
    now = time.time() if now is None else now
    try:
        record = _record(given[0], spec[given[0]], now)
    except FatalError as exc:
        raise FatalError(f"schedule {name}: {exc}", exc.code) from None
    note = " ".join(str(note or "").split())
    if note:
        record["note"] = note
    atomic_write(paths.schedules / f"{name}.json", json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    return evaluate(name, record, now, None)


def _record(kind: str, value: Any, now: float) -> dict[str, Any]:
    """The file's fields for one spec (a FatalError when the value is out of range)."""
    record: dict[str, Any] = {"v": 1, "created": _stamp(now)}
    if kind in ("in_s", "every_s"):
        seconds = parse_duration(value, f"--{kind[:-2]}") if isinstance(value, str) else value
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= HORIZON:
            raise FatalError(f"--{kind[:-2]} {value!r}: must be a whole number of seconds from 0 to {HORIZON}", ExitStatus.BAD_INPUT)
        if kind == "every_s":
            if seconds < MIN_EVERY:
                raise FatalError(f"--every {value!r}: under the {MIN_EVERY} s floor of a recurring schedule", ExitStatus.BAD_INPUT)
            record.update(kind="every", every_s=int(seconds))
        else:
            record.update(kind="once", at=_stamp(now + seconds))
    elif kind == "at":
        record.update(kind="once", at=_stamp(parse_at(value)))
    else:
        record.update(kind="cron", cron=check_cron(value))
    return record


def drop(paths: Paths, name: str) -> bool:
    """Remove `schedules/<name>.json`; False when there was none."""
    from looop.core.ids import check_plain

    check_plain(name, "schedule name")
    try:
        (paths.schedules / f"{name}.json").unlink()
    except FileNotFoundError:
        return False
    return True


# -- evaluating ------------------------------------------------------------------

def evaluate(name: str, record: Any, now: float, cache: dict[str, Any] | None) -> Schedule:
    """What one schedule file means at `now` (never raises)."""
    if not isinstance(record, dict):
        return _invalid(name, "not a JSON object")
    note: str = record["note"] if isinstance(record.get("note"), str) else ""
    kind = record.get("kind")
    try:
        created = _epoch(record["created"]) if "created" in record else None
        if kind == "once":
            at = _epoch(record["at"])
            due = now >= at
            return Schedule(name, "once", "due" if due else "pending", f"at {local(at)}", note, at=at,
                            next_due=None if due else at)
        if kind == "every":
            every = record["every_s"]
            if isinstance(every, bool) or not isinstance(every, int) or not MIN_EVERY <= every <= HORIZON:
                return _invalid(name, f"every_s must be a whole number from {MIN_EVERY} to {HORIZON}")
            anchor = created if created is not None else 0.0
            periods = int((now - anchor) // every)
            last = anchor + periods * every if periods >= 1 else None
            return Schedule(name, "every", "recurring", f"every {durations.words(every)}", note, last_fired=last,
                            next_due=anchor + (max(periods, 0) + 1) * every)
        if kind == "cron":
            expr = record["cron"]
            if not isinstance(expr, str) or len(expr.split()) != 5:
                return _invalid(name, "cron must be a 5-field expression")
            last, nxt = _cron_times(name, expr, created, now, cache)
            return Schedule(name, "cron", "recurring", f"cron {expr}", note, last_fired=last, next_due=nxt)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        return _invalid(name, f"{type(exc).__name__}: {exc}" if not isinstance(exc, KeyError) else f"missing {exc}")
    return _invalid(name, f"unknown kind {kind!r} (once, every, cron)")


def _epoch(stamp: Any) -> float:
    """A stored ISO stamp → epoch; a ValueError when it is not one a clock can hold."""
    try:
        epoch = datetime.fromisoformat(str(stamp)).timestamp()
    except (OverflowError, OSError):
        epoch = -1.0
    if not 0 <= epoch <= time.time() + HORIZON:
        raise ValueError(f"{str(stamp)[:40]!r} is outside 1970 to {HORIZON // 86400}d from now")
    return epoch


def _invalid(name: str, problem: str) -> Schedule:
    return Schedule(name, "invalid", "invalid", problem=problem)


def _cron_times(name: str, expr: str, created: float | None, now: float,
                cache: dict[str, Any] | None) -> tuple[float | None, float]:
    """(latest firing since created, next firing), from the cache while it holds."""
    hit = cache.get(name) if cache is not None else None
    if (isinstance(hit, list) and len(hit) == 4 and hit[0] == expr and hit[1] == created
            and isinstance(hit[3], (int, float)) and now < hit[3]
            and (hit[2] is None or isinstance(hit[2], (int, float)) and hit[2] <= now)):
        return hit[2], hit[3]
    from croniter import croniter

    base = datetime.fromtimestamp(now)  # naive local time: DST is mktime's job
    last = croniter(expr, base).get_prev(datetime).timestamp()
    nxt = croniter(expr, base).get_next(datetime).timestamp()
    if created is not None and last < created:
        last = None
    if cache is not None:
        cache[name] = [expr, created, last, nxt]
    return last, nxt


def load_all(paths: Paths, now: float | None = None, *, use_cache: bool = True) -> list[Schedule]:
    """Every schedule in `schedules/`, by name, evaluated at `now`."""
    now = time.time() if now is None else now
    try:
        with os.scandir(paths.schedules) as it:
            names = sorted(e.name for e in it if e.name.endswith(".json") and not e.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []
    if not names:
        return []
    from looop.core.fsio import read_json_object

    cache = (read_json_object(paths.schedule_cache) or {}) if use_cache else {}
    before = json.dumps(cache, sort_keys=True)
    out = []
    for file_name in names:
        name = file_name[: -len(".json")]
        from looop.core.fsio import STATE_MAX_BYTES, read_bytes

        try:
            raw = read_bytes(paths.schedules / file_name, STATE_MAX_BYTES)  # a FIFO never blocks the beat
            if raw is None:
                out.append(_invalid(name, "not a regular file"))
                continue
            record = json.loads(raw)
        except (OSError, ValueError, RecursionError) as exc:
            why = "not valid JSON" if not isinstance(exc, OSError) else (getattr(exc, "strerror", None) or str(exc))
            out.append(_invalid(name, why))
            continue
        out.append(evaluate(name, record, now, cache))
    if use_cache:
        live = {s.name for s in out}
        cache = {k: v for k, v in cache.items() if k in live}
        if json.dumps(cache, sort_keys=True) != before:
            from looop.core.fsio import atomic_write

            try:
                atomic_write(paths.schedule_cache, json.dumps(cache) + "\n")
            except OSError:
                pass  # a cache, never a reason to fail a beat
    return out


def stamp(paths: Paths) -> tuple:
    """Names, mtimes and sizes of `schedules/`: cheap, to notice a write or a drop."""
    out = []
    try:
        with os.scandir(paths.schedules) as it:
            for e in it:
                try:
                    st = e.stat()
                except OSError:
                    continue
                out.append((e.name, st.st_mtime_ns, st.st_size))
    except OSError:
        return ()
    return tuple(sorted(out))


def fired_since(paths: Paths, schedules: list[Schedule], since: float) -> str | None:
    """A schedule that fell due, or was written due, after `since` (when the
    last beat began), which that beat may not have seen: its name, or None."""
    for s in schedules:
        moment = s.at if s.state == "due" else s.last_fired
        if moment is not None and moment > since:
            return s.name
        if s.state == "due":
            try:
                if (paths.schedules / f"{s.name}.json").stat().st_mtime > since:
                    return s.name
            except OSError:
                continue
    return None


def next_due(schedules: list[Schedule]) -> tuple[float, str] | None:
    """(the soonest moment a schedule fires, its name), or None."""
    soonest = [(s.next_due, s.name) for s in schedules if s.next_due is not None]
    return min(soonest) if soonest else None


# -- what the beat sees -------------------------------------------------------------

def world_parts(schedules: list[Schedule]) -> list[tuple[str, bytes]]:
    """Due-ness only: a due one-shot, a recurring one's period, an invalid file.
    A pending schedule adds nothing, so writing one wakes no one."""
    out = []
    for s in schedules:
        if s.state == "due":
            token = f"due {s.at}"
        elif s.state == "recurring" and s.last_fired is not None:
            token = f"fired {s.last_fired}"
        elif s.state == "invalid":
            token = "invalid"
        else:
            continue
        out.append((f"schedule:{s.name}", token.encode()))
    return out


def line(s: Schedule, now: float) -> str:
    """One schedule for a human or the decider."""
    if s.state == "invalid":
        return f"{s.name}: INVALID ({s.problem}); fix or remove schedules/{s.name}.json"
    if s.state == "due":
        text = f"{s.name}: {s.spec}: DUE since {local(s.at)} (stays due until dropped)"
    elif s.state == "pending":
        text = f"{s.name}: {s.spec}: pending, due {local(s.next_due)}"
    else:
        fired = f"last fired {local(s.last_fired)}" if s.last_fired is not None else "not fired yet"
        text = f"{s.name}: {s.spec}: {fired}, next {local(s.next_due)}"
    return text + (f" — {s.note}" if s.note else "")


def section(schedules: list[Schedule], now: float) -> str:
    """The prompt's SCHEDULES body."""
    if not schedules:
        return "(none)\n"
    return "".join(f"- {line(s, now)}\n" for s in schedules)


def as_json(s: Schedule) -> dict[str, Any]:
    """One schedule in `schedule list --json` and `status --json`."""
    def iso(epoch: float | None) -> str | None:
        return _stamp(epoch) if epoch is not None else None

    return {"name": s.name, "kind": s.kind, "state": s.state, "spec": s.spec or None, "note": s.note or None,
            "next_due": iso(s.next_due), "last_fired": iso(s.last_fired), "problem": s.problem or None}


def without_dropped(paths: Paths, parts: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The world once the schedules a move dropped are gone, so their going does
    not wake the next beat a second time (a firing the move never saw stays)."""
    return [p for p in parts
            if not p[0].startswith("schedule:") or (paths.schedules / f"{p[0][len('schedule:'):]}.json").exists()]
