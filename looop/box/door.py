"""The door: inside a box, a looop verb that changes things outside asks through a socket.

The boxed verb sends its argv (and stdin) as one JSON line; the process
outside (the beat, or the worker's supervisor) checks it against its policy
and runs the verb itself, through the same executor a human's verb uses, and
sends back the output and exit status. The policy knows who is asking: one
move per beat for the decider, only its own name for a worker.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from looop.box.policy import DOOR_TYPED as TYPED  # a typed decider's door: no verb goes out
from looop.core.errors import ExitStatus

ENV = "LOOOP_DOOR"  # the socket's path inside the box
MAX_REQUEST = 4 << 20
# verbs that change something outside the box: inside one, they go through the door
THROUGH = frozenset({"start-session", "kill", "flag", "unflag", "goal", "sensor", "schedule", "tell", "told",
                     "ask", "answer", "_cost", "prune", "playbook"})

Policy = Callable[[list[str]], str]  # argv -> '' to run it, else the refusal


def through(argv: Sequence[str]) -> bool:
    if not argv or argv[0] not in THROUGH or not os.environ.get(ENV):
        return False
    if argv[0] == "_cost":  # the decider's box may write the ledger itself: no need to go out
        ledger = os.environ.get("COST_LEDGER", "")
        return not (ledger and os.access(ledger, os.W_OK))
    return True


def forward(argv: list[str]) -> int:
    """In the box: send the verb through the door, print what it printed, return its status."""
    if os.environ[ENV] == TYPED:
        print(f"looop: refused in the box: {OneMove(TYPED)(argv)}", file=sys.stderr)
        return ExitStatus.NOT_PERMITTED
    text = ""
    if "-" in argv and not sys.stdin.isatty():
        text = sys.stdin.read()
    path = os.environ[ENV]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(path)
            sock.sendall(json.dumps({"argv": argv, "stdin": text}).encode() + b"\n")
            sock.shutdown(socket.SHUT_WR)
            raw = b"".join(iter(lambda: sock.recv(65536), b""))
        reply = json.loads(raw or b"{}")
    except (OSError, ValueError) as exc:
        print(f"looop: the door ({path}) did not answer: {exc}", file=sys.stderr)
        return ExitStatus.FAILED
    sys.stdout.write(str(reply.get("out", "")))
    sys.stdout.flush()
    sys.stderr.write(str(reply.get("err", "")))
    code = reply.get("code", 1)
    return code if isinstance(code, int) else 1


class Door:
    """A listening door: each request checked by `policy`, then run as `looop <argv>` outside."""

    def __init__(self, directory: Path, policy: Policy, looop_bin: str, env: dict[str, str],
                 cwd: Path) -> None:
        from looop.box.policy import DOOR_SOCKET

        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.dir = directory
        self.path = directory / DOOR_SOCKET
        self.path.unlink(missing_ok=True)
        self.policy, self.bin, self.cwd = policy, looop_bin, cwd
        self.env = {k: v for k, v in env.items() if k not in (ENV, "LOOOP_BOXED")}
        self.lock = threading.Lock()  # one request decided at a time: "one move" is counted exactly
        self.children: set[subprocess.Popen[bytes]] = set()
        self.closed = False
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(self.path))
        os.chmod(self.path, 0o600)
        self.sock.listen(8)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            try:
                raw = b""
                while len(raw) <= MAX_REQUEST:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    raw += chunk
                request = json.loads(raw)
                argv = [str(a) for a in request["argv"]]
                stdin = str(request.get("stdin") or "")
            except (OSError, ValueError, KeyError, TypeError):
                _reply(conn, 2, "", "looop: the door got a request it cannot read\n")
                return
            self._answer(conn, argv, stdin)

    def _answer(self, conn: socket.socket, argv: list[str], stdin: str) -> None:
        with self.lock:
            refusal = self.policy(argv)
            if refusal:
                _reply(conn, 77, "", f"looop: refused at the door: {refusal}\n")
                return
            try:
                proc = subprocess.Popen([self.bin, *argv], cwd=self.cwd, env=self.env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            except OSError as exc:
                _reply(conn, 1, "", f"looop: the door could not run the verb: {exc}\n")
                return
            self.children.add(proc)
            if not _blocks(argv):
                out, err = proc.communicate(stdin.encode())
                self.children.discard(proc)
                self.done(argv, proc.returncode)
                _reply(conn, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))
                return
        out, err = proc.communicate(stdin.encode())  # `ask` waits for the human: not under the lock
        self.children.discard(proc)
        _reply(conn, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))

    def done(self, argv: list[str], code: int) -> None:
        """Told after each verb the door ran (the beat counts its one move here)."""
        counter = getattr(self.policy, "ran", None)
        if callable(counter):
            counter(argv, code)

    def close(self, remove: bool = False) -> None:
        """Stop listening; a verb still running for the box (an `ask`) is stopped with it."""
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass
        for proc in list(self.children):
            try:
                os.killpg(proc.pid, 15)
            except OSError:
                pass
        self.path.unlink(missing_ok=True)
        if remove:
            try:
                self.dir.rmdir()
            except OSError:
                pass


def _blocks(argv: list[str]) -> bool:
    return argv[:1] == ["ask"]


def _reply(conn: socket.socket, code: int, out: str, err: str) -> None:
    try:
        conn.sendall(json.dumps({"code": code, "out": out, "err": err}).encode())
    except OSError:
        pass


# --- the policies --------------------------------------------------------------------------

DECIDER_VERBS = frozenset({"start-session", "kill", "flag", "unflag", "goal", "sensor", "schedule", "tell"})


class OneMove:
    """The decider's door: in agent mode its first successful verb is the beat's one move."""

    def __init__(self, moves: str) -> None:
        self.moves = moves
        self.made: list[str] | None = None

    def __call__(self, argv: list[str]) -> str:
        verb = argv[0] if argv else ""
        if verb == "_cost":
            return ""  # metering spend is not a move
        if verb not in DECIDER_VERBS:
            return f"`looop {verb}` is not a move the decider makes"
        if self.moves == "typed":
            return "typed moves: describe your one move in your decision file (the prompt names it); looop makes it"
        if self.made is not None:
            return f"one move per beat: this beat's move was already `looop {' '.join(self.made[:2])}`"
        return ""

    def ran(self, argv: list[str], code: int) -> None:
        if code == 0 and argv[:1] != ["_cost"] and self.made is None:
            self.made = argv


WORKER_VERBS = frozenset({"ask", "flag", "unflag", "kill", "told", "_cost"})


class Worker:
    """A worker's door, kept by its supervisor: it speaks only for itself, and never answers."""

    def __init__(self, sid: str) -> None:
        from looop.core.ids import bare_id

        self.sid, self.bare = sid, bare_id(sid)

    def mine(self, name: str | None) -> bool:
        return name is None or name in (self.sid, self.bare)

    def __call__(self, argv: list[str]) -> str:
        verb, rest = (argv[0] if argv else ""), argv[1:]
        if verb == "answer":
            return "only the human runs `looop answer`"
        if verb not in WORKER_VERBS:
            return f"a worker does not run `looop {verb}`"
        if verb in ("ask", "told"):
            if not self.mine(_switch(rest, "--worker")):
                return f"a worker asks only as itself ({self.bare})"
        elif verb == "_cost":
            if rest[:1] != ["session"] or len(rest) < 2 or not self.mine(rest[1]):
                return f"a worker reports only its own spend (_cost session {self.bare} ...)"
        else:
            target = _first_word(rest)
            if target is None or not self.mine(target):
                return f"a worker may `looop {verb}` only itself ({self.bare})"
        return ""


_VALUED = ("--grace", "--journal")  # switches of kill and flag that take a value


def _first_word(args: list[str]) -> str | None:
    """The first positional argument: the worker the verb names."""
    skip = False
    for a in args:
        if skip:
            skip = False
        elif a in _VALUED:
            skip = True
        elif not a.startswith("-"):
            return a
    return None


def _switch(args: list[str], name: str) -> str | None:
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None
