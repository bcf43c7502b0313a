"""Test helpers shared by the whole suite (loaded as a pytest plugin).

`loop` gives each test its own data dir and config, and runs the real
installed `looop` command against them (`loop.run`), or a one-shot verb in
this process (`loop.call`, the same result in a fraction of the time), with a
fake runner from fixtures/ standing in for the LLM. `wait_for` is the one way
a test polls. No test may leave a worker behind: the run fails if one does.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FAKE_RUNNER = FIXTURES / "runners" / "fake-runner"


T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float = 10.0, what: str = "condition", every: float = 0.02) -> T:
    """Poll `check` until it returns something truthy, and return that; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def read_until(proc: Any, needle: str, timeout: float = 20.0) -> str:
    """Read a child's stdout until `needle` appears (an event, not a sleep); return what was read."""
    import selectors

    fd = proc.stdout.fileno()
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        if sel.select(0.2):
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk.decode(errors="replace")
    sel.close()
    assert needle in seen, seen
    return seen


EOF_KEY = None  # an answer that is Ctrl-D (end of input)


def answer_prompts(loop: Any, args: list[str], prompt: str, answers: list[str | None]) -> tuple[str, int]:
    """Run `looop <args>` in a real terminal, typing each answer once `prompt` has
    appeared one more time (EOF_KEY sends Ctrl-D); (the whole transcript, exit status)."""
    from ptyprocess import PtyProcessUnicode

    proc = PtyProcessUnicode.spawn([*looop_argv(), *args], env=loop.env, cwd=str(loop.root))
    seen = ""
    try:
        for n, answer in enumerate(answers, 1):
            while seen.count(prompt) < n:
                seen += proc.read(1024)
            if answer is EOF_KEY:
                proc.sendeof()
            else:
                proc.write(answer + "\r")
        while proc.isalive():
            try:
                seen += proc.read(1024)
            except EOFError:
                break
        proc.wait()
    finally:
        proc.close(force=True)
    return seen, proc.exitstatus if proc.signalstatus is None else 128 + proc.signalstatus


def looop_argv() -> list[str]:
    """The installed console script next to this Python, else `python -m looop`."""
    script = Path(sys.executable).with_name("looop")
    if script.exists():
        return [str(script)]
    found = shutil.which("looop")
    return [found] if found else [sys.executable, "-m", "looop"]


@dataclass
class Loop:
    """One isolated looop profile: data dir, config, environment."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def config(self) -> Path:
        return self.root / "looop.json"

    @property
    def approved(self) -> Path:
        """The gate's approved PLAYBOOK baseline (in the private gate dir, outside the data dir)."""
        from unittest import mock

        from looop.core.paths import Paths

        with mock.patch.dict(os.environ, {"XDG_STATE_HOME": self.env["XDG_STATE_HOME"]}):
            return Paths(data=self.data, config=self.config, is_default_profile=False).approved

    @property
    def calls_file(self) -> Path:
        return harness_dir(self.root) / "runner-calls"

    @property
    def prompt_copy(self) -> Path:
        return harness_dir(self.root) / "last-prompt.md"

    def run(self, *args: str, timeout: float = 60, input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*looop_argv(), *args], env={**self.env, **(env or {})}, cwd=self.root, text=True,
            capture_output=True, timeout=timeout, input=input if input is not None else "",
        )

    def call(self, *args: str, input: str | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """A one-shot verb run in this process: what `run` returns, without starting a Python.

        For verbs that only read and write files (status, ls, cost, help, init,
        playbook, flag ...); beats, the pulse, workers and attach need `run`."""
        out, err = _Capture(), _Capture()
        with _as_looop(args, {**self.env, **(env or {})}, self.root, io.StringIO(input or ""), out, err):
            from looop.cli import main

            code = main(list(args))
        return subprocess.CompletedProcess(["looop", *args], code, out.getvalue(), err.getvalue())

    def popen(self, *args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.Popen[str]:
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.STDOUT)
        return subprocess.Popen([*looop_argv(), *args], env={**self.env, **(env or {})}, cwd=self.root,
                                text=True, stdin=subprocess.DEVNULL, **kw)

    def write_config(self, tick: str, *, name: str = "fake", interactive: str | None = None,
                     **extra: Any) -> None:
        runner: dict[str, str] = {"tick": tick}
        if interactive:
            runner["interactive"] = interactive
        cfg = {"default": name, "runners": {name: runner}, **extra}
        self.config.write_text(json.dumps(cfg, indent=2))

    def fake(self, *moves: str, **extra: Any) -> None:
        """Use the fake runner with these scripted moves."""
        self.write_config(" ".join(shlex.quote(w) for w in [str(FAKE_RUNNER), *moves]), **extra)

    def seed(self) -> None:
        """Seed the data dir without deciding (a dry run)."""
        out = self.run("tick", "--dry-run")
        assert out.returncode == 0, out.stdout + out.stderr

    def sensor(self, name: str, body: str, executable: bool = True) -> Path:
        path = self.data / "sensors" / f"{name}.sh"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/usr/bin/env bash\n" + body + "\n")
        path.chmod(0o755 if executable else 0o644)
        return path

    def calls(self) -> int:
        try:
            return len(self.calls_file.read_text().splitlines())
        except FileNotFoundError:
            return 0

    def events(self) -> list[dict[str, Any]]:
        try:
            return [json.loads(x) for x in (self.data / "events.jsonl").read_text().splitlines()]
        except FileNotFoundError:
            return []

    def event_names(self) -> list[str]:
        return [e["event"] for e in self.events()]

    def journal(self) -> list[str]:
        try:
            return [x for x in (self.data / "journal.md").read_text().splitlines() if x.strip()]
        except FileNotFoundError:
            return []


class _Capture(io.StringIO):
    """A captured stdout/stderr: not a terminal, like a pipe."""

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def _as_looop(args: tuple[str, ...], env: dict[str, str], cwd: Path, stdin: io.StringIO,
              stdout: io.StringIO, stderr: io.StringIO) -> Iterator[None]:
    """Environment, cwd, argv, stdio and SIGTERM handler as a `looop` process has them; all restored after."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_io, saved_argv = (sys.stdin, sys.stdout, sys.stderr), sys.argv
    saved_term = signal.getsignal(signal.SIGTERM)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = [looop_argv()[0], *args]
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_io
        sys.argv = saved_argv
        signal.signal(signal.SIGTERM, saved_term)
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def harness_dir(root: Path) -> Path:
    """Where the stand-ins leave what they saw: under ~/.cache, which every
    preset CLI may write, so a stand-in in the box still reports."""
    return root / "home" / ".cache" / "looop-test"


AGENT_CLIS = ("claude", "pi", "codex", "gemini", "opencode")
_HIDDEN: dict[str, str] = {}
_FARMS: list[Path] = []  # where this test process keeps them: beside its tests' dirs, cleaned as they are


def without_agent_clis(path: str) -> str:
    """`path` with every real agent CLI hidden, so a test sees only the stand-ins it puts
    on PATH, on a machine with claude in /usr/bin as on a bare one. A dir holding one is
    stood in for by a dir of links to the rest, made once per test process."""
    if path not in _HIDDEN:
        import tempfile

        parts = []
        for n, part in enumerate(path.split(os.pathsep)):
            if not part or not any(os.path.isfile(os.path.join(part, cli)) for cli in AGENT_CLIS):
                parts.append(part)
                continue
            farm = Path(tempfile.mkdtemp(prefix=f"path-without-agents-{n}-", dir=_FARMS[0] if _FARMS else None))
            for entry in os.scandir(part):
                if entry.name not in AGENT_CLIS:
                    (farm / entry.name).symlink_to(entry.path)
            parts.append(str(farm))
        _HIDDEN[path] = os.pathsep.join(parts)
    return _HIDDEN[path]


def clean_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOOOP_", "HYPOTHESIS"))}
    if not _FARMS:
        _FARMS.append(root.parent)  # pytest's own dir for this process's tests
    env["PATH"] = without_agent_clis(env.get("PATH", os.defpath))
    env.update(
        HOME=str(root / "home"),
        XDG_CONFIG_HOME=str(root / "home" / ".config"),
        XDG_STATE_HOME=str(root / "home" / ".local" / "state"),
        LOOOP_DATA_DIR=str(root / "data"),
        LOOOP_CONFIG=str(root / "looop.json"),
        LOOOP_COLOR="0",
        FAKE_CALLS=str(harness_dir(root) / "runner-calls"),
        FAKE_PROMPT=str(harness_dir(root) / "last-prompt.md"),
        FAKE_PID=str(root / "runner-pid"),
        LOOOP_TMUX_SURFACE="0",
    )
    env.pop("TMUX", None)
    return env


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    harness_dir(tmp_path).mkdir(parents=True)
    yield Loop(root=tmp_path, env=clean_env(tmp_path))
    stop_workers(tmp_path)


# -- no test leaves a worker behind ---------------------------------------------

def stop_workers(root: Path) -> None:
    """End every worker session under `root`: its worker's group, then its supervisor."""
    for meta_file in root.rglob("sessions/looop-*/meta.json"):
        from looop.core.fsio import read_json_object

        meta = read_json_object(meta_file) or {}
        status = read_json_object(meta_file.parent / "status.json") or {}
        worker = status.get("worker_pid")
        if isinstance(worker, int) and worker > 1:
            with contextlib.suppress(OSError):
                if os.getsid(worker) == worker:
                    os.killpg(worker, signal.SIGKILL)
        sup = meta.get("supervisor_pid")
        if isinstance(sup, int) and sup > 1 and sup in supervisors():
            with contextlib.suppress(OSError):
                os.kill(sup, signal.SIGTERM)


def supervisors(under: Path | None = None) -> dict[int, Path]:
    """Live `looop _supervise <session dir>` processes (those whose dir is under `under`)."""
    found: dict[int, Path] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if b"_supervise" not in argv[:-2] or state in ("Z", "X"):
            continue
        where = Path(os.fsdecode(argv[argv.index(b"_supervise") + 1]))
        if under is None or where.is_relative_to(under):
            found[int(proc.name)] = where
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any test left a worker's supervisor running (and end it)."""
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or not Path("/proc/self").exists():
        return
    base = factory.getbasetemp().resolve()
    try:
        wait_for(lambda: not supervisors(base), timeout=5, what="supervisors to end")
        return
    except AssertionError:
        leaked = supervisors(base)
    for pid in leaked:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    lines = "\n".join(f"  pid {pid}: {where}" for pid, where in sorted(leaked.items()))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = f"{len(leaked)} worker supervisor(s) outlived their test (now killed):\n{lines}"
    if reporter is not None:
        reporter.write_line(message, red=True)
    else:
        print(message, file=sys.stderr)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
