"""The fleet's own notifications: a worker that failed, failed its verify, or stalled, and a pulse that stopped.

Each is an event as things stand (§15): wanted while its worker is listed and
in that state, so it goes out once and is retried while a target is down. A
pulse's stop is sent by the pulse itself on its way out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from looop.core.paths import Paths


def worker_events(paths: Paths, cfg: dict[str, Any] | None, workers: list) -> dict[str, dict[str, Any]]:
    from looop.core import knobs
    from looop.core.errors import FatalError
    from looop.core.selfbin import user_command

    try:
        stall = knobs.get("notify_stall", cfg)
    except FatalError:
        stall = knobs.KNOBS["notify_stall"].default
    cmd = user_command(paths)
    out: dict[str, dict[str, Any]] = {}
    for w in workers:
        name = w.name
        if not w.alive and w.state == "exited" and w.exit_code not in (None, 0):
            out[f"worker-failed:{w.id}:{w.ended_at}"] = payload(
                paths, "worker_failed", name, f"looop: {name} failed",
                f"worker {name} exited with status {w.exit_code}.\nIts screen: {cmd} screenshot {name}")
        elif not w.alive and w.state == "dead":
            out[f"worker-failed:{w.id}:dead"] = payload(
                paths, "worker_failed", name, f"looop: {name} died",
                f"worker {name} died without an exit status.\nIts screen: {cmd} screenshot {name}")
        if w.verify is not None and w.verify.result == "fail":
            out[f"verify-failed:{w.id}:{w.ended_at}"] = payload(
                paths, "verify_failed", name, f"looop: {name} failed its verify",
                f"worker {name} ended but its verify failed: {w.verify.cmd}\nSee: {cmd} ls")
        if (w.alive and stall and w.health != "waiting-ask" and isinstance(w.idle_s, (int, float))
                and w.idle_s >= stall):
            out[f"stall:{w.id}"] = payload(
                paths, "worker_stalled", name, f"looop: {name} stalled",
                f"worker {name} has written nothing and asked nothing for {int(w.idle_s // 60)} min.\n"
                f"Look: {cmd} screenshot {name}   (or attach: {cmd} attach {name})")
    return out


def ask_event(paths: Paths, record: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    from looop.mailbox import store

    rid, worker = str(record["id"]), str(record["worker"])
    options = [str(o) for o in record.get("options") or []]
    command = store.answer_command(paths, rid)
    lines = [str(record.get("prompt", "")).strip()]
    if options:
        lines.append("Options: " + ", ".join(options))
    if record.get("reference"):
        lines.append(f"See: {record['reference']}")
    lines.append(f"Answer: {command} {store.placeholder(options)}")
    return f"ask:{rid}", {"event": "ask", "ask": rid, "worker": worker, "title": f"looop: {worker} asks",
                          "text": "\n".join(lines), "answer_command": command, "data_dir": str(paths.data)}


def flag_event(paths: Paths, worker: str, note: str, flagged_at: str | None) -> tuple[str, dict[str, Any]]:
    from looop.core.selfbin import user_command

    attach = f"{user_command(paths)} attach {worker}"
    text = f"{note or '(no note)'}\nAttach to answer: {attach}"
    return f"flag:{worker}:{flagged_at}", {"event": "flag", "worker": worker, "title": f"looop: {worker} needs you",
                                           "text": text, "data_dir": str(paths.data)}


def attention_event(paths: Paths, note: Any) -> tuple[str, dict[str, Any]]:
    from looop.core.selfbin import user_command

    text = f"{note.text}\nClear it: {user_command(paths)} attention done {note.id}"
    return f"attention:{note.id}", {"event": "attention", "note": note.id, "title": "looop: a note for you",
                                    "text": text, "data_dir": str(paths.data)}


def blocked_event(paths: Paths, worker: str, dialog: str, since: str | None) -> tuple[str, dict[str, Any]]:
    """A worker standing still on a CLI dialog nobody will answer (fleet/dialogs.py)."""
    from looop.core.selfbin import user_command
    from looop.fleet import dialogs

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


def current_events(paths: Paths, cfg: dict[str, Any] | None, state: dict[str, Any], workers: list,
                    pending: list[str]) -> dict[str, dict[str, Any]]:
    """Every event that should have been sent, as things stand now."""
    from looop.core import knobs
    from looop.core.errors import FatalError
    from looop.mailbox import store
    from looop.records import failures as failure

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
    out.update(worker_events(paths, cfg, workers))  # failed, verify failed, stalled
    from looop.records import attention

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
    from looop.core.fsio import read_json_object
    from looop.records import budget

    line = budget.noted(paths.budget_state)
    if not line:
        return None
    return line, (read_json_object(paths.budget_state) or {}).get("resumes_at")


def payload(paths: Paths, event: str, worker: str, title: str, text: str) -> dict[str, Any]:
    return {"event": event, "worker": worker, "title": title, "text": text, "data_dir": str(paths.data)}
