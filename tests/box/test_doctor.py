"""The doctor's proof of the box, and where a boxed worker may start."""

from __future__ import annotations

import os
from unittest import mock

from looop.box.doctor import report
from looop.core.paths import Paths
from tests.box.kit import needs_bwrap
from tests.fleet import kit as fleet


def _report(loop) -> list[str]:
    with mock.patch.dict(os.environ, {k: v for k, v in loop.env.items() if k in ("HOME", "PATH")}):
        return report(Paths(data=loop.data, config=loop.config, is_default_profile=False))


@needs_bwrap
def test_the_doctor_names_the_box_runs_true_in_it_and_sees_a_write_refused(loop):
    loop.fake("journal", sandbox="bwrap")
    loop.seed()
    lines = _report(loop)
    assert lines[0].startswith("sandbox: bwrap (") and "bwrap" in lines[0]
    assert lines[1].startswith("  boxed `true`: ok (")
    assert lines[2] == "  a write into the data dir from inside: refused (read-only)"
    assert not (loop.data / ".doctor-box-probe").exists()


def test_the_doctor_says_when_there_is_no_box(loop):
    loop.fake("journal", sandbox="off")
    assert _report(loop) == ["sandbox: off (config sandbox says off): the data dir, HOME and the PLAYBOOK gate "
                             "rest on conventions"]


@needs_bwrap
def test_a_boxed_worker_starts_only_where_it_may_write(loop, tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    fleet.use_fake_worker(loop, "journal", sandbox="bwrap", sandbox_write=[str(code)])
    loop.seed()
    refused = loop.run("start-session", "w1", "go", "--cwd", str(loop.data))
    assert refused.returncode == 1 and "a boxed worker cannot write there" in refused.stderr
    assert not fleet.session_dir(loop, "w1").exists()
    fleet.start(loop, "w2", "env", str(code / "seen.txt"), "exit", "0")
    fleet.wait_state(loop, "w2", "exited")
    seen = (code / "seen.txt").read_text()  # written from inside the box, into a sandbox_write path
    assert f"cwd={fleet.session_dir(loop, 'w2') / 'work'}\n" in seen
    assert "LOOOP_BOXED=1\n" in seen and "LOOOP_DOOR=/tmp/.looop-door/door.sock\n" in seen
    out = loop.run("start-session", "w3", "go", "--cwd", str(code), env={"FAKE_WORKER_MOVES": "exit 0"})
    assert out.returncode == 0, out.stderr
    assert f"cwd: {code}), in the box (bwrap)" in out.stdout
    fleet.wait_state(loop, "w3", "exited")


@needs_bwrap
def test_looop_doctor_shows_the_box_in_use_and_its_proof(loop):
    loop.fake("journal", sandbox="bwrap")
    loop.seed()
    out = loop.run("doctor")
    lines = [line for line in out.stdout.splitlines() if line.lstrip().startswith("sandbox")]
    assert len(lines) == 3, out.stdout
    assert "bwrap" in lines[0] and " ok " in f"{lines[0]} "
    assert "boxed `true`: ok" in lines[1] and "refused (read-only)" in lines[2]
    assert not any(" fail " in f"{line} " for line in lines), out.stdout
