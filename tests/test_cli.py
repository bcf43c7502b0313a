"""The command line: verbs, help, status, cost, errors and pipes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from looop.core import schemas
from tests.helpers import looop_argv


def test_unknown_verb_lists_the_verbs(loop):
    out = loop.call("frobnicate")
    assert out.returncode == 2
    assert "unknown verb 'frobnicate'" in out.stderr and "tick" in out.stderr and "playbook" in out.stderr


def test_a_mistyped_verb_gets_did_you_mean(loop):
    out = loop.run("satus")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("looop: unknown verb 'satus'; did you mean `looop status`?")


@pytest.mark.parametrize("argv, first_line, verb", [
    (["kill"], "looop: kill: missing <id>", "kill"),
    (["kill", "--grace", "soon", "w"], "looop: kill: --grace 'soon': must be a number", "kill"),
    (["status", "extra"], "looop: status: unexpected argument 'extra'", "status"),
    (["cost", "weekly"], "looop: cost: scope 'weekly': must be one of today, all", "cost"),
    (["ls", "--wacth"], "looop: ls: unknown switch --wacth (did you mean --watch?)", "ls"),
    (["start-session", "w"], "looop: start-session: missing <prompt>", "start-session"),
    (["init", "--runner"], "looop: init: --runner needs a value", "init"),
])
def test_a_usage_mistake_is_one_line_and_where_to_read_more(loop, argv, first_line, verb):
    out = loop.run(*argv)
    assert out.returncode == 2 and out.stdout == ""
    lines = out.stderr.splitlines()
    assert lines[0] == first_line and len(lines) == 2
    assert lines[1].startswith(f"  usage: looop {verb}") and lines[1].endswith(f"(more: `looop help {verb}`)")
    assert "Error" not in out.stderr and "=None" not in out.stderr and "ValueError" not in out.stderr


def test_help_for_one_verb(loop):
    out = loop.call("help", "start-session")
    assert out.returncode == 0
    assert out.stdout.startswith("usage: looop start-session [--cwd DIR] [--verify CMD] <id> <prompt> [<runner>]\n")
    assert "Start a worker" in out.stdout and "=None" not in out.stdout
    assert loop.run("kill", "--help").stdout.startswith("usage: looop kill [--grace SECONDS] <id>")
    wrong = loop.call("help", "kil")
    assert wrong.returncode == 2 and "did you mean `looop help kill`?" in wrong.stderr


def test_the_short_help_lists_only_verbs_a_user_types(loop):
    out = loop.run("--help")
    assert out.returncode == 0
    assert "  tick " in out.stdout and "  attach " in out.stdout
    assert "_fmt" not in out.stdout and "_complete" not in out.stdout and "_supervise" not in out.stdout
    assert "--completions" not in out.stdout and "fish" not in out.stdout
    everything = loop.run("--help-all")
    assert everything.returncode == 0 and "_supervise" not in everything.stdout


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
