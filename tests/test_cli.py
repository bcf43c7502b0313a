"""The command line: verbs, help, status, cost, errors and pipes."""

from __future__ import annotations

import json
import subprocess
import sys

from looop import schemas
from tests.helpers import looop_argv


def test_unknown_verb_lists_the_verbs(loop):
    out = loop.call("frobnicate")
    assert out.returncode == 1
    assert "unknown verb 'frobnicate'" in out.stderr and "tick" in out.stderr and "playbook" in out.stderr


def test_help_is_the_manual_with_live_paths(loop):
    out = loop.call("help")
    assert out.returncode == 0
    for needle in ("ONE BEAT", "THE RULES", "VERBS", str(loop.data), str(loop.config), "LOOOP_TICK_TIMEOUT",
                   "looop run <goal>", "(a separate profile)"):
        assert needle in out.stdout, needle


def test_python_dash_m_runs_the_same_cli(loop):
    out = subprocess.run([sys.executable, "-m", "looop", "version"], capture_output=True, text=True, env=loop.env)
    assert out.returncode == 0 and out.stdout.startswith("looop ")


def test_status_json_matches_its_schema(loop):
    loop.fake("attention", "look at me", "propose", "new rules", "cost", "0.25", "journal")
    loop.run("tick")
    out = loop.call("status", "--json")
    assert out.returncode == 0
    status = json.loads(out.stdout)
    assert schemas.problems("status", status) == []
    assert status["pulse"]["running"] is False and status["playbook_proposal_pending"] is True
    assert status["attention"] == ["look at me"] and status["cost_today_usd"] == 0.25
    assert status["data_dir"] == str(loop.data) and status["last_tick"]["hash"]
    human = loop.call("status").stdout
    assert "not running" in human and "look at me" in human and "$0.25" in human


def test_cost_reports_by_kind_and_runner(loop):
    assert "no spend recorded yet" in loop.call("cost").stdout
    for args in (("tick", "t1", "pi", "0.1"), ("goal", "g", "claude", "0.0250"), ("session", "w", "pi", "1")):
        assert loop.call("_cost", *args).returncode == 0
    assert loop.call("_cost", "tick", "x", "pi", "0").returncode == 0  # zero is not recorded
    assert loop.call("_cost", "tick", "x", "pi", "lots").returncode == 2
    lines = (loop.data / "cost.jsonl").read_text().splitlines()
    assert len(lines) == 3
    for line in lines:
        assert schemas.is_valid("ledger", json.loads(line))
    report = json.loads(loop.call("cost", "all", "--json").stdout)
    assert report["total_usd"] == 1.125 and report["calls"] == 3
    assert report["by_kind"]["session"] == {"usd": 1.0, "calls": 1}
    assert report["by_runner"]["pi"] == {"usd": 1.1, "calls": 2}
    human = loop.call("cost", "today").stdout
    assert "$1.125 over 3 calls" in human and "claude" in human


def test_closed_stdout_pipe_exits_quietly(loop):
    loop.seed()
    cmd = " ".join(looop_argv()) + " help | head -1"
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=loop.env)
    assert out.stdout.startswith("looop ") and out.stderr == ""
