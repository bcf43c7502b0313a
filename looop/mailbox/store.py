"""The mailbox's files: asks/, answers/ and tells/, each record one JSON file.

Nothing is ever half written: a record appears whole or not at all (written
to a hidden temp file, then hard-linked into place, which also makes it an
exclusive create: two humans answering at once, exactly one wins). Asks and
answers are never deleted by looop except by `asks --prune`: they are the
record of what was decided.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths
from looop.core.untrusted import Outside

ANSWER_MAX_BYTES = 65536  # an answer is a decision, not a document: point to a file in reports/
PROMPT_MAX_BYTES = 65536
TELL_MAX_BYTES = 65536
CONSUMED_KEEP_S = 7 * 86400
PREFIX = "looop-"
RECORD_MAX_BYTES = 4 * PROMPT_MAX_BYTES  # a record holds one capped text and a few small fields


def worker_id(name: str | None) -> str:
    """The id the user typed (`x` for `x` or `looop-x`), refusing anything but a plain name."""
    from looop.core.ids import check_plain

    if not name:
        raise FatalError("no worker id: pass --worker ID (workers have LOOOP_SESSION_ID set)", ExitStatus.FAILED)
    bare = name.removeprefix(PREFIX)
    return check_plain(bare, "worker id")


def ask_id(name: str) -> str:
    from looop.core.ids import check_plain

    return check_plain(name, "ask id")


def utc(epoch: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if epoch is None else epoch))


def epoch(stamp: Any) -> float | None:
    """`YYYY-MM-DDTHH:MM:SSZ` → seconds (by hand: strptime costs a listing of 200 asks a third more)."""
    from datetime import datetime

    if not isinstance(stamp, str) or len(stamp) != 20 or stamp[10] != "T" or stamp[19] != "Z":
        return None
    try:
        return datetime(int(stamp[0:4]), int(stamp[5:7]), int(stamp[8:10]), int(stamp[11:13]), int(stamp[14:16]),
                        int(stamp[17:19]), tzinfo=UTC).timestamp()
    except ValueError:
        return None


# -- writing whole records ------------------------------------------------------

def _staged(directory: Path, name: str, record: dict[str, Any]) -> str:
    import tempfile

    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write((json.dumps(record, ensure_ascii=False) + "\n").encode())
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
    except BaseException:
        _unlink(Path(tmp))
        raise
    return tmp


def create(path: Path, record: dict[str, Any]) -> bool:
    """Put `record` at `path` whole, only if nothing is there; False if something was."""
    tmp = _staged(path.parent, path.name, record)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        _unlink(Path(tmp))


def replace(path: Path, record: dict[str, Any]) -> None:
    tmp = _staged(path.parent, path.name, record)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(Path(tmp))
        raise


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def read(path: Path | str) -> dict[str, Any] | None:
    """A record, or None when it is missing or not a JSON object."""
    from looop.core.fsio import read_bytes

    try:
        raw = read_bytes(Path(path), RECORD_MAX_BYTES)  # never waits on a FIFO put where a record should be
        value = json.loads(raw) if raw is not None else None
    except (OSError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def names(directory: Path) -> list[str]:
    """Record ids in a directory (hidden temp files never count)."""
    try:
        entries = os.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [e[:-5] for e in entries if e.endswith(".json") and not e.startswith(".")]


def split(record_id: str) -> tuple[str, int]:
    """`merge-pr-12` → (`merge-pr`, 12); a name without a number → (name, 0)."""
    head, _, tail = record_id.rpartition("-")
    return (head, int(tail)) if head and tail.isdigit() else (record_id, 0)


def _next_number(worker: str, *directories: Path) -> int:
    used = [n for d in directories for w, n in map(split, names(d)) if w == worker]
    return max(used, default=0) + 1


def _numbered(worker: str, record: dict[str, Any], directory: Path, *also: Path) -> dict[str, Any]:
    """Create `<worker>-<n>.json` with the next free n (racing writers each get their own)."""
    n = _next_number(worker, directory, *also)
    for _ in range(1000):
        rid = f"{worker}-{n}"
        full = {"v": 1, "id": rid, **record}
        if create(directory / f"{rid}.json", full) and not any((d / f"{rid}.json").exists() for d in also):
            return full
        n += 1
    raise FatalError(f"cannot find a free id for {worker} in {directory}", ExitStatus.FAILED)


# -- asks and answers -----------------------------------------------------------

@dataclass(frozen=True)
class Ask:
    record: dict[str, Any]
    answer: dict[str, Any] | None  # a readable answer record, if any
    answer_corrupt: bool = False

    # Every field came from a file: `Outside`, so an f-string shows it safely.
    @property
    def id(self) -> Outside:
        return Outside(self.record.get("id"))

    @property
    def worker(self) -> Outside:
        return Outside(self.record.get("worker"))

    @property
    def prompt(self) -> Outside:
        return Outside(self.record.get("prompt", ""))

    @property
    def options(self) -> list[str]:  # of Outside
        opts = self.record.get("options")
        return [Outside(o) for o in opts] if isinstance(opts, list) else []

    @property
    def reference(self) -> Outside | None:
        ref = self.record.get("reference")
        return Outside(ref) if ref else None

    @property
    def age_s(self) -> float:
        ts = epoch(self.record.get("ts"))
        return max(0.0, time.time() - ts) if ts is not None else 0.0

    @property
    def pending(self) -> bool:
        return self.answer is None and not self.answer_corrupt


def readable_answer(record: dict[str, Any] | None) -> bool:
    return isinstance(record, dict) and isinstance(record.get("answer"), str)


def new_ask(paths: Paths, worker: str, prompt: str, options: list[str], reference: str | None) -> dict[str, Any]:
    if not prompt.strip():
        raise FatalError("ask: the prompt is empty; say what you need decided (--prompt TEXT)", ExitStatus.FAILED)
    if len(prompt.encode()) > PROMPT_MAX_BYTES:
        raise FatalError(f"ask: the prompt is {len(prompt.encode())} bytes; the cap is {PROMPT_MAX_BYTES} "
                         "(put the detail in reports/ and pass it with --ref)", ExitStatus.FAILED)
    record: dict[str, Any] = {"worker": worker, "prompt": prompt}
    if options:
        record["options"] = options
    if reference:
        record["reference"] = reference
    record["ts"] = utc()
    return _numbered(worker, record, paths.asks, paths.answers)


def pending_ids(paths: Paths) -> list[str]:
    """Ids of asks with no answer file, by name only (cheap enough for every beat).

    Answers are written whole, so an answer file that exists is an answer; one
    broken by hand is shown by `asks --all` and refused by the waiting worker."""
    answered = set(names(paths.answers))
    return sorted(n for n in names(paths.asks) if n not in answered)


def all_asks(paths: Paths, include_answered: bool = False) -> list[Ask]:
    """Pending asks, oldest first (and, with include_answered, answered ones too)."""
    answered = set(names(paths.answers))
    asks_dir, answers_dir = str(paths.asks), str(paths.answers)
    out = []
    for rid in names(paths.asks):
        if rid in answered and not include_answered:
            continue
        record = read(f"{asks_dir}/{rid}.json")
        if record is None:
            continue
        answer = read(f"{answers_dir}/{rid}.json") if rid in answered else None
        ok = readable_answer(answer)
        record["id"] = rid  # the file's name is the id (a hand-edited record cannot claim another)
        if not isinstance(record.get("worker"), str) or not record["worker"]:
            record["worker"] = split(rid)[0]
        out.append(Ask(record, answer if ok else None, rid in answered and not ok))
    out.sort(key=lambda a: (str(a.record.get("ts", "")), split(a.id)))
    return out


def pending(paths: Paths) -> list[Ask]:
    return all_asks(paths)


def answer(paths: Paths, rid: str, text: str, force: bool = False, by: str = "cli") -> dict[str, Any]:
    """Write the answer to `rid` exactly once (or, with force, replace it)."""
    ask_id(rid)
    if read(paths.asks / f"{rid}.json") is None:
        known = pending_ids(paths)
        hint = f"pending: {', '.join(known[:10])}{' …' if len(known) > 10 else ''}" if known else "no ask is pending"
        raise FatalError(f"answer: no ask '{rid}' ({hint}; see `looop asks`)", ExitStatus.FAILED)
    if not text.strip():
        raise FatalError(f"answer: the answer to {rid} is empty; nothing was written", ExitStatus.FAILED)
    size = len(text.encode())
    if size > ANSWER_MAX_BYTES:
        raise FatalError(f"answer: {size} bytes is over the {ANSWER_MAX_BYTES}-byte cap for an answer; "
                         "put long text in reports/ and answer with its path. Nothing was written", ExitStatus.FAILED)
    record = {"v": 1, "answer": text, "ts": utc(), "by": by}
    path = paths.answers / f"{rid}.json"
    if force:
        replace(path, record)
        return record
    if create(path, record):
        return record
    given = read(path)
    if readable_answer(given):
        assert given is not None
        who = f" by {given['by']}" if isinstance(given.get("by"), str) else ""
        raise FatalError(f"answer: {rid} is already answered{who} ({_short(given['answer'])!r} at {given.get('ts')}); "
                         "use --force to replace it", ExitStatus.FAILED)
    raise FatalError(f"answer: {rid} has an unreadable answer file ({path}); replace it with --force", ExitStatus.FAILED)


def _short(text: str, limit: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def prune_answered(paths: Paths, days: float) -> list[str]:
    """Remove answered ask/answer pairs whose answer is older than `days`."""
    cutoff = time.time() - days * 86400
    gone = []
    asks = set(names(paths.asks))
    for rid in names(paths.answers):
        given = read(paths.answers / f"{rid}.json")
        when = epoch(given.get("ts")) if given else None
        if rid not in asks or when is None or when >= cutoff:
            continue
        _unlink(paths.asks / f"{rid}.json")
        _unlink(paths.answers / f"{rid}.json")
        gone.append(rid)
    return sorted(gone)


# -- tells --------------------------------------------------------------------

def new_tell(paths: Paths, worker: str, msg: str) -> dict[str, Any]:
    if not msg.strip():
        raise FatalError("tell: the message is empty; nothing was queued", ExitStatus.FAILED)
    if len(msg.encode()) > TELL_MAX_BYTES:
        raise FatalError(f"tell: the message is {len(msg.encode())} bytes; the cap is {TELL_MAX_BYTES}", ExitStatus.FAILED)
    return _numbered(worker, {"worker": worker, "msg": msg, "ts": utc()}, paths.tells, paths.tells_consumed)


def queued_tells(paths: Paths, worker: str | None = None) -> list[str]:
    """Ids of undelivered tells (of one worker), oldest first."""
    found = [n for n in names(paths.tells) if worker is None or split(n)[0] == worker]
    return sorted(found, key=lambda n: (split(n)[0], split(n)[1]))


def deliver_tells(paths: Paths, worker: str) -> list[str]:
    """Take this worker's tells, oldest first, each at most once (a rename only one taker wins)."""
    out = []
    paths.tells_consumed.mkdir(parents=True, exist_ok=True)
    for rid in queued_tells(paths, worker):
        record = read(paths.tells / f"{rid}.json")
        done = paths.tells_consumed / f"{rid}.json"
        try:
            os.rename(paths.tells / f"{rid}.json", done)
        except FileNotFoundError:
            continue  # another delivery took it
        try:
            os.utime(done)  # a week from delivery, not from queueing
        except OSError:
            pass
        if record is not None and isinstance(record.get("msg"), str):
            out.append(record["msg"])
    _prune_consumed(paths)
    return out


def _prune_consumed(paths: Paths) -> None:
    cutoff = time.time() - CONSUMED_KEEP_S
    for rid in names(paths.tells_consumed):
        path = paths.tells_consumed / f"{rid}.json"
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def tell_counts(paths: Paths) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rid in names(paths.tells):
        w = split(rid)[0]
        counts[w] = counts.get(w, 0) + 1
    return counts


def answer_command(paths: Paths, rid: str) -> str:
    from looop.core.selfbin import user_command

    return f"{user_command(paths)} answer {rid}"


def placeholder(options: list[str]) -> str:
    from looop.core.untrusted import one_line

    return f"<{one_line('|'.join(options))}>" if options else "<your answer>"
