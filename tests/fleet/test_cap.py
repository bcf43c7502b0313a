"""The fleet cap: start-session beyond LOOOP_MAX_WORKERS / max_workers is refused
before anything is spawned, even when starts race each other."""

from __future__ import annotations

import subprocess
import threading

import pytest

from looop.core.errors import FatalError
from tests.fleet import kit
from tests.helpers import looop_argv


def _refused(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 1, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "fleet cap reached" in lines[0], out.stderr
    return lines[0]


def test_a_start_beyond_the_cap_is_refused_naming_the_cap_and_the_live_workers(loop):
    kit.use_fake_worker(loop)
    loop.env["LOOOP_MAX_WORKERS"] = "2"
    kit.start(loop, "a", "hang")
    kit.start(loop, "b", "hang")
    line = _refused(loop.run("start-session", "c", "one too many"))
    assert "(a, b) of at most 2 (LOOOP_MAX_WORKERS); c was not started" in line
    assert not kit.session_dir(loop, "c").exists(), "nothing was spawned"
    assert not (loop.data / "prompts" / "looop-c.md").exists()
    assert loop.run("kill", "a").returncode == 0
    kit.start(loop, "c", "hang")  # room again once one ended


def test_the_config_sets_the_cap_and_zero_means_none(loop):
    kit.use_fake_worker(loop, max_workers=1)
    kit.start(loop, "a", "hang")
    assert "at most 1 (config max_workers)" in _refused(loop.run("start-session", "b", "x"))
    kit.start(loop, "b", "hang", env={"LOOOP_MAX_WORKERS": "0"})  # the env wins; 0 = no cap


def test_the_pulse_session_never_counts_as_a_worker(loop):
    kit.use_fake_worker(loop, max_workers=1)
    loop.seed()
    assert loop.run("up", env={"LOOOP_INTERVAL": "3600"}).returncode == 0  # the real pulse session
    kit.start(loop, "a", "hang")
    line = _refused(loop.run("start-session", "b", "x"))
    assert "1 live worker (a)" in line


@pytest.mark.parametrize("bad", ["-1", "abc"])
def test_a_bad_max_workers_is_one_line_and_exit_2(loop, bad):
    kit.use_fake_worker(loop)
    out = loop.run("start-session", "a", "x", env={"LOOOP_MAX_WORKERS": bad})
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [f"looop: LOOOP_MAX_WORKERS={bad!r}: must be a whole number >= 0"]
    assert not kit.session_dir(loop, "a").exists()


def test_concurrent_starts_never_exceed_the_cap(loop):
    kit.use_fake_worker(loop)
    loop.seed()
    env = {**loop.env, "LOOOP_MAX_WORKERS": "2", "FAKE_WORKER_MOVES": "hang"}
    names = [f"r{i}" for i in range(5)]
    barrier = threading.Barrier(len(names))
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def start(name: str) -> None:
        barrier.wait()
        results[name] = subprocess.run([*looop_argv(), "start-session", name, "race"], env=env, text=True,
                                       check=False, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)

    threads = [threading.Thread(target=start, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    started = sorted(n for n, r in results.items() if r.returncode == 0)
    assert len(started) == 2, {n: r.stderr for n, r in results.items()}
    for n in set(names) - set(started):
        _refused(results[n])
    live = [s["id"] for s in kit.ls_json(loop)["sessions"] if s["alive"]]
    assert sorted(live) == [f"looop-{n}" for n in started]


def test_the_start_session_function_refuses_with_a_fatal_error(loop, monkeypatch):
    """What the typed-moves executor calls: the same refusal, as a FatalError."""
    from looop.core.paths import resolve
    from looop.fleet.start import start as start_session

    kit.use_fake_worker(loop)
    kit.start(loop, "a", "hang")
    for key, value in {**loop.env, "LOOOP_MAX_WORKERS": "1"}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(FatalError) as err:
        start_session(resolve(), "b", "x", verify="true")
    assert err.value.code == 1 and "fleet cap reached" in str(err.value) and "(a)" in str(err.value)
    assert not kit.session_dir(loop, "b").exists()
