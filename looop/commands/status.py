"""`looop status [--json]`: the loop's live state in one look.

Read-only: no runner, no sensors, nothing written. `--json` is the one
document a client needs: pulse, last move, workers, pending asks, schedules,
goals, the journal tail, spend and whatever holds the loop back.
"""

from __future__ import annotations

import time
from typing import Any

from looop.beat.snapshot import snapshot
from looop.commands import usage
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text, one_line


def status(paths: Paths, as_json: bool = False) -> int:
    snap = snapshot(paths)
    if as_json:
        print(json_text(snap))
        return 0
    from looop.core.color import paint
    from looop.records.cost import usd

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
        said = f"the last commit failed ({g['time']})" if g["time"] else "beats stop before deciding"
        out.append((f"git: {said}: {one_line(g['problem'])}", "red"))
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
    from looop.core.stamps import parse_utc

    return parse_utc(stamp) or time.time() if stamp else time.time()


class Status(usage.Verb):
    json = usage.flag("--json", help="print the machine format (schemas/status.schema.json)")

    def main(self) -> int:
        return status(resolve(), as_json=self.json)
