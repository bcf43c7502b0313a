"""The mailbox verbs: ask, asks, answer, tell, told, wait.

A worker asks and blocks; the human answers from any shell (exactly once);
the human tells a live worker something without blocking it; `wait` sleeps
until the loop needs the human. Bad input is one line, exit 1, nothing written.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text
from looop.mailbox import store


def _timeout(paths: Paths, given: str | None) -> float | None:
    """--timeout, else LOOOP_ASK_TIMEOUT, else config ask_timeout, else none (wait forever)."""
    from looop.core import knobs

    if given is None:
        value, where = knobs.raw("ask_timeout", knobs.config_dict(paths.config))
        if value is None:
            return None
        given = str(value)
    else:
        where = "--timeout"
    try:
        seconds = float(given)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise FatalError(f"{where}={given!r}: must be a number of seconds >= 0 (0 = wait forever)", ExitStatus.BAD_INPUT)
    return seconds or None


def ask(paths: Paths, worker: str | None, prompt: str, options: str | None, ref: str | None,
        timeout: str | None, resume: str | None = None) -> int:
    from looop.core import knobs
    from looop.core.selfbin import user_command
    from looop.mailbox import alerts, asking, notify

    caller = worker if worker is not None else os.environ.get("LOOOP_SESSION_ID")
    wait_s = _timeout(paths, timeout)
    if resume is not None:
        if prompt or options is not None or ref is not None:
            raise FatalError("ask: --wait picks up an ask made before; give it no --prompt, --options or --ref", ExitStatus.FAILED)
        record, wid = _earlier_ask(paths, resume, caller)
    else:
        wid = store.worker_id(caller)
        opts = [o.strip() for o in (options or "").split(",") if o.strip()]
        if options is not None and not opts:
            raise FatalError("ask: --options is empty; give choices like --options yes,no (or leave it out)", ExitStatus.FAILED)
        from looop.setup.seed import make_data_dir

        make_data_dir(paths)
        found = _same_ask_left_waiting(paths, wid, prompt, opts, ref)
        if found is not None:
            record = found  # the shell tool cut the first wait off: the same question, not a second one
        else:
            record = store.new_ask(paths, wid, prompt, opts, ref)
            from looop.records import events

            events.emit(paths.events, "ask_created", ask=record["id"], worker=wid)
            notify.raise_event(paths, *alerts.ask_event(paths, record))
    self_cmd = '"$LOOOP_BIN"' if os.environ.get("LOOOP_BIN") else user_command(paths)

    def note(waited_s: float) -> None:
        print(asking.waiting_line(record["id"], waited_s, self_cmd), file=sys.stderr, flush=True)

    every = knobs.get("ask_progress")
    answer = asking.wait_for_answer(paths, record, wait_s, user_command(paths), progress=note, progress_s=every)
    told = store.deliver_tells(paths, wid)
    for msg in told:
        print(f"• {msg}")
    if told:
        print("---")
    print(answer)
    return 0


def _earlier_ask(paths: Paths, rid: str, caller: str | None) -> tuple[dict[str, Any], str]:
    """The ask `ask --wait <id>` picks up: it must exist and be the caller's own."""
    try:
        store.ask_id(rid)
    except FatalError:
        raise FatalError(f"ask --wait {rid!r}: not an ask id (ids look like <worker>-<n>, as `looop asks` shows)",
                         ExitStatus.FAILED) from None
    record = store.read(paths.asks / f"{rid}.json")
    if record is None:
        raise FatalError(f"ask --wait {rid}: no such ask in {paths.asks} (`looop asks --all` lists them)", ExitStatus.FAILED)
    owner = record.get("worker") if isinstance(record.get("worker"), str) else store.split(rid)[0]
    if caller and store.worker_id(caller) != owner:
        raise FatalError(f"ask --wait {rid}: that ask is worker {owner}'s, not {store.worker_id(caller)}'s", ExitStatus.FAILED)
    return {**record, "id": rid}, str(owner)


def _same_ask_left_waiting(paths: Paths, wid: str, prompt: str, opts: list[str],
                           ref: str | None) -> dict[str, Any] | None:
    """A pending ask of this worker with the very same question that nobody waits
    on any more: asking it again resumes it."""
    from looop.mailbox import asking

    for rid in store.pending_ids(paths):
        if store.split(rid)[0] != wid:
            continue
        record = store.read(paths.asks / f"{rid}.json")
        if (record is None or record.get("prompt") != prompt or (record.get("options") or []) != opts
                or record.get("reference") != (ref or None) or asking.is_blocked(paths.asks / f"{rid}.json")):
            continue
        return {**record, "id": rid}
    return None


def asks(paths: Paths, as_json: bool = False, include_answered: bool = False, prune: str | None = None) -> int:
    from looop.mailbox import view

    if prune is not None:
        try:
            days = float(prune)
        except ValueError:
            days = -1.0
        if not days >= 0:
            raise FatalError(f"--prune {prune!r}: must be a number of days >= 0", ExitStatus.BAD_INPUT)
        gone = store.prune_answered(paths, days)
        print(f"pruned {len(gone)} answered ask{'s' if len(gone) != 1 else ''} older than {days:g} days")
        return 0
    found = store.all_asks(paths, include_answered)
    cmd = view.answer_command(paths, "").rsplit(" answer ", 1)[0] if found else ""
    if as_json:
        print(json_text([_listed(a, cmd) for a in found]))
        return 0
    if not found:
        print("no pending asks" if not include_answered else "no asks")
        return 0
    from looop.core.untrusted import one_line

    out = []
    for a in found:
        out.append(f"{a.id}  ({a.worker}, {view.age(a.age_s)} ago)  {view.first_line(a.prompt)}\n")
        if a.options:
            out.append(f"  options: {one_line(', '.join(a.options))}\n")
        if a.reference:
            out.append(f"  ref:     {one_line(a.reference)}\n")
        if a.answer is not None:
            out.append(f"  answered: {view.first_line(str(a.answer.get('answer', '')))}  ({a.answer.get('ts')})\n")
        elif a.answer_corrupt:
            out.append(f"  answer file unreadable: {cmd} answer {a.id} --force {view.placeholder(a.options)}\n")
        else:
            out.append(f"  answer:  {cmd} answer {a.id} {view.placeholder(a.options)}\n")
    sys.stdout.write("".join(out))
    return 0


def _listed(a: store.Ask, cmd: str) -> dict[str, Any]:
    """One item of `asks --json`, built field by field as asks.schema.json says,
    whatever a hand left in the file: unknown keys dropped, each field its type."""
    rec = a.record
    item: dict[str, Any] = {"v": 1, "id": str(a.id), "worker": str(a.worker), "prompt": str(a.prompt),
                            "ts": str(rec.get("ts", "")), "age_s": round(a.age_s, 1),
                            "answer_command": f"{cmd} answer {str(a.id)}", "answered": not a.pending}
    if a.options:
        item["options"] = [str(o) for o in a.options]
    if a.reference:
        item["reference"] = str(a.reference)
    if a.answer is not None:
        item["answer"] = {"v": 1, "answer": str(a.answer.get("answer", "")), "ts": str(a.answer.get("ts", "")),
                          **({"by": str(a.answer["by"])} if isinstance(a.answer.get("by"), str) else {})}
    return item


def answer(paths: Paths, rid: str, words: list[str], force: bool = False) -> int:
    if not words or words == ["-"]:
        raw = sys.stdin.buffer.read(store.ANSWER_MAX_BYTES + 1)
        if len(raw) > store.ANSWER_MAX_BYTES:
            raise FatalError(f"answer: stdin holds more than the {store.ANSWER_MAX_BYTES}-byte cap for an answer; "
                             "put long text in reports/ and answer with its path. Nothing was written", ExitStatus.FAILED)
        text = raw.decode("utf-8", errors="replace").rstrip("\n")
    else:
        text = " ".join(words)
    text = within_options(paths, rid, text, force)
    store.answer(paths, rid, text, force)
    from looop.records import events

    events.emit(paths.events, "ask_answered", ask=rid, forced=force)
    print(f"answered {rid}")
    return 0


def within_options(paths: Paths, rid: str, text: str, force: bool) -> str:
    """An ask with --options takes one of them (spelled as the ask spelled it); --force takes anything."""
    store.ask_id(rid)
    record = store.read(paths.asks / f"{rid}.json") or {}
    options = [str(o) for o in record.get("options") or []]
    if not options or force:
        return text
    for option in options:
        if text.strip().casefold() == option.strip().casefold():
            return option
    from looop.core.untrusted import one_line

    raise FatalError(f"answer: {one_line(text)[:60]!r} is not one of {rid}'s options: "
                     f"{', '.join(one_line(o) for o in options)} (--force sends it anyway); nothing was written", ExitStatus.FAILED)


def tell(paths: Paths, worker: str, words: list[str]) -> int:
    from looop import fleet

    wid = store.worker_id(worker)
    live = [store.worker_id(w.id) for w in fleet.workers(paths.fleet_root) if w.alive]
    if wid not in live:
        known = ", ".join(live) or "none"
        raise FatalError(f"tell: worker '{wid}' is not running (live workers: {known}); nothing was queued", ExitStatus.FAILED)
    record = store.new_tell(paths, wid, " ".join(words))  # the fleet lives in the data dir: it exists
    from looop.records import events

    events.emit(paths.events, "tell_queued", tell=record["id"], worker=wid)
    print(f"told {wid} ({record['id']}); it reads it with `told` or with its next answer")
    return 0


def told(paths: Paths, worker: str | None) -> int:
    wid = store.worker_id(worker if worker is not None else os.environ.get("LOOOP_SESSION_ID"))
    for msg in store.deliver_tells(paths, wid):
        print(f"• {msg}")
    return 0


def wait(paths: Paths, only_asks: bool = False, actionable: bool = False, timeout: str | None = None,
         as_json: bool = False) -> int:
    from looop.beat import wait as watch
    from looop.commands import status as status_verb

    if only_asks and actionable:
        raise FatalError("wait: choose one of --only-asks and --actionable", ExitStatus.BAD_INPUT)
    seconds = None
    if timeout is not None:
        try:
            seconds = float(timeout)
        except ValueError:
            seconds = -1.0
        if not seconds >= 0 or seconds == float("inf"):
            raise FatalError(f"--timeout {timeout!r}: must be a number of seconds >= 0", ExitStatus.BAD_INPUT)
    names = watch.FILTERS["only-asks" if only_asks else "actionable" if actionable else "all"]
    changed = watch.wait(paths, names, seconds)
    if not changed:
        print(f"looop: nothing changed in {seconds:g}s", file=sys.stderr)
        return ExitStatus.TIMEOUT
    if as_json:
        snap = status_verb.snapshot(paths)
        print(json_text({**snap, "changed": changed}))
    else:
        print(f"changed: {', '.join(changed)}")
        sys.stdout.flush()
        status_verb.status(paths)
    return ExitStatus.PULSE_DOWN if changed == ["pulse-down"] else ExitStatus.OK


class Ask(usage.Verb):
    worker = usage.option("--worker", str, None, argname="ID", help="the asking worker (default: $LOOOP_SESSION_ID)")
    prompt = usage.option("--prompt", str, "", argname="TEXT", help="the question, in a line or a few")
    options = usage.option("--options", str, None, argname="A,B", help="the choices, comma separated")
    ref = usage.option("--ref", str, None, argname="PATH", help="a file with the detail (e.g. reports/x.md)")
    timeout = usage.option("--timeout", str, None, argname="SECONDS",
                           help="give up after this long (exit 3; the ask stays pending); env LOOOP_ASK_TIMEOUT")
    wait = usage.option("--wait", str, None, argname="ASK-ID",
                        help="pick up the answer to an ask made before (after a cut-off wait); asks nothing new")

    def main(self) -> int:
        return ask(resolve(), self.worker, self.prompt, self.options, self.ref, self.timeout, self.wait)


class Asks(usage.Verb):
    json = usage.flag("--json", help="print a JSON array of ask records (schemas/asks.schema.json)")
    all = usage.flag("--all", help="include answered asks, with their answers")
    prune = usage.option("--prune", str, None, argname="DAYS",
                         help="remove answered asks (and their answers) older than DAYS")

    def main(self) -> int:
        return asks(resolve(), as_json=self.json, include_answered=self.all, prune=self.prune)


class Answer(usage.Verb):
    force = usage.flag("--force", help="replace an answer already given, or send one outside the ask's --options")

    def main(self, ask_id: str, *text: str) -> int:
        return answer(resolve(), ask_id, list(text), force=self.force)


class Tell(usage.Verb):
    def main(self, worker: str, *message: str) -> int:
        return tell(resolve(), worker, list(message))


class Told(usage.Verb):
    worker = usage.option("--worker", str, None, argname="ID", help="the worker (default: $LOOOP_SESSION_ID)")

    def main(self) -> int:
        return told(resolve(), self.worker)


class Wait(usage.Verb):
    only_asks = usage.flag("--only-asks", help="watch asks only")
    actionable = usage.flag("--actionable", help="watch asks and the journal")
    timeout = usage.option("--timeout", str, None, argname="SECONDS", help="give up after this long (exit 3)")
    json = usage.flag("--json", help="print the status --json object plus \"changed\"")

    def main(self) -> int:
        return wait(resolve(), only_asks=self.only_asks, actionable=self.actionable, timeout=self.timeout,
                    as_json=self.json)
