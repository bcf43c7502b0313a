"""The verb table: every verb declared once, its module imported only when it runs,
`looop --help` and `looop help exit-codes` generated from the table and the enum,
and the command line read without plumbum's private internals."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from looop.commands import table as verbs
from looop.commands import usage
from looop.core.errors import ExitStatus

ROOT = Path(__file__).resolve().parent.parent

# runs a verb in a fresh interpreter, then prints which looop modules it imported
PROBE = """
import json, sys
from looop.cli import main
code = main(sys.argv[1:])
print(json.dumps(sorted(m for m in sys.modules if m.startswith("looop."))), file=sys.stderr)
"""


def modules_after(loop, *argv: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], env=loop.env, cwd=loop.root, capture_output=True,
                          text=True, timeout=60)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_every_row_names_a_verb_class_and_every_verb_is_in_one_group():
    for row in verbs.TABLE:
        cls = verbs.load(row.name)
        assert issubclass(cls, usage.Verb), row
        assert row.group in (*verbs.GROUPS, verbs.INTERNAL), row
        assert (row.group == verbs.INTERNAL) == row.name.startswith("_"), row
    assert len({row.name for row in verbs.TABLE}) == len(verbs.TABLE)


def test_a_verb_module_is_imported_only_when_that_verb_runs(loop):
    machinery = {"looop.commands.table", "looop.commands.usage"}  # the table and the parser: every verb needs them
    commands = {m for m in modules_after(loop, "version") if m.startswith("looop.commands.")} - machinery
    assert commands == {"looop.commands.help"}
    assert "looop.commands.workers" in modules_after(loop, "kill", "--help")
    assert "looop.commands.status" not in modules_after(loop, "kill", "--help")


def test_the_overview_shows_each_group_with_its_verbs(loop):
    out = loop.call("--help").stdout
    for group in verbs.GROUPS:
        assert f"\n{group}:\n" in out
    block = out[out.index("\nworkers:\n"):out.index("\nthe mailbox:\n")]
    assert "  kill " in block and "  tick " not in block
    assert "  doctor " in out and "`looop help exit-codes`" in out


def test_help_exit_codes_prints_one_line_per_code_from_the_enum(loop):
    out = loop.call("help", "exit-codes")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    codes = sorted({int(s) for s in ExitStatus})
    assert [int(line.split()[0]) for line in lines] == codes
    row = {int(line.split()[0]): line for line in lines}
    assert "NOT_PERMITTED" in row[77] and "human-only" in row[77]
    assert re.search(r"UNEXPECTED / TIMEOUT .*crash\.log", row[3])
    assert "INTERRUPTED" in row[130]
    manual = loop.call("help").stdout
    assert "EXIT CODES" in manual and row[77].strip() in manual and "help exit-codes" in manual
    typo = loop.call("help", "exit-code")
    assert typo.returncode == 2 and "did you mean `looop help exit-codes`?" in typo.stderr


def test_the_exit_codes_looop_gives_are_the_named_ones(loop):
    assert loop.call("frobnicate").returncode == ExitStatus.BAD_INPUT
    assert loop.call("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01").returncode == ExitStatus.TIMEOUT
    assert loop.call("tell").returncode == ExitStatus.BAD_INPUT


def test_every_fatal_error_names_its_exit_code():
    """One source for what an exit code means: no `FatalError(..., 1)` with a bare number."""
    import ast

    bare = []
    for path in sorted((ROOT / "looop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "FatalError":
                codes = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "code")]
                if any(isinstance(c, ast.Constant) and isinstance(c.value, int) for c in codes):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, f"give these an ExitStatus name: {bare}"


@pytest.mark.parametrize("argv, target, expected", [
    (["ls", "-wn", "5", "--json"], "ls.ls", {"watch": True, "interval": "5", "as_json": True}),
    (["ls", "--interval=3"], "ls.ls", {"watch": False, "interval": "3"}),
    (["ls", "-n3"], "ls.ls", {"interval": "3"}),
    (["kill", "--grace", "=2", "w"], "workers.kill", {"grace": 2.0, "args": ("w",)}),
    (["goal", "write", "g", "--journal", "x", "--", "-"], "goal.goal", {"args": ("write", "g", ("-",), "x")}),
    (["schedule", "write", "s", "--in", "5m"], "schedule.write", {"in_": "5m", "args": ("s",)}),
    (["cost", "ALL"], "cost.cost", {"args": ("all",)}),
    (["-q", "tick", "-n"], "tick.tick", {"dry_run": True, "quiet": False}),
])
def test_what_check_lets_through_plumbum_reads_the_same(loop, monkeypatch, capsys, argv, target, expected):
    from looop.cli import Looop

    for key, value in loop.env.items():
        monkeypatch.setenv(key, value)
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(f"looop.commands.{target}", lambda paths, *args, **kw: calls.append({"args": args, **kw}))
    _, code = Looop.run(["looop", *argv], exit=False)
    assert code == 0 and "Error" not in capsys.readouterr().out
    assert len(calls) == 1 and {k: calls[0][k] for k in expected} == expected


def test_no_private_plumbum_internals_are_used():
    """plumbum's underscore names (`_subcommands`, `_switches_by_name`, `_parse_args`, ...) stay plumbum's."""
    private = re.compile(r"\._(subcommands|switches_by_\w+|parse_args|validate_args|get_\w+|switch_info|"
                         r"parse_kwd_args|positional_validate|handle_argument|lookup_switch)\b|"
                         r"def _(parse_args|validate_args)\b")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "looop").rglob("*.py"))
             for n, line in enumerate(p.read_text().splitlines(), 1) if private.search(line)]
    assert found == []
