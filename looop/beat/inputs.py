"""What DECIDE shows the AI: the prompt's inputs and the guard sections.

Every body is read with a bound (never the whole of a huge file) and handed to
`looop.beat.prompt`, which caps and neutralises it; this module only gathers.
"""

from __future__ import annotations

import time

from looop.beat import world
from looop.beat.diff import read_limit
from looop.beat.playbook import read_playbook
from looop.beat.value import Beat
from looop.core.fsio import read_text
from looop.core.paths import Paths
from looop.guard import pause
from looop.records import journal
from looop.time import schedules


def inputs(b: Beat):
    from looop.beat import fairness, prompt
    from looop.core import knobs

    paths = b.paths
    now, zone = journal.now_stamp()
    body_max = knobs.get("prompt_body_max")
    limit = read_limit()
    return prompt.Inputs(
        data_dir=paths.data,
        looop_bin=b.env["LOOOP_BIN"],
        now=now,
        zone=zone,
        playbook=read_playbook(paths, limit),
        proposal_pending=paths.proposed.exists(),
        goals=[(world.shown(g.name), read_text(g, "", limit) or "") for g in sorted(paths.goals.glob("*.md"))],
        readings=[(world.shown(s.name), read_text(s, "", limit) or "")
                  for s in sorted(b.snap_dir.glob("sensor-*.json"))],
        workers=b.workers,
        pending_asks=pending_asks(paths, b.workers),
        claims=[(world.shown(c.stem), read_text(c, "", limit) or "") for c in sorted(paths.claims.glob("*.json"))],
        fairness=fairness.section(paths, fairness.goal_ids(paths.goals)),
        schedules=schedules.section(b.timed, time.time()),
        journal=journal.recent(paths.journal, 20),
        focus_goal=b.focus,
        body_max=body_max,
    )


def guard_sections(paths: Paths, parts: list, config: dict, consume: bool = True) -> list[tuple[str, str]]:
    """LAST FAILURE, RUN_SHELL OUTPUT, WHAT CHANGED and FLAPPING SENSORS, before the PLAYBOOK."""
    from looop.beat import prompt
    from looop.core import knobs
    from looop.records import changes
    from looop.records import failures as failure

    out = []
    held = pause.prompt_section(paths)
    if held:
        out.append((prompt.PAUSED, held))
    failed = failure.section(paths.last_failure)
    if failed:
        out.append((prompt.LAST_FAILURE, failed))
    if paths.last_shell.exists():
        from looop.moves.shell import section

        shown = section(paths, consume=consume)
        if shown:
            out.append((prompt.RUN_SHELL, shown))
    before = changes.load(paths.world_state)
    out.append((prompt.WHAT_CHANGED, "\n".join(changes.report(before, parts)) + "\n"))
    beats = knobs.whole("flap_beats", config)
    flaps = changes.flapping(changes.streaks(before, parts), beats)
    if flaps:
        out.append((prompt.FLAPPING, changes.flapping_section(flaps, beats)))
    return out


PROMPT_CAP = 2048


def pending_asks(paths: Paths, workers: list) -> str:
    """Body of `=== PENDING ASKS ===`: each ask, LIVE or STRANDED, its text capped."""
    from looop.mailbox import store
    from looop.mailbox.view import age

    asks = store.pending(paths)
    if not asks:
        return "(none)\n"
    from looop.beat.prompt import entry
    from looop.mailbox import asking

    alive = {store.worker_id(w.id) for w in workers if w.alive}
    out = []
    for a in asks:
        live = a.worker in alive and asking.is_blocked(paths.asks / (str(a.id) + ".json"))
        raw = a.prompt.encode("utf-8", "surrogatepass")
        text = raw[:PROMPT_CAP].decode(errors="ignore").rstrip()
        if len(raw) > PROMPT_CAP:
            text += f"\n[… cut; read asks/{a.id}.json for the rest]"
        extra = [f"options: {', '.join(a.options)}"] if a.options else []
        extra += [f"reference: {a.reference}"] if a.reference else []
        body = text + "".join(f"\n{' '.join(line.split())}" for line in extra)
        out.append(entry(f"{a.id} (worker {a.worker}, {'LIVE' if live else 'STRANDED'}, {age(a.age_s)})",
                         body, 0, f"asks/{a.id}.json"))
    out.append("(LIVE: its worker is blocked on it. STRANDED: its worker is gone and the answer would reach "
               "nobody: start a worker again if the goal still needs it. Never answer an ask yourself.)\n")
    return "".join(out)
