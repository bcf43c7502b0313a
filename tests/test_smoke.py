"""The README's promise: `looop demo` shows a full beat and a skipped one."""

from __future__ import annotations


def test_demo_decides_once_then_skips(loop):
    out = loop.run("demo")
    assert out.returncode == 0, out.stderr
    assert "decided in" in out.stdout
    assert "world unchanged" in out.stdout
    assert "journal" in out.stdout


def test_version(loop):
    from looop import __version__

    out = loop.run("version")
    assert out.stdout.strip() == f"looop {__version__}"
