"""Calling the agent CLI from a beat: a missing or hung runner, its PATH, its arguments, its output kept within bounds."""

from __future__ import annotations

import os

from tests.helpers import FAKE_RUNNER, without_agent_clis


def _script_runner(loop, name, body):
    path = loop.root / name
    path.write_text("#!/usr/bin/env bash\ncat >/dev/null\n" + body + "\n")
    path.chmod(0o755)
    loop.write_config(str(path))


def test_hung_runner_is_killed_after_the_tick_timeout(loop):
    loop.fake("hang")
    out = loop.run("tick", env={"LOOOP_TICK_TIMEOUT": "2"})
    assert out.returncode == 1
    assert "timed out after 2s" in out.stdout
    runner_pid = int((loop.root / "runner-pid").read_text())
    assert not os.path.exists(f"/proc/{runner_pid}") or "Z" in open(f"/proc/{runner_pid}/stat").read().rsplit(")", 1)[1][:3]


def test_missing_runner_is_named_with_a_hint(loop):
    # by a path where it is not: a developer's claude would be found on the login shell's PATH
    loop.write_config("/nonexistent/claude -p | definitely-not-installed-tool --x", name="claude")
    loop.seed()
    out = loop.run("tick", env={"PATH": without_agent_clis("/usr/bin:/bin")})
    assert out.returncode == 1
    assert "/nonexistent/claude: npm install -g @anthropic-ai/claude-code" in out.stderr
    assert "definitely-not-installed-tool" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (loop.data / ".last-tick-hash").exists()


def test_a_quoted_argument_is_not_mistaken_for_a_missing_tool(loop):
    # The runner reads the prompt and prints its first line: only python3 must be installed.
    loop.write_config(f"""python3 -c 'import sys; print(input("py> ")); sys.stdin.read()' && """
                      f"""{FAKE_RUNNER} journal 'quoted (and; piped | words)' < /dev/null""")
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "needs tools" not in out.stderr and "py> You are one beat of looop" in out.stdout


def test_substitutions_in_the_runner_are_not_mistaken_for_missing_tools(loop):
    # `$(( … ))` starts nothing; `$( … )` starts its own command, and the outer command goes on after it
    loop.write_config(f"""{FAKE_RUNNER} $( [ $((RANDOM % 2)) = 3 ] && echo next 5 ) journal 'ran'""")
    out = loop.run("tick")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "needs tools" not in out.stderr and "ran" in loop.journal()[-1]


def test_runner_sees_the_caller_path_after_login_files(loop, tmp_path):
    bindir = tmp_path / "mybin"
    bindir.mkdir()
    tool = bindir / "my-agent"
    tool.write_text("#!/bin/sh\ncat >/dev/null\necho agent-ran\n")
    tool.chmod(0o755)
    loop.write_config("my-agent")
    out = loop.run("tick", env={"PATH": f"{bindir}:{os.environ['PATH']}"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "agent-ran" in out.stdout


def test_the_timeout_holds_for_a_runner_that_closes_its_output(loop):
    pidfile = loop.root / "closer-pid"
    _script_runner(loop, "closer", f"echo $$ > {pidfile}; exec >/dev/null 2>&1; exec sleep 300")
    loop.seed()
    out = loop.run("tick", env={"LOOOP_TICK_TIMEOUT": "2"})
    assert out.returncode == 1 and "timed out after 2s" in out.stdout
    pid = int(pidfile.read_text())
    assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1][:3]


def test_runner_output_logs_keep_head_and_tail_within_the_cap(loop):
    _script_runner(loop, "flood", "echo FIRST-LINE; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo LAST-LINE; "
                   f"{os.path.abspath('fixtures/runners/fake-runner')} journal </dev/null")
    loop.seed()
    out = loop.run("tick", env={"LOOOP_RUN_LOG_BYTES": "100000"})
    assert out.returncode == 0, out.stderr
    run = max(d for d in (loop.data / "runs").iterdir() if not d.name.startswith("."))
    for log in (run / "output.log", loop.data / "tick.log"):
        text = log.read_text()
        assert len(text) < 100000 + 200
        assert text.startswith("FIRST-LINE") and "LAST-LINE" in text[-1000:]
        assert "bytes cut here (LOOOP_RUN_LOG_BYTES=100000)" in text


def test_a_line_without_end_is_shown_in_pieces(loop):
    _script_runner(loop, "long-line", "head -c 300000 /dev/zero | tr '\\0' y; "
                   f"{os.path.abspath('fixtures/runners/fake-runner')} journal </dev/null")
    loop.seed()
    out = loop.run("tick")
    assert out.returncode == 0
    shown = [ln for ln in out.stdout.splitlines() if "yyyy" in ln]
    assert len(shown) == 5 and max(len(ln) for ln in shown) < 70000
