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
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from looop.paths import Paths

SEND_TIMEOUT_S = 5.0
LOCK_WAIT_S = 12.0
BACKOFF_MAX_S = 3600.0


@dataclass(frozen=True)
class Target:
    key: str  # stable id in .notified.json (never the URL: it may hold a token)
    label: str  # safe to show
    url: str | None = None
    command: str | None = None


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
    from looop.knobs import config_dict

    cfg = config_dict(paths.config)
    return cfg, targets(cfg)


# -- the events ----------------------------------------------------------------

def ask_event(paths: Paths, record: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    from looop.mailbox import view

    rid, worker = str(record["id"]), str(record["worker"])
    options = [str(o) for o in record.get("options") or []]
    command = view.answer_command(paths, rid)
    lines = [str(record.get("prompt", "")).strip()]
    if options:
        lines.append("Options: " + ", ".join(options))
    if record.get("reference"):
        lines.append(f"See: {record['reference']}")
    lines.append(f"Answer: {command} {view.placeholder(options)}")
    return f"ask:{rid}", {"event": "ask", "ask": rid, "worker": worker, "title": f"looop: {worker} asks",
                          "text": "\n".join(lines), "answer_command": command, "data_dir": str(paths.data)}


def flag_event(paths: Paths, worker: str, note: str, flagged_at: str | None) -> tuple[str, dict[str, Any]]:
    from looop.selfbin import user_command

    attach = f"{user_command(paths)} attach {worker}"
    text = f"{note or '(no note)'}\nAttach to answer: {attach}"
    return f"flag:{worker}:{flagged_at}", {"event": "flag", "worker": worker, "title": f"looop: {worker} needs you",
                                           "text": text, "data_dir": str(paths.data)}


def attention_event(paths: Paths, note: Any) -> tuple[str, dict[str, Any]]:
    from looop.selfbin import user_command

    text = f"{note.text}\nClear it: {user_command(paths)} attention done {note.id}"
    return f"attention:{note.id}", {"event": "attention", "note": note.id, "title": "looop: a note for you",
                                    "text": text, "data_dir": str(paths.data)}


def blocked_event(paths: Paths, worker: str, dialog: str, since: str | None) -> tuple[str, dict[str, Any]]:
    """A worker standing still on a CLI dialog nobody will answer (fleet/dialogs.py)."""
    from looop.fleet import dialogs
    from looop.selfbin import user_command

    found = next((d for d in dialogs.DIALOGS if d.name == dialog), None)
    fix = f"\nOnce for all workers: {found.fix}" if found else ""
    text = (f"{worker} is stopped on the CLI's {dialog} dialog.{fix}\n"
            f"See it: {user_command(paths)} screenshot {worker}")
    return f"blocked:{worker}:{dialog}:{since}", {"event": "blocked", "worker": worker,
                                                  "title": f"looop: {worker} is blocked", "text": text,
                                                  "data_dir": str(paths.data)}


def _failing_event(paths: Paths, failed: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    streak, run = failed.get("failures_in_row"), failed.get("run")
    text = (f"{streak} beats in a row failed ({failed.get('why')}).\n"
            f"See: {paths.runs / str(run) / 'output.log'}")
    return f"failing:{run}", {"event": "failing", "title": "looop: the loop is failing", "text": text,
                              "data_dir": str(paths.data)}


def _held_event(paths: Paths, line: str, resumes: Any) -> tuple[str, dict[str, Any]]:
    return f"held:{resumes}", {"event": "held", "title": "looop: spend guardrail reached", "text": line,
                               "data_dir": str(paths.data)}


# -- the record ------------------------------------------------------------------

def load(paths: Paths) -> dict[str, Any]:
    from looop.fsio import read_json_object

    state = read_json_object(paths.notified) or {}
    if not isinstance(state.get("events"), dict):
        state["events"] = {}
    if not isinstance(state.get("streaks"), dict):
        state["streaks"] = {}
    return state


def _save(paths: Paths, state: dict[str, Any]) -> None:
    from looop.fsio import atomic_write

    atomic_write(paths.notified, json.dumps({"v": 1, **{k: v for k, v in state.items() if k != "v"}},
                                            ensure_ascii=False, indent=1) + "\n", mode=0o600)


# -- sending -----------------------------------------------------------------------

def deliver(target: Target, payload: Mapping[str, Any], env: Mapping[str, str] | None = None,
            timeout: float = SEND_TIMEOUT_S) -> str | None:
    """Send one event to one target within `timeout`; None when it went, else why not."""
    if target.command is not None:
        return _run_command(target.command, payload, env, timeout)
    result: list[str | None] = []
    worker = threading.Thread(target=lambda: result.append(_apprise(str(target.url), payload, timeout)),
                              daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or not result:
        return f"no reply within {timeout:g}s"
    return result[0]


def _apprise(url: str, payload: Mapping[str, Any], timeout: float) -> str | None:
    try:
        import apprise
    except ImportError:
        return "the apprise package is not installed (pip install apprise)"
    box = apprise.Apprise()
    if not box.add(url):
        return "not a notification URL apprise understands"
    for server in box:  # one socket budget inside the overall bound
        server.socket_connect_timeout = min(server.socket_connect_timeout or timeout, timeout - 0.5)
        server.socket_read_timeout = min(server.socket_read_timeout or timeout, timeout - 0.5)
    with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as logs:
        ok = box.notify(title=str(payload.get("title", "looop")), body=str(payload.get("text", "")))
        said = [ln.strip() for ln in logs.getvalue().splitlines() if ln.strip()]
    if ok:
        return None
    return (said[-1] if said else "not delivered")[:200]


def _run_command(command: str, payload: Mapping[str, Any], env: Mapping[str, str] | None, timeout: float) -> str | None:
    """Run `notify_command` with the event on stdin, within `timeout`: its stderr
    is kept as a short tail, and its exit is what counts (a daemon it left
    holding stderr is not waited for)."""
    import subprocess

    from looop import procgroup

    body = {k: v for k, v in payload.items() if k != "title"}
    try:
        proc = procgroup.spawn(["bash", "-c", command], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=dict(env) if env is not None else None)
    except OSError as exc:
        return f"cannot run: {exc.strerror or exc}"
    assert proc.stdin is not None and proc.stderr is not None
    try:
        err = _converse(proc, (json.dumps(body, ensure_ascii=False) + "\n").encode(), timeout)
    finally:
        proc.stdin.close()
        proc.stderr.close()
    if err is None:
        procgroup.kill(proc.pid, proc)
        return f"no reply within {timeout:g}s (killed)"
    if proc.returncode:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        return f"exit {proc.returncode}" + (f": {last[0][:160]}" if last[0] else "")
    return None


STDERR_TAIL = 8192  # bytes of a notify_command's stderr kept, for the error line


def _converse(proc: Any, data: bytes, timeout: float) -> bytes | None:
    """Feed `data` to stdin and keep the tail of stderr until the command exits
    (its stderr tail), or None when `timeout` passed first."""
    import selectors

    deadline = time.monotonic() + timeout
    tail = bytearray()
    sel = selectors.DefaultSelector()
    ins, errs = proc.stdin.fileno(), proc.stderr.fileno()
    for fd in (ins, errs):
        os.set_blocking(fd, False)
    sel.register(ins, selectors.EVENT_WRITE)
    sel.register(errs, selectors.EVENT_READ)
    exited = _exit_watch(proc, sel)
    try:
        while proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            for key, _ in sel.select(min(left, 0.05 if exited is None else left)):
                if key.fd == ins:
                    try:
                        data = data[os.write(ins, data[:65536]):]
                    except (BrokenPipeError, BlockingIOError) as exc:
                        data = data if isinstance(exc, BlockingIOError) else b""
                    if not data:
                        sel.unregister(ins)
                        proc.stdin.close()
                elif key.fd == errs and not _read_tail(errs, tail, sel):
                    sel.unregister(errs)
        for _ in range(16):  # what stderr holds now; never wait for a daemon that keeps it open
            if errs not in sel.get_map() or not _read_tail(errs, tail, sel):
                break
    finally:
        if exited is not None:
            os.close(exited)
        sel.close()
    return bytes(tail)


def _read_tail(fd: int, tail: bytearray, sel: Any) -> bool:
    """Read one chunk into the bounded tail; False at end of file or nothing there now."""
    try:
        chunk = os.read(fd, 65536)
    except BlockingIOError:
        return False
    tail += chunk
    del tail[:-STDERR_TAIL]
    return bool(chunk)


def _exit_watch(proc: Any, sel: Any) -> int | None:
    """A pidfd that turns readable when the command exits (Linux), so no poll is needed."""
    import selectors

    try:
        fd = os.pidfd_open(proc.pid)  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):
        return None
    sel.register(fd, selectors.EVENT_READ)
    return fd


def _send_due(paths: Paths, state: dict[str, Any], found: list[Target], keys: list[str] | None = None) -> bool:
    """Send each event to each target that has not taken it and is due; True when the record changed.

    Targets are tried side by side (each its events in turn, stopping at its
    first failure), so silent ones cost a beat one send bound, not one each."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from looop import events
    from looop.selfbin import child_env

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
    from looop.fsio import locked

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
            from looop.log import warn

            for problem in problems(cfg):
                warn(f"config {paths.config}: {problem}; that target is skipped")
        if not found and not paths.notified.exists():
            return
        from looop.fsio import locked

        with locked(paths.data / ".notified.lock", blocking=False) as held:
            if held:
                _beat(paths, cfg, found, workers, pending)
    except Exception as exc:  # noqa: BLE001 - a notifier fault must not cost the beat
        from looop.log import warn

        warn(f"notifications: {exc}")


def _beat(paths: Paths, cfg: dict[str, Any] | None, found: list[Target], workers: list, pending: list[str]) -> None:
    state = load(paths)
    before = json.dumps(state, sort_keys=True)
    wanted = _current_events(paths, cfg, state, workers, pending) if found else {}
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


def _current_events(paths: Paths, cfg: dict[str, Any] | None, state: dict[str, Any], workers: list,
                    pending: list[str]) -> dict[str, dict[str, Any]]:
    """Every event that should have been sent, as things stand now."""
    from looop import knobs
    from looop.errors import FatalError
    from looop.guard import failure
    from looop.mailbox import store

    out: dict[str, dict[str, Any]] = {}
    for rid in pending:
        if f"ask:{rid}" in state["events"]:
            out[f"ask:{rid}"] = state["events"][f"ask:{rid}"]["payload"]
            continue
        record = store.read(paths.asks / f"{rid}.json")
        if record is not None and "id" in record and "worker" in record:
            key, payload = ask_event(paths, record)
            out[key] = payload
    for w in workers:
        if w.alive and w.flagged:
            key, payload = flag_event(paths, store.worker_id(w.id), w.note or "", w.flagged_at)
            out[key] = payload
        elif w.alive and w.health.startswith("blocked: "):
            key, payload = blocked_event(paths, store.worker_id(w.id), w.health.removeprefix("blocked: "),
                                         w.started_at)
            out[key] = payload
    from looop.mailbox import alerts

    out.update(alerts.worker_events(paths, cfg, workers))  # failed, verify failed, stalled
    from looop import attention

    for note in attention.notes(paths):  # each note once: its key stays until it is done
        key, payload = attention_event(paths, note)
        out[key] = state["events"][key]["payload"] if key in state["events"] else payload
    streaks = state["streaks"]
    try:
        after = knobs.whole("notify_after_failures", cfg)
    except FatalError:
        after = knobs.KNOBS["notify_after_failures"].default
    failed = failure.load(paths.last_failure) or {}
    streak = failed.get("failures_in_row")
    if after and isinstance(streak, int) and streak >= after:
        key = streaks.get("failing")
        if not key or key not in state["events"]:
            key, payload = _failing_event(paths, failed)
            streaks["failing"] = key
        else:
            payload = state["events"][key]["payload"]
        out[key] = payload
    else:
        streaks["failing"] = None
    held = _held_line(paths)
    if held:
        key = streaks.get("held")
        if not key or key not in state["events"]:
            key, payload = _held_event(paths, *held)
            streaks["held"] = key
        else:
            payload = state["events"][key]["payload"]
        out[key] = payload
    else:
        streaks["held"] = None
    return out


def _held_line(paths: Paths) -> tuple[str, Any] | None:
    if not paths.budget_state.exists():
        return None
    from looop.fsio import read_json_object
    from looop.guard import budget

    line = budget.noted(paths.budget_state)
    if not line:
        return None
    return line, (read_json_object(paths.budget_state) or {}).get("resumes_at")


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
