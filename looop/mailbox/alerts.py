"""The fleet's own notifications: a worker that failed, failed its verify, or stalled, and a pulse that stopped.

Each is an event as things stand (§15): wanted while its worker is listed and
in that state, so it goes out once and is retried while a target is down. A
pulse's stop is sent by the pulse itself on its way out.
"""

from __future__ import annotations

from typing import Any

from looop.paths import Paths


def worker_events(paths: Paths, cfg: dict[str, Any] | None, workers: list) -> dict[str, dict[str, Any]]:
    from looop import knobs
    from looop.errors import FatalError
    from looop.selfbin import user_command

    try:
        stall = knobs.get("notify_stall", cfg)
    except FatalError:
        stall = knobs.KNOBS["notify_stall"].default
    cmd = user_command(paths)
    out: dict[str, dict[str, Any]] = {}
    for w in workers:
        name = w.name
        if not w.alive and w.state == "exited" and w.exit_code not in (None, 0):
            out[f"worker-failed:{w.id}:{w.ended_at}"] = _payload(
                paths, "worker_failed", name, f"looop: {name} failed",
                f"worker {name} exited with status {w.exit_code}.\nIts screen: {cmd} screenshot {name}")
        elif not w.alive and w.state == "dead":
            out[f"worker-failed:{w.id}:dead"] = _payload(
                paths, "worker_failed", name, f"looop: {name} died",
                f"worker {name} died without an exit status.\nIts screen: {cmd} screenshot {name}")
        if w.verify is not None and w.verify.result == "fail":
            out[f"verify-failed:{w.id}:{w.ended_at}"] = _payload(
                paths, "verify_failed", name, f"looop: {name} failed its verify",
                f"worker {name} ended but its verify failed: {w.verify.cmd}\nSee: {cmd} ls")
        if (w.alive and stall and w.health != "waiting-ask" and isinstance(w.idle_s, (int, float))
                and w.idle_s >= stall):
            out[f"stall:{w.id}"] = _payload(
                paths, "worker_stalled", name, f"looop: {name} stalled",
                f"worker {name} has written nothing and asked nothing for {int(w.idle_s // 60)} min.\n"
                f"Look: {cmd} screenshot {name}   (or attach: {cmd} attach {name})")
    return out


def _payload(paths: Paths, event: str, worker: str, title: str, text: str) -> dict[str, Any]:
    return {"event": event, "worker": worker, "title": title, "text": text, "data_dir": str(paths.data)}


def pulse_stopped(paths: Paths, pid: int, why: str) -> None:
    """Said by a pulse on its way out (not when `looop down` stopped it: the human knows)."""
    try:
        from looop.mailbox import notify

        if _down_asked(paths):
            return
        notify.raise_event(paths, f"pulse-stopped:{pid}", _payload(
            paths, "pulse_stopped", "", "looop: the pulse stopped",
            f"the pulse (pid {pid}) on {paths.data} stopped: {why}.\nStart it again: looop up") | {"worker": None})
    except Exception:  # noqa: BLE001 - a notifier fault must not hide the pulse's own exit
        pass


def mark_down(paths: Paths) -> None:
    """`looop down` is about to stop the pulse: its stop is no news."""
    from looop.fsio import atomic_write

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
