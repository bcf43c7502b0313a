"""`looop status [--json]`: the loop's live state in one look.

Read-only: no runner, no sensors, nothing written. `--json` is the one
document a client needs: pulse, last move, workers, pending asks, schedules,
goals, the journal tail, spend and whatever holds the loop back.
"""

from __future__ import annotations

import time
from typing import Any

from looop import __version__, fleet
from looop.fsio import PulseLock, read_text
from looop.paths import Paths
from looop.stamps import utc
from looop.untrusted import json_text, one_line

JOURNAL_TAIL = 10


def snapshot(paths: Paths) -> dict[str, Any]:
    """The one document a client needs (schemas/status.schema.json)."""
    from looop import cost, fairness, journal, parked, schedules, sensor_state
    from looop import pulse as pulse_mod
    from looop.fleet import keep
    from looop.guard import pause
    from looop.guard.budget import decides_since

    problem, cfg = config_problem(paths)
    pid = PulseLock(paths.lock_dir).holder()
    interval = _idle_interval(cfg)
    planned = pulse_mod.recorded(paths, pid)
    session = fleet.pulse_session(paths.fleet_root)
    last_time = last_hash = None
    try:
        st = paths.last_hash.stat()
        last_time = utc(st.st_mtime)
        last_hash = (read_text(paths.last_hash, "") or "").strip() or None
    except OSError:
        pass
    now = time.time()
    tail = journal.recent(paths.journal, JOURNAL_TAIL)
    attention = [ln.strip() for ln in (read_text(paths.attention, "") or "").splitlines() if ln.strip()]
    goals = fairness.order(paths, fairness.goal_ids(paths.goals))
    snap = {
        "version": __version__,
        "problem": problem,
        "pulse": {
            "running": pid is not None, "pid": pid,
            "interval_s": int(planned["wait_s"]) if planned else interval,
            "idle_interval_s": interval,
            "next_beat_at": _local_iso(planned.get("next_beat_epoch")) if planned else None,
            "session": bool(session and session.alive),
        },
        "pause": pause.current(paths),
        "failing_sensors": sensor_state.failing(paths),
        "last_tick": {"time": last_time, "hash": last_hash},
        "last_move": tail[-1] if tail else None,
        "decisions": {"last_hour": len(decides_since(paths.events, now - 3600, event="decided")),
                      "today": len(decides_since(paths.events, cost.local_midnight(now), event="decided"))},
        "workers": [worker_record(w) for w in _workers(paths, cfg)],
        "finished": [worker_record(w) for w in keep.workers(paths.fleet_root)],
        "schedules": [schedules.as_json(s) for s in schedules.load_all(paths, now)],
        "goals": [{"id": g, "last_acted": _local_iso(t)} for g, t in goals],
        "journal_tail": tail,
        "playbook_proposal_pending": paths.proposed.exists(),
        "playbook_proposal_why": parked.why(paths) if paths.proposed.exists() else None,
        "attention": attention,
        "cost_today_usd": cost.today_total(paths.ledger),
        "data_dir": str(paths.data),
        "config": str(paths.config),
        "profile": "default" if paths.is_default_profile else str(paths.data),
        **guardrails(paths, cfg),
        "git_failure": _git_failure(paths),
        **_mailbox(paths),
        "sandbox": _sandbox(cfg),
    }
    snap["paused"] = snap["pause"] is not None
    snap["held_back"] = [snap["budget"]["reason"]] if snap["budget"]["exhausted"] else []
    return snap


def _sandbox(cfg: dict[str, Any] | None) -> dict[str, Any]:
    from looop import box

    return box.status(cfg)


def worker_record(w: fleet.Worker) -> dict[str, Any]:
    """One worker in `status --json`, with its health and its verify result."""
    return {"id": w.id, "state": w.state, "alive": w.alive, "exit_code": w.exit_code,
            "flagged": w.flagged, "note": w.note, "health": w.health,
            "verify": w.verify.result if w.verify else None}


def config_problem(paths: Paths) -> tuple[str | None, dict[str, Any] | None]:
    """(what is wrong with the config, in one line, or None; the config as JSON)."""
    from looop import config
    from looop.errors import FatalError

    if not paths.config.exists():
        return f"no config at {paths.config}: run `looop init` to choose the agent CLI", None
    try:
        return None, config.load(paths.config, seed=False, valid_cache=paths.valid_config).data
    except FatalError as exc:
        from looop.knobs import config_dict

        return f"{exc} (beats fail until it is fixed)", config_dict(paths.config)


def _idle_interval(cfg: dict[str, Any] | None) -> int:
    from looop.config import cadence
    from looop.errors import FatalError

    try:
        return cadence(cfg)["interval"]
    except (FatalError, TypeError, ValueError):
        return 60


def _local_iso(epoch: Any) -> str | None:
    from looop.stamps import epoch as clock_epoch

    epoch = clock_epoch(epoch)
    if epoch is None:
        return None
    from datetime import datetime

    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def _git_failure(paths: Paths) -> dict[str, Any] | None:
    from looop.fsio import read_json_object

    failed = read_json_object(paths.git_failure)
    return {"time": failed.get("ts"), "problem": str(failed.get("problem"))} if failed else None


def _mailbox(paths: Paths) -> dict[str, Any]:
    from looop.mailbox import view

    return view.status_part(paths)


def _workers(paths: Paths, cfg: dict[str, Any] | None) -> list[fleet.Worker]:
    """With health; a bad LOOOP_WORKER_STUCK in the environment: status still answers."""
    from looop import knobs
    from looop.errors import FatalError
    from looop.mailbox import asking

    asks = asking.blocked_workers(paths)
    try:
        return fleet.workers(paths.fleet_root, config=cfg, asks=asks)
    except FatalError:
        return fleet.workers(paths.fleet_root, stuck_s=knobs.KNOBS["worker_stuck"].default, asks=asks)


def guardrails(paths: Paths, cfg: dict[str, Any] | None) -> dict[str, Any]:
    """Spend caps, flapping sensors and the last failure (tails and small files only)."""
    from looop import changes, knobs
    from looop.errors import FatalError
    from looop.guard import budget, failure

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
            "time": utc(ts) if isinstance(ts, (int, float)) else None,
            "run": failed.get("run"), "exit_code": failed.get("exit_code"), "why": failed.get("why"),
            "failures_in_row": failed.get("failures_in_row"),
        }
    return {"budget": state.as_json(), "flapping": flapping, "last_failure": last_failure}


def status(paths: Paths, as_json: bool = False) -> int:
    snap = snapshot(paths)
    if as_json:
        print(json_text(snap))
        return 0
    from looop.color import paint
    from looop.cost import usd

    p = snap["pulse"]
    if p["running"]:
        how = " as the session pulse" if p["session"] else ""
        nxt = ""
        if p["next_beat_at"]:
            at = _epoch_local(p["next_beat_at"])
            nxt = f"; next beat {time.strftime('%H:%M:%S', time.localtime(at))} (in {max(0, round(at - time.time()))}s)"
        pulse = f"running (pid {p['pid']}{how}; waits {p['interval_s']}s{nxt})"
    else:
        pulse = "not running (start it: looop up)"
    for text, colour in problems(snap):  # what is wrong comes first
        print(paint(f"! {text}", colour, "bold"))
    print(f"{paint('looop', 'bold')} {snap['version']}  data: {snap['data_dir']}")
    held = snap["pause"]
    paused = paint(f"  [PAUSED: {pause_words(held)}]", "yellow") if held else ""
    print(f"  pulse:     {pulse}{paused}")
    print(f"  last move: {one_line(snap['last_move'] or 'none yet')}")
    d, b = snap["decisions"], snap["budget"]
    cap = f", max {b['max_decides_per_hour']}/h" if b["max_decides_per_hour"] else ""
    print(f"  decisions: {d['today']} today, {d['last_hour']} in the last hour{cap}")
    sb = snap["sandbox"]
    gate_words = "the PLAYBOOK gate is exact" if sb["gate"] == "exact" else "the PLAYBOOK gate guesses who edited it"
    print(paint(f"  {sb['line']}; {gate_words}", "dim" if sb["gate"] == "exact" else "yellow"))
    if snap["workers"]:
        print("  workers:")
        for w in snap["workers"]:
            code = f" exit {w['exit_code']}" if w["exit_code"] is not None else ""
            flag = paint(f"  ⚑ {one_line(w['note'] or '(no note)')}", "yellow") if w["flagged"] else ""
            verify = f" verify {one_line(str(w['verify']))}" if w["verify"] else ""
            print(f"    {one_line(w['id'].removeprefix('looop-'))} [{w['state']}{code}, {w['health']}]{verify}{flag}")
    else:
        print("  workers:   none")
    if snap["finished"]:
        bad = [f"{one_line(w['id'].removeprefix('looop-'))} ("
               + (f"verify {w['verify']}" if w["verify"] == "fail" else f"{w['state']} {w['exit_code']}") + ")"
               for w in snap["finished"] if w["verify"] == "fail" or w["exit_code"] not in (None, 0)
               or w["state"] == "dead"]
        print(f"  finished:  {len(snap['finished'])} kept (looop ls)" + (paint(f"; failed: {', '.join(bad)}", "red")
                                                                       if bad else ""))
    due = [s for s in snap["schedules"] if s["state"] in ("due", "invalid")]
    nexts = sorted((s["next_due"], s["name"]) for s in snap["schedules"] if s["next_due"])
    if snap["schedules"]:
        soon = ""
        if nexts:
            soon = f"; next: {nexts[0][1]} at {time.strftime('%Y-%m-%d %H:%M', time.localtime(_epoch_local(nexts[0][0])))}"
        print(f"  schedules: {len(snap['schedules'])}{soon}")
        for s in due:
            print(paint(f"    {one_line(s['name'])}: {s['state'].upper()}"
                        + (f" ({one_line(s['problem'])})" if s["problem"] else "")
                        + (f" — {one_line(s['note'])}" if s["note"] else ""), "yellow"))
    if snap["goals"]:
        first = snap["goals"][0]
        print(f"  goals:     {len(snap['goals'])}; waiting longest: {one_line(first['id'])}"
              + ("" if first["last_acted"] else " (never acted on)"))
    if snap["playbook_proposal_pending"]:
        print(paint("  PLAYBOOK change pending: looop playbook diff", "yellow"))
        if snap["playbook_proposal_why"]:
            print(paint(f"    why: {snap['playbook_proposal_why']}", "yellow"))
    from looop.mailbox import view

    for line in view.status_lines(snap):
        print(paint(f"  {line}", "yellow"))
    for line in snap["attention"]:
        print(paint(f"  attention: {one_line(line)}", "yellow"))
    caps = f" of ${usd(b['daily_budget_usd'])} a day" if b["daily_budget_usd"] is not None else ""
    print(f"  spend today: ${usd(snap['cost_today_usd'])}{caps}")
    return 0


def pause_words(held: dict[str, Any]) -> str:
    from looop.guard.pause import words

    return words(held)


def problems(snap: dict[str, Any]) -> list[tuple[str, str]]:
    """What holds the loop back or went wrong, each one line, most serious first."""
    out = []
    if snap["problem"]:
        out.append((one_line(snap["problem"]), "red"))
    f = snap["last_failure"]
    if f:
        out.append((f"last beat FAILED ({one_line(str(f['why']))}; {f['failures_in_row']} in a row): "
                    f"runs/{one_line(str(f['run']))}/output.log", "red"))
    if snap["git_failure"]:
        g = snap["git_failure"]
        out.append((f"git: the last commit failed ({g['time']}): {one_line(g['problem'])}", "red"))
    b = snap["budget"]
    if b["exhausted"]:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(_epoch(b["resumes_at"])))
        out.append((f"BUDGET REACHED: {b['reason']}; no LLM calls until {when}", "yellow"))
    for sensor in snap.get("failing_sensors") or []:
        out.append((f"sensor {one_line(sensor['name'])} FAILING: {one_line(sensor['problem'])} "
                    f"(try it: looop sensor test {one_line(sensor['name'])})", "yellow"))
    for name in snap["flapping"]:
        out.append((f"flapping sensor: {one_line(name)} (its signal changes every beat: move churn to \"detail\")",
                    "yellow"))
    return out


def _epoch_local(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp).timestamp()


def _epoch(stamp: str | None) -> float:
    from looop.stamps import parse_utc

    return parse_utc(stamp) or time.time() if stamp else time.time()
