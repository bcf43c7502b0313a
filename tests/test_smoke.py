"""The README's promise: `looop demo` shows a full beat and a skipped one."""

from __future__ import annotations

import json
import subprocess


def test_demo_decides_once_then_skips(loop):
    out = loop.run("demo", env={"TMPDIR": str(loop.root)})  # keep its throwaway dir in ours
    assert out.returncode == 0, out.stderr
    assert "decided in" in out.stdout
    assert "world unchanged" in out.stdout
    assert "journal" in out.stdout
    assert "bash:" not in out.stdout + out.stderr and "No such file" not in out.stdout + out.stderr
    demo_data = next(loop.root.glob("looop-demo-*")) / "data"
    assert (demo_data / ".lock" / "pid").exists()  # its beats went through the pulse lock
    state = loop.root / "home" / ".local" / "state"
    assert not (state / "looop-gate").exists(), "the demo leaves nothing in the real state dir"
    # the command it suggests works as typed
    suggested = next(ln for ln in out.stdout.splitlines() if ln.startswith("Try: "))[5:]
    ran = subprocess.run(["bash", "-c", suggested.replace(" status", " status --json")], capture_output=True,
                         text=True, env={k: v for k, v in loop.env.items() if not k.startswith("LOOOP_")})
    status = json.loads(ran.stdout)
    assert status["data_dir"].startswith(str(loop.root / "looop-demo-"))
    assert status["last_tick"]["hash"]


def test_version(loop):
    from looop import __version__

    out = loop.call("version")
    assert out.stdout.strip() == f"looop {__version__}"
