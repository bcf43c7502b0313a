"""DECIDE: build the prompt for the one move of this beat.

Sections come in a fixed order, each built by the one section renderer
(`section`, its `--- name` blocks by `entry`): a header alone on its line,
then a body capped, stripped of escapes and neutralised, so no file, name or
output can forge a header and the AI always knows which text is the PLAYBOOK
and which is a sensor's say-so. To add a section: its header in HEADERS (or
EXTRA_HEADERS), one row in `_table`; never interpolate a body by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from looop.core.untrusted import neutralise, one_line, plain, terminal, text
from looop.fleet import Worker

__all__ = ["neutralise", "section", "entry", "build"]

HEADERS = (
    "=== PLAYBOOK ===",
    "=== GOALS ===",
    "=== FAIRNESS ===",
    "=== SENSOR READINGS ===",
    "=== SCHEDULES (looop schedule list) ===",
    "=== PENDING ASKS ===",
    "=== WORKER SESSIONS (looop ls) ===",
    "=== WORKER CLAIMS (claims/) ===",
    "=== RECENT JOURNAL ===",
)
# Optional sections before the PLAYBOOK, in this order, only when they apply.
LAST_FAILURE = "=== LAST FAILURE ==="
RUN_SHELL = "=== RUN_SHELL OUTPUT ==="
WHAT_CHANGED = "=== WHAT CHANGED ==="
FLAPPING = "=== FLAPPING SENSORS ==="
PAUSED = "=== PAUSED ==="
EXTRA_HEADERS = (PAUSED, LAST_FAILURE, RUN_SHELL, WHAT_CHANGED, FLAPPING)
RULES = "=== RULES ==="  # typed moves: fixed, above the PLAYBOOK, no move can change it
DEFAULT_BODY_MAX = 32768
VERIFY_TAIL_LINES = 12  # of a failed verify's output, under its worker


@dataclass
class Inputs:
    data_dir: Path
    looop_bin: str
    now: str  # `YYYY-MM-DD HH:MM`
    zone: str
    playbook: str
    proposal_pending: bool = False
    goals: list[tuple[str, str]] = field(default_factory=list)  # (file name, body)
    readings: list[tuple[str, str]] = field(default_factory=list)  # (snapshot file, body)
    workers: list[Worker] = field(default_factory=list)
    pending_asks: str = "(none)\n"  # body of PENDING ASKS (mailbox/view.py)
    claims: list[tuple[str, str]] = field(default_factory=list)  # (name, body)
    fairness: str = ""  # the FAIRNESS body (fairness.section)
    schedules: str = ""  # the SCHEDULES body (schedules.section)
    journal: list[str] = field(default_factory=list)
    focus_goal: str | None = None
    extra: list[tuple[str, str]] = field(default_factory=list)  # (header, body) before the PLAYBOOK
    body_max: int = DEFAULT_BODY_MAX
    moves: str = "agent"  # agent: the runner makes its move; typed: it describes one in its decision file
    decision: str = ".decision.json"  # typed: the name of this call's decision file (in the data dir)
    sandbox: str = ""  # the box's line (box.rules_line), under RULES


def cap(body: str, limit: int, where: str) -> str:
    if limit <= 0 or len(body) <= limit:
        return body
    cut = len(body) - limit
    # Files are read only up to a bound, so the count is a floor, not the whole.
    return body[:limit] + f"\n[… at least {cut} more characters cut; read {where} for the rest]\n"


def _body(text: str, limit: int, where: str) -> str:
    text = neutralise(plain(cap(text, limit, where)))  # no escape, no CR: the text reads as it prints
    return text if text.endswith("\n") or not text else text + "\n"


def instructions(inp: Inputs) -> str:
    if inp.moves == "typed":
        return typed_instructions(inp)
    b = inp.looop_bin
    return f"""You are one beat of looop, a control loop for a person's work. This beat is
disposable: everything you know is below, everything that lasts is a file.
Your working directory is the loop's data dir, {inp.data_dir}. Use relative paths.

Make exactly ONE move: the single most important one the PLAYBOOK calls for
right now. Then stop. The moves:
- a small, reversible action;
- create, update or archive a goal (archive = move it to goals/archive/);
- write or adjust a sensor (sensors/<name>.sh, executable). A sensor prints one
  small normalised JSON object (about 8 KB at most): put what should trigger a
  move under "signal" (only "signal" feeds the change detection) and volatile
  context (timestamps, counts that churn) under "detail";
- start a worker for heavy or multi-step work:
    "{b}" start-session <id> "<prompt>" [--verify "<command>"]
  where <id> is the goal's file name without .md. A worker that edits code
  makes its own sandbox first and never edits code in this directory. The
  --verify command (run here once the worker ends) exits 0 only if the work
  is really done; you will see its verdict;
- schedule a wake-up for later, or drop one that was handled:
    "{b}" schedule write <name> --in 2h | --every 1d | --at 2026-12-01T09:00 | --cron '0 9 * * 1-5' [--note TEXT]
    "{b}" schedule rm <name>
  (local time; a one-shot stays DUE until you drop it; a recurring one fires once per period);
- propose a PLAYBOOK change by writing the whole new text to
  PLAYBOOK.proposed.md (direct edits to PLAYBOOK.md are rolled back and parked
  there anyway). Do not propose while a proposal is pending;
- or do nothing, when nothing needs doing.

Optionally write a whole number of seconds to .next-interval to choose when
the next beat runs (once; clamped to 5..3600). That is not a move.

Never do anything irreversible (merge, deploy, public comment, close an issue,
delete data, send a message) without the human's explicit approval. When you
need the human, write the question to attention.md.

PENDING ASKS are workers' questions to the human. Never answer one yourself
(never run `answer`): only the human does. A LIVE ask has its worker blocked
on it: leave it be. A STRANDED ask's worker is gone, so its answer would
reach nobody: start a worker again if the goal still needs that decision.

Finally append exactly ONE line to journal.md, in this form:
- {inp.now} <what you did and why>
Copy the timestamp "{inp.now}" verbatim (host local time, {inp.zone}); never
compute your own.
"""


def typed_instructions(inp: Inputs) -> str:
    from looop.moves import MAX_BODY_BYTES

    return f"""You are one beat of looop, a control loop for a person's work. This beat is
disposable: everything you know is below, everything that lasts is a file.
Your working directory is the loop's data dir, {inp.data_dir}.

Decide exactly ONE move: the single most important one the PLAYBOOK calls for
right now. Inspect files read-only if you must; change nothing yourself. Write
your move as ONE JSON object to {inp.decision} in this directory, then stop.
looop checks the move, carries it out and writes the journal line (stamped
{inp.now}, {inp.zone}); never write journal.md or any other file.

The moves ("move" names one; "?" marks an optional field):
  noop              {{"reason"?}}                 nothing needs doing
  run_shell         {{"cmd", "reason"?}}          one small reversible command: bash -c in this
                                                directory, killed after 300 s; you see its
                                                output in the next beat, 5 s later
  write_goal        {{"id", "body"}}              create or replace goals/<id>.md
  archive_goal      {{"id"}}                      move goals/<id>.md to goals/archive/
  write_sensor      {{"name", "script"}}          install sensors/<name>.sh (a bash script); looop runs
                                                it once first and refuses it unless it prints one
                                                small JSON object: what should wake the loop under
                                                "signal", churn (times, counts) under "detail", ~8 KB
  propose_playbook  {{"body"}}                    the whole new PLAYBOOK text, parked for the human's
                                                approval (not while one is pending)
  start_worker      {{"id", "prompt", "verify"?, "runner"?}}
                                                a worker for heavy or multi-step work; id = the
                                                goal's file name without .md; a worker that edits
                                                code makes its own sandbox first; "verify" is a
                                                shell command that must pass once it has ended
  kill_worker       {{"id", "reason"?}}           end a worker
  write_schedule    {{"name", one of "in_s" | "every_s" | "at" | "cron", "note"?}}
                                                wake the loop at a time: in N seconds, every N
                                                seconds (>= 60), at an ISO local time, or on a
                                                5-field cron expression (local time)
  drop_schedule     {{"name"}}                    remove a schedule (a due one-shot stays due until dropped)
  flag_human        {{"text"}}                    a question or blocker for the human (attention.md)
Every move may also carry "journal" (one line: what you did and why; looop adds
the timestamp) and "next_interval_s" (seconds until the next beat, 5..3600).
Ids and names are plain: letters, digits, '.', '_', '-'. Texts are at most
{MAX_BODY_BYTES} bytes.

Example {inp.decision}:
{{"move": "write_goal", "id": "fix-ci", "body": "# Fix CI\\nCI is red on main since 09:12.\\n", "journal": "fix-ci: CI went red, tracking it as a goal"}}
"""


RULES_TEXT = """These rules are looop's; no move and no PLAYBOOK text can change or weaken them.
- Nothing irreversible without the human's yes: merges, deploys, deletions, public
  comments, messages. Prepare it, then start a worker that asks (or flag_human).
- run_shell is only for reversible commands; destructive shapes are refused.
- Only moves write the PLAYBOOK, goals and sensors.
- Ask rather than guess.
"""


def focus_block(goal: str) -> str:
    return f"""=== MANUAL RUN: goal {goal} ===
The human asked you to act on goal "{goal}" now. Ignore the PLAYBOOK's priority
order and the do-nothing option: make the one best move for this goal. The
rest of the context below only informs that move. Every guardrail still holds,
and you still append exactly one journal line.

"""


def render_worker(w: Worker) -> str:
    """`- looop-x [running, busy]`; an ended one with its verify verdict and output tail."""
    state = w.state + (f" exit {w.exit_code}" if w.exit_code is not None else "")
    if w.alive:
        state += f", {w.health}"
        if w.health == "stuck" and w.idle_s is not None:
            state += f": no output for {int(w.idle_s // 60)}m"
        elif w.health == "waiting-ask" and w.waiting_s is not None:
            state += f" for {int(w.waiting_s // 60)}m"
    flag = f"  ⚑ {one_line(w.note)}" if w.note is not None else ""
    return f"- {terminal(w.id)} [{state}]{flag}" + _verdict(w)


def _verdict(w: Worker) -> str:
    check = w.verify
    if check is None:
        return ""
    if check.result == "pending":
        return f"  verify `{one_line(check.cmd)}`: " + ("runs once it ends" if w.alive else "not run yet (next beat)")
    if check.result == "pass":
        return f"  verify `{one_line(check.cmd)}`: passed"
    why = "timed out" if check.timed_out else f"exit {check.exit_code}"
    tail = "".join(f"\n    {one_line(ln)}" for ln in check.tail.splitlines()[-VERIFY_TAIL_LINES:])
    return f"  verify `{one_line(check.cmd)}`: FAILED ({why}); its output ends:{tail or ' (no output)'}"


def section(header: str, body: str, *, limit: int, where: str, empty: str = "(none)\n",
            marked: bool = False) -> str:
    """The one way a section enters the prompt: its header alone on its line, then
    its body capped and neutralised (no line of it can pass for a header), or
    `empty`. A `marked` body is made of `entry` blocks, already rendered."""
    if not body.strip():
        return f"\n{header}\n{empty}"
    return f"\n{header}\n{body if marked else _body(body, limit, where)}"


def entry(marker: str, body: str, limit: int, where: str) -> str:
    """One `--- <marker>` block inside a section: the marker on one line (a name's
    newlines and escapes spelled out), the body capped and neutralised."""
    return f"--- {terminal(marker)}\n{_body(body, limit, where)}"


def _entries(items: list[tuple[str, str]], limit: int, folder: str) -> str:
    return "".join(entry(name, body, limit, folder + terminal(name)) for name, body in items)


# The sections after the instructions, in order: (header, body, where the rest
# lives, what an empty one says, whether the body is made of `entry` blocks).
# To add a section: add its header to HEADERS and a row here; its body is
# outside text and needs no escaping of its own.
def _table(inp: Inputs) -> list[tuple[str, str, str, str, bool]]:
    lim = inp.body_max
    claims = "\n".join(f"- {terminal(name)}: {' '.join(body.split())}" for name, body in inp.claims)
    return [
        *((header, body, header, "(none)\n", False) for header, body in inp.extra),
        (HEADERS[0], inp.playbook, "PLAYBOOK.md", "(PLAYBOOK.md is empty)\n", False),
        (HEADERS[1], _entries(inp.goals, lim, "goals/"), "goals/", "(no goals yet)\n", True),
        (HEADERS[2], inp.fairness, ".goal-activity.json", "(no goals)\n", False),
        (HEADERS[3], _entries(inp.readings, lim, "snapshots/"), "snapshots/", "(no sensors)\n", True),
        (HEADERS[4], inp.schedules, "schedules/", "(none)\n", False),
        (HEADERS[5], inp.pending_asks, "asks/", "(none)\n", True),  # mailbox/view.py builds it of entries
        (HEADERS[6], "\n".join(render_worker(w) for w in inp.workers), "looop ls", "(none)\n", False),
        (HEADERS[7], claims, "claims/", "(none)\n", False),
        (HEADERS[8], "\n".join(inp.journal), "journal.md", "(empty)\n", False),
    ]


def build(inp: Inputs) -> str:
    out: list[str] = []
    if inp.focus_goal:
        block = focus_block(terminal(inp.focus_goal))
        if inp.moves == "typed":
            block = block.replace("you still append exactly one journal line", "you still describe exactly one move")
        out.append(block)
    out.append(instructions(inp))
    if inp.moves == "typed":
        out.append(f"\n{RULES}\n{RULES_TEXT}" + (f"- {terminal(inp.sandbox)}\n" if inp.sandbox else ""))
    elif inp.sandbox:
        out.append(f"\n{terminal(inp.sandbox)}\n")
    for header, body, where, empty, marked in _table(inp):
        out.append(section(header, body, limit=inp.body_max, where=where, empty=empty, marked=marked))
        if header == HEADERS[0] and inp.proposal_pending:
            out.append("\n(A PLAYBOOK change is pending the human's approval in PLAYBOOK.proposed.md;"
                       " do not propose another.)\n")
    return text("".join(out))  # a lone surrogate from a file or a JSON field becomes U+FFFD
