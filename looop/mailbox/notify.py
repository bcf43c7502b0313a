"""Notifications: each ask, flag, failing streak and spend hold reaches the
human once, wherever they are (Apprise URLs in `notify`, or `notify_command`).

Each event is recorded in `.notified.json` only after a target took it, so a
crash re-sends rather than loses (at least once); the record, under a lock,
keeps it from going twice. A target that is down never fails a beat: each send
is bounded (5 s), retried on later beats with a back-off, and shown in status.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from looop.core.paths import Paths
from looop.mailbox import alerts
from looop.mailbox.deliver import Target, deliver

LOCK_WAIT_S = 12.0
BACKOFF_MAX_S = 3600.0


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")  # the same rule as config.schema.json


def problems(cfg: Mapping[str, Any] | None) -> list[str]:
    """Malformed notify entries, named like a config error (checked without jsonschema)."""
    urls = cfg.get("notify") if isinstance(cfg, Mapping) else None
    if urls is None:
        return []
    if not isinstance(urls, list):
        return ["notify: must be a list of notification URLs"]
    return [f"notify[{i}]: {url!r} is not a notification URL (scheme://...)"
            for i, url in enumerate(urls) if not (isinstance(url, str) and _URL.match(url))]


def targets(cfg: Mapping[str, Any] | None) -> list[Target]:
    if not isinstance(cfg, Mapping):
        return []
    out = []
    urls = cfg.get("notify")
    for i, url in enumerate(urls if isinstance(urls, list) else []):
        if isinstance(url, str) and _URL.match(url):
            scheme = url.split("://", 1)[0] if "://" in url else "?"
            out.append(Target(_digest(url), f"notify[{i}] ({scheme}://…)", url=url))
    cmd = cfg.get("notify_command")
    if isinstance(cmd, str) and cmd.strip():
        out.append(Target(_digest("command:" + cmd), "notify_command", command=cmd))
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def configured(paths: Paths) -> tuple[dict[str, Any] | None, list[Target]]:
    from looop.core.knobs import config_dict

    cfg = config_dict(paths.config)
    return cfg, targets(cfg)


# -- the events ----------------------------------------------------------------

# -- the record ------------------------------------------------------------------

def load(paths: Paths) -> dict[str, Any]:
    from looop.core.fsio import read_json_object

    state = read_json_object(paths.notified) or {}
    if not isinstance(state.get("events"), dict):
        state["events"] = {}
    if not isinstance(state.get("streaks"), dict):
        state["streaks"] = {}
    return state


def _save(paths: Paths, state: dict[str, Any]) -> None:
    from looop.core.fsio import atomic_write

    atomic_write(paths.notified, json.dumps({"v": 1, **{k: v for k, v in state.items() if k != "v"}},
                                            ensure_ascii=False, indent=1) + "\n", mode=0o600)


# -- sending -----------------------------------------------------------------------

def _send_due(paths: Paths, state: dict[str, Any], found: list[Target], keys: list[str] | None = None) -> bool:
    """Send each event to each target that has not taken it and is due; True when the record changed.

    Targets are tried side by side (each its events in turn, stopping at its
    first failure), so silent ones cost a beat one send bound, not one each."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from looop.core.selfbin import child_env
    from looop.records import events

    now = time.time()
    due: dict[str, list[str]] = {}
    for key in (keys if keys is not None else list(state["events"])):
        event = state["events"].get(key)
        if not isinstance(event, dict):
            continue
        per = event.setdefault("targets", {})
        for target in found:
            mark = per.get(target.key) or {}
            if not mark.get("sent") and float(mark.get("next", 0) or 0) <= now:
                due.setdefault(target.key, []).append(key)
    if not due:
        return False
    env = child_env(paths)
    by_key = {t.key: t for t in found}

    def send_all(target: Target) -> list[tuple[str, str | None, float]]:
        out = []
        for key in due[target.key]:
            why = deliver(target, state["events"][key]["payload"], env)
            out.append((key, why, time.time()))
            if why is not None:
                break  # this beat does not wait on it again
        return out

    with ThreadPoolExecutor(max_workers=min(8, len(due))) as pool:
        futures = {pool.submit(send_all, by_key[k]): by_key[k] for k in due}
        for future in as_completed(futures):
            target = futures[future]
            for key, why, when in future.result():
                per = state["events"][key]["targets"]
                if why is None:
                    per[target.key] = {"sent": when}
                    events.emit(paths.events, "notified", key=key, target=target.label)
                else:
                    tries = int((per.get(target.key) or {}).get("tries", 0) or 0) + 1
                    wait = 0.0 if tries == 1 else min(BACKOFF_MAX_S, 15.0 * 2 ** (tries - 2))
                    per[target.key] = {"tries": tries, "next": when + wait, "error": why, "label": target.label}
                    events.emit(paths.events, "notify_failed", key=key, target=target.label, error=why)
            _save(paths, state)  # recorded as soon as each target is done
    return True


def raise_event(paths: Paths, key: str, payload: dict[str, Any]) -> None:
    """A verb's own event (`ask`, `flag`): sent now, so no pulse is needed to hear of it."""
    _, found = configured(paths)
    if not found:
        return
    from looop.core.locks import locked

    with locked(paths.data / ".notified.lock", timeout=LOCK_WAIT_S) as held:
        if not held:
            return  # the beat is sending; it will pick this event up
        state = load(paths)
        if key not in state["events"]:
            state["events"][key] = {"payload": payload, "created": time.time(), "targets": {}}
            _save(paths, state)
        _send_due(paths, state, found, [key])


def on_beat(paths: Paths, workers: list, pending: list[str]) -> None:
    """Each beat: pick up events nobody sent (a crash, a missed flag), `failing`
    and `held`, and retry what failed. Never raises: notifying never fails a beat."""
    try:
        cfg, found = configured(paths)
        if cfg and "notify" in cfg:
            from looop.core.log import warn

            for problem in problems(cfg):
                warn(f"config {paths.config}: {problem}; that target is skipped")
        if not found and not paths.notified.exists():
            return
        from looop.core.locks import locked

        with locked(paths.data / ".notified.lock", blocking=False) as held:
            if held:
                _beat(paths, cfg, found, workers, pending)
    except Exception as exc:  # noqa: BLE001 - a notifier fault must not cost the beat
        from looop.core.log import warn

        warn(f"notifications: {exc}")


def _beat(paths: Paths, cfg: dict[str, Any] | None, found: list[Target], workers: list, pending: list[str]) -> None:
    state = load(paths)
    before = json.dumps(state, sort_keys=True)
    wanted = alerts.current_events(paths, cfg, state, workers, pending) if found else {}
    evs = state["events"]
    for key in [k for k in evs if k not in wanted]:
        del evs[key]  # answered, unflagged, recovered: its key never comes back
    for key, payload in wanted.items():
        evs.setdefault(key, {"payload": payload, "created": time.time(), "targets": {}})
    live = {t.key for t in found}
    for event in evs.values():  # a target removed from the config is no longer owed anything
        event["targets"] = {k: v for k, v in (event.get("targets") or {}).items() if k in live}
    if json.dumps(state, sort_keys=True) != before:
        _save(paths, state)
    _send_due(paths, state, found)


def failures(paths: Paths) -> list[dict[str, Any]]:
    """Sends that failed and wait for a retry: what status and NEEDS YOU show."""
    if not paths.notified.exists():
        return []
    out = []
    for key, event in load(paths)["events"].items():
        for mark in (event.get("targets") or {}).values() if isinstance(event, dict) else ():
            if isinstance(mark, dict) and not mark.get("sent") and mark.get("error"):
                nxt = mark.get("next")
                out.append({"event": key, "target": mark.get("label"), "tries": mark.get("tries"),
                            "error": mark.get("error"),
                            "next_try": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(nxt))
                            if isinstance(nxt, (int, float)) else None})
    return out


def pulse_stopped(paths: Paths, pid: int, why: str) -> None:
    """Said by a pulse on its way out (not when `looop down` stopped it: the human knows)."""
    try:
        from looop.mailbox import notify

        if _down_asked(paths):
            return
        notify.raise_event(paths, f"pulse-stopped:{pid}", alerts.payload(
            paths, "pulse_stopped", "", "looop: the pulse stopped",
            f"the pulse (pid {pid}) on {paths.data} stopped: {why}.\nStart it again: looop up") | {"worker": None})
    except Exception:  # noqa: BLE001 - a notifier fault must not hide the pulse's own exit
        pass


def mark_down(paths: Paths) -> None:
    """`looop down` is about to stop the pulse: its stop is no news."""
    from looop.core.fsio import atomic_write

    try:
        atomic_write(paths.lock_dir / "down-asked", "", durable=False)
    except OSError:
        pass


def _down_asked(paths: Paths) -> bool:
    import time

    marker = paths.lock_dir / "down-asked"
    try:
        fresh = time.time() - marker.stat().st_mtime < 300
    except OSError:
        return False
    marker.unlink(missing_ok=True)
    return fresh
