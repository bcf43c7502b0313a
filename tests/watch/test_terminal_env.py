"""`looop watch` in a real terminal, under the environments users have: NO_COLOR,
LOOOP_COLOR=0, Ctrl-C as the way out, a session wider than the terminal."""

from __future__ import annotations

import re

from tests.fleet.kit import Term
from tests.watch.test_app import run, screen_text, session

# a colour set (39/49, back to the default colours, is no colour)
COLOUR_SGR = re.compile(rb"\x1b\[(?:[0-9]+;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]+)*m")


def watch_in_pty(loop, *args: str, env: dict[str, str]) -> Term:
    root = loop.root / "fleet"
    session(root, "build", b"\x1b[31mred words\x1b[0m here\r\n", alive=True)
    return Term(loop, "watch", "build", *args, env={"LOOOP_FLEET_DIR": str(root), **env})


def test_no_color_watch_draws_and_quits(loop):
    term = watch_in_pty(loop, env={"NO_COLOR": "1"})
    try:
        term.expect("red words")
        term.expect("HEALTH")
        term.send("q")
        assert term.wait(20) == 0
    finally:
        term.close()
    assert b"Traceback" not in term.seen and b"Error" not in term.seen


def test_ctrl_c_quits_watch(loop):
    term = watch_in_pty(loop, env={})
    try:
        term.expect("red words")
        term.send("\x03")
        assert term.wait(20) == 0
    finally:
        term.close()


def test_looop_color_0_draws_without_colour(loop):
    term = watch_in_pty(loop, env={"LOOOP_COLOR": "0", "COLORTERM": "truecolor", "TERM": "xterm-256color"})
    try:
        term.expect("red words")
        term.expect("HEALTH")
        term.pump(0.5)
        term.send("q")
        assert term.wait(20) == 0
    finally:
        term.close()
    assert not COLOUR_SGR.search(term.seen), term.seen[:400]


def test_a_session_wider_than_the_terminal_scrolls_sideways(tmp_path):
    from looop.watch.app import Watch

    wide = b"".join(b"row %02d " % i + b"." * 150 + b"END%02d\r\n" % i for i in range(5))
    session(tmp_path, "wide", wide, cols=200)

    async def steps(pilot, app):
        assert not any("END00" in line for line in screen_text(app))
        await pilot.press("end")
        await pilot.pause()
        assert any("END00" in line for line in screen_text(app))
        await pilot.press("home")
        await pilot.pause()
        assert any(line.startswith("row 00") for line in screen_text(app))
        await pilot.press("right")
        await pilot.pause()
        assert not any(line.startswith("row 00") for line in screen_text(app))

    run(Watch(tmp_path, show_all=True), steps, size=(80, 24))
