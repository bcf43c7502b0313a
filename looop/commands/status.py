"""`looop status [--json]`: the loop's live state in one look.

Read-only and cheap: no schema library, no runner, no sensors.
"""

from __future__ import annotations

import json
import time
from typing import Any

from looop import __version__, fleet
from looop.fsio import PulseLock, read_text
from looop.paths import Paths
from looop.untrusted import one_line


def snapshot(paths: Paths) -> dict[str, Any]:
    from looop import cost

    pid = PulseLock(paths.lock_dir).holder()
    try:
        cfg = json.loads(paths.config.read_text())
    except (OSError, ValueError):
        cfg = None
    from looop.config import cadence
    from looop.errors import FatalError

    try:
        interval = cadence(cfg if isinstance(cfg, dict) else None)["interval"]
    except FatalError:
        interval = 60
    last_time = last_hash = None
    try:
        st = paths.last_hash.stat()
        last_time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(st.st_mtime))
        last_hash = (read_text(paths.last_hash, "") or "").strip() or None
    except OSError:
        pass
    workers = [
        {"id": w.id, "state": w.state, "alive": w.alive, "exit_code": w.exit_code,
         "flagged": w.flagged, "note": w.note, "health": w.health,
         "verify": w.verify.result if w.verify else None}
        for w in _workers(paths, cfg if isinstance(cfg, dict) else None)
    ]
    attention = [ln.strip() for ln in (read_text(paths.attention, "") or "").splitlines() if ln.strip()]
    return {
        "version": __version__,
        "pulse": {"running": pid is not None, "pid": pid, "interval_s": int(interval)},
        "paused": paths.paused.exists(),
        "last_tick": {"time": last_time, "hash": last_hash},
        "workers": workers,
        "playbook_proposal_pending": paths.proposed.exists(),
        "attention": attention,
        "cost_today_usd": cost.today_total(paths.ledger),
        "data_dir": str(paths.data),
        "config": str(paths.config),
        "profile": "default" if paths.is_default_profile else str(paths.data),
        **guardrails(paths, cfg if isinstance(cfg, dict) else None),
        "git_failure": _git_failure(paths),
    }


def _git_failure(paths: Paths) -> dict[str, Any] | None:
    from looop.fsio import read_json_object

    failed = read_json_object(paths.git_failure)
    return {"time": failed.get("ts"), "problem": str(failed.get("problem"))} if failed else None


def _workers(paths: Paths, cfg: dict[str, Any] | None) -> list[fleet.Worker]:
    """With health; a bad LOOOP_WORKER_STUCK in the environment: status still answers."""
    from looop import knobs
    from looop.errors import FatalError

    try:
        return fleet.workers(paths.fleet_root, config=cfg)
    except FatalError:
        return fleet.workers(paths.fleet_root, stuck_s=knobs.KNOBS["worker_stuck"].default)


def guardrails(paths: Paths, cfg: dict[str, Any] | None) -> dict[str, Any]:
    """Spend caps, flapping sensors and the last failure (tails and small files only)."""
    from looop import budget, changes, failure, knobs
    from looop.errors import FatalError

    try:
        state = budget.check(paths.events, paths.ledger, cfg)
    except FatalError:  # a bad knob in the environment: status still answers
        state = budget.check(paths.events, paths.ledger, cfg, env={})
    try:
        beats = knobs.whole("flap_beats", cfg)
    except FatalError:
        beats = knobs.KNOBS["flap_beats"].default
    saved = changes.load(paths.world_state)
    flapping = changes.flapping(saved["streaks"], beats) if saved else []
    failed = failure.load(paths.last_failure)
    last_failure = None
    if failed:
        ts = failed.get("ts")
        last_failure = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if isinstance(ts, (int, float)) else None,
            "run": failed.get("run"), "exit_code": failed.get("exit_code"), "why": failed.get("why"),
            "failures_in_row": failed.get("failures_in_row"),
        }
    return {"budget": state.as_json(), "flapping": flapping, "last_failure": last_failure}


def status(paths: Paths, as_json: bool = False) -> int:
    snap = snapshot(paths)
    if as_json:
        print(json.dumps(snap, ensure_ascii=False))
        return 0
    from looop.color import paint
    from looop.cost import usd

    p = snap["pulse"]
    pulse = f"running (pid {p['pid']}, idle every {p['interval_s']}s)" if p["running"] else "not running"
    print(f"{paint('looop', 'bold')} {snap['version']}  data: {snap['data_dir']}")
    print(f"  pulse:     {pulse}{paint('  [PAUSED]', 'yellow') if snap['paused'] else ''}")
    lt = snap["last_tick"]
    print(f"  last move: {lt['time'] or 'never'}" + (f"  (world {lt['hash'][:12]})" if lt["hash"] else ""))
    if snap["workers"]:
        print("  workers:")
        for w in snap["workers"]:
            code = f" exit {w['exit_code']}" if w["exit_code"] is not None else ""
            flag = paint(f"  ⚑ {one_line(w['note'] or '')}", "yellow") if w["flagged"] else ""
            verify = f" verify {one_line(str(w['verify']))}" if w["verify"] else ""
            print(f"    {one_line(w['id'])} [{w['state']}{code}, {w['health']}]{verify}{flag}")
    else:
        print("  workers:   none")
    if snap["playbook_proposal_pending"]:
        print(paint("  PLAYBOOK change pending: looop playbook diff", "yellow"))
    for line in snap["attention"]:
        print(paint(f"  attention: {one_line(line)}", "yellow"))
    b = snap["budget"]
    caps = [f"{b['decides_last_hour']} decisions in the last hour"
            + (f" (max {b['max_decides_per_hour']})" if b["max_decides_per_hour"] else "")]
    if b["daily_budget_usd"] is not None:
        caps.append(f"daily budget ${usd(b['daily_budget_usd'])}")
    print(f"  spend today: ${usd(snap['cost_today_usd'])}; " + ", ".join(caps))
    if b["exhausted"]:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(_epoch(b["resumes_at"])))
        print(paint(f"  BUDGET REACHED: {b['reason']}; no LLM calls until {when}", "yellow"))
    for name in snap["flapping"]:
        print(paint(f"  flapping sensor: {one_line(name)} (its signal changes every beat: move churn to \"detail\")", "yellow"))
    if snap["git_failure"]:
        g = snap["git_failure"]
        print(paint(f"  git: the last commit failed ({g['time']}): {one_line(g['problem'])}", "red"))
    f = snap["last_failure"]
    if f:
        print(paint(f"  last beat FAILED ({one_line(str(f['why']))}; {f['failures_in_row']} in a row): "
                    f"runs/{one_line(str(f['run']))}/output.log",
                    "red"))
    return 0


def _epoch(stamp: str | None) -> float:
    from looop.cost import parse_ts

    return parse_ts(stamp) or time.time() if stamp else time.time()
