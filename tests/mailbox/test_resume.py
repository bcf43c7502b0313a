"""An ask outlives the shell tool that ran it: it says how to resume while it
waits, the answer given later is kept, and `ask --wait <id>` (or asking the same
question again) picks it up without a second question."""

from __future__ import annotations

import os
import signal
import subprocess

from tests.helpers import looop_argv, wait_for
from tests.mailbox import kit


def waiter(loop, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([*looop_argv(), "ask", "--worker", "w", *args], cwd=loop.root,
                            env={**loop.env, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def test_a_waiting_ask_says_so_at_once_and_again_while_it_waits(loop):
    proc = waiter(loop, "--prompt", "Deploy?", env={"LOOOP_ASK_PROGRESS": "1"})
    try:
        first = proc.stderr.readline()
        assert "waiting for the human to answer ask w-1" in first and "ask --wait w-1" in first
        assert "waiting for the human to answer ask w-1" in proc.stderr.readline()  # a second line, a second on
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_an_ask_cut_off_stays_pending_and_wait_picks_up_the_later_answer(loop):
    proc = waiter(loop, "--prompt", "Deploy?", "--options", "yes,no")
    assert "ask --wait w-1" in proc.stderr.readline()
    os.killpg(proc.pid, signal.SIGKILL)  # the shell tool's time limit
    proc.wait()
    assert [a["id"] for a in kit.pending(loop)] == ["w-1"]
    assert loop.run("answer", "w-1", "yes").returncode == 0
    out = loop.run("ask", "--worker", "w", "--wait", "w-1")
    assert (out.returncode, out.stdout) == (0, "yes\n"), out.stderr
    assert kit.files(loop, "asks") == ["w-1.json"]  # no second question


def test_wait_blocks_until_the_answer_then_prints_it(loop):
    first = waiter(loop, "--prompt", "Ship it?")
    assert "w-1" in first.stderr.readline()
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    again = waiter(loop, "--wait", "w-1")
    try:
        assert "w-1" in again.stderr.readline()
        wait_for(lambda: kit.pending(loop)[0].get("worker") == "w", what="the ask listed")
        assert loop.run("answer", "w-1", "later", "that", "day").returncode == 0
        assert again.wait(20) == 0
        assert again.stdout.read() == "later that day\n"
    finally:
        if again.poll() is None:
            os.killpg(again.pid, signal.SIGKILL)


def test_asking_the_same_question_again_resumes_it(loop):
    proc = waiter(loop, "--prompt", "Merge PR 7?", "--options", "yes,no")
    assert "w-1" in proc.stderr.readline()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert loop.run("answer", "w-1", "no").returncode == 0
    out = loop.run("ask", "--worker", "w", "--prompt", "Merge PR 7?", "--options", "yes,no", "--timeout", "1")
    assert out.returncode == 3  # answered asks are not pending: a new question is a new ask
    assert kit.files(loop, "asks") == ["w-1.json", "w-2.json"]


def test_a_pending_question_asked_again_is_not_asked_twice(loop):
    proc = waiter(loop, "--prompt", "Merge PR 8?")
    assert "w-1" in proc.stderr.readline()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    again = waiter(loop, "--prompt", "Merge PR 8?")
    try:
        assert "ask w-1" in again.stderr.readline()
        assert loop.run("answer", "w-1", "go").returncode == 0
        assert again.wait(20) == 0 and again.stdout.read() == "go\n"
    finally:
        if again.poll() is None:
            os.killpg(again.pid, signal.SIGKILL)
    assert kit.files(loop, "asks") == ["w-1.json"]


def test_wait_refuses_an_unknown_or_foreign_ask(loop):
    out = loop.run("ask", "--worker", "w", "--wait", "w-9")
    assert out.returncode == 1 and "no such ask" in out.stderr and "Traceback" not in out.stderr
    proc = waiter(loop, "--prompt", "Mine?")
    assert "w-1" in proc.stderr.readline()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    out = loop.run("ask", "--worker", "other", "--wait", "w-1")
    assert out.returncode == 1 and "worker w's" in out.stderr
    out = loop.run("ask", "--worker", "w", "--wait", "w-1", "--prompt", "again?")
    assert out.returncode == 1 and "--wait" in out.stderr
