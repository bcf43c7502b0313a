"""The mailbox costs the hot path nothing heavy: `version`, `help`, `asks`
and `wait` never import apprise or jsonschema, and an unchanged beat with
pending asks and a notifier configured never imports apprise (only an
Apprise send does)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = ("import sys; from looop.cli import main; code = main(sys.argv[1:]); "
         "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'apprise', 'jsonschema'}); "
         "print('HEAVY=' + ','.join(heavy), file=sys.stderr); sys.exit(code)")


def _heavy(loop, *args: str) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], env=loop.env, cwd=loop.root, text=True,
                         capture_output=True, timeout=60, check=False)
    return next(ln for ln in out.stderr.splitlines() if ln.startswith("HEAVY=")).split("=", 1)[1]


@pytest.mark.parametrize("args", [("version",), ("help",), ("tick",), ("asks",), ("asks", "--json"), ("wait",)])
def test_nothing_heavy_on_the_hot_path(loop, tmp_path, args):
    loop.fake("journal")
    loop.seed()
    assert loop.run("tick").returncode == 0
    assert loop.run("ask", "--worker", "w", "--prompt", "Go?", "--timeout", "0.01").returncode == 3
    assert loop.run("tick").returncode == 0  # decided: the world with the ask is saved
    loop.fake("journal", notify_command="cat > /dev/null")
    assert loop.run("tick").returncode == 0  # checks the new config once, and sends the ask's notification
    heavy = set(filter(None, _heavy(loop, *args).split(",")))
    assert heavy == set()
