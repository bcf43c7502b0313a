"""The suite's own guard: a test that leaves a worker running fails the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, supervisors, wait_for

LEAKY = '''
from tests.fleet import kit


def test_starts_a_worker_its_cleanup_cannot_see(loop, tmp_path_factory):
    loop.env["LOOOP_FLEET_DIR"] = str(tmp_path_factory.mktemp("elsewhere") / "fleet")
    kit.use_fake_worker(loop)
    kit.start(loop, "stray", "hang")
'''


def test_a_leaked_worker_fails_the_run_and_is_ended(tmp_path: Path):
    (tmp_path / "test_leaky.py").write_text(LEAKY)
    base = tmp_path / "basetemp"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "tests.helpers", "-p", "no:cacheprovider",
                           "--basetemp", str(base), str(tmp_path / "test_leaky.py")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "1 passed" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1 and "worker supervisor(s) outlived their test" in done.stdout
    assert "looop-stray" in done.stdout
    wait_for(lambda: not supervisors(base), what="the leaked supervisor to be ended")
