"""`looop watch` driven headless through textual's own pilot."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from pathlib import Path

from looop.watch.app import TermView, Watch
from tests.helpers import FIXTURES

LOGS = FIXTURES / "logs"


def session(root: Path, name: str, log: bytes | Path, *, alive: bool = False, cols: int = 80, rows: int = 24,
            started: float | None = None) -> Path:
    d = root / "sessions" / f"looop-{name}"
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(log, Path):
        shutil.copyfile(log, d / "output.log")
    else:
        (d / "output.log").write_bytes(log)
    (d / "meta.json").write_text(json.dumps({"cols": cols, "rows": rows,
                                             "started_epoch": started or time.time() - 60,
                                             "supervisor_pid": os.getpid() if alive else None}))
    state = {"state": "running"} if alive else {"state": "exited", "exit_code": 0, "ended_at": time.time()}
    (d / "status.json").write_text(json.dumps(state))
    return d


def run(app: Watch, steps, size=(100, 30)):
    async def go():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(pilot, app)
    asyncio.run(go())


def screen_text(app: Watch) -> list[str]:
    view = app.query_one(TermView)
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


def test_the_selected_session_shows_its_terminal_and_the_table_lists_all(tmp_path):
    session(tmp_path, "build", LOGS / "progress.log")
    session(tmp_path, "pages", LOGS / "less.log", started=time.time() - 30)

    async def steps(pilot, app):
        lines = screen_text(app)
        assert "building the thing" in lines and "done ünïcode ✓ 漢字" in lines
        assert not any("[####" in line for line in lines)  # 1,000 redraws, one line
        assert [r.id for r in app.rows] == ["build", "pages"]
        await pilot.press("down")
        await pilot.pause()
        assert app.selected == "pages"
        assert "after less" in screen_text(app)

    run(Watch(tmp_path, show_all=True), steps)


def test_scrolling_back_stops_following_and_G_resumes(tmp_path):
    d = session(tmp_path, "chatty", b"".join(b"line %05d\r\n" % i for i in range(500)), alive=True)

    async def steps(pilot, app):
        view = app.query_one(TermView)
        assert view.following and "line 00499" in screen_text(app)
        await pilot.press("pageup")
        await pilot.pause()
        assert not view.following and "line 00499" not in screen_text(app)
        before = screen_text(app)
        with open(d / "output.log", "ab") as fh:
            fh.write(b"line 00500\r\n")
        app.poll_log()
        await pilot.pause()
        assert screen_text(app) == before  # scrolled back: the view holds still
        await pilot.press("g")
        await pilot.pause()
        assert screen_text(app)[0] == "line 00000"
        await pilot.press("G")
        await pilot.pause()
        assert view.following and "line 00500" in screen_text(app)
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert not view.following
        await pilot.press("ctrl+d", "ctrl+d", "ctrl+d")
        await pilot.pause()
        assert view.following

    run(Watch(tmp_path), steps)


def test_tab_switches_between_living_and_all(tmp_path):
    session(tmp_path, "done", b"finished\r\n")
    session(tmp_path, "live", b"working\r\n", alive=True)

    async def steps(pilot, app):
        assert [r.id for r in app.rows] == ["live"]
        await pilot.press("tab")
        await pilot.pause()
        assert sorted(r.id for r in app.rows) == ["done", "live"]
        await pilot.press("tab")
        await pilot.pause()
        assert [r.id for r in app.rows] == ["live"]

    run(Watch(tmp_path), steps)


def test_the_pulse_is_listed_first(tmp_path):
    session(tmp_path, "worker", b"w\r\n", alive=True, started=time.time() - 500)
    session(tmp_path, "pulse", b"beat\r\n", alive=True, started=time.time() - 10)

    async def steps(pilot, app):
        assert [r.id for r in app.rows] == ["pulse", "worker"]

    run(Watch(tmp_path), steps)


def test_sessions_that_appear_end_or_vanish_while_watched(tmp_path):
    d = session(tmp_path, "first", b"hello\r\n", alive=True)

    async def steps(pilot, app):
        session(tmp_path, "second", b"new one\r\n", alive=True)
        app.refresh_table()
        await pilot.pause()
        assert [r.id for r in app.rows] == ["first", "second"]
        (d / "status.json").write_text(json.dumps({"state": "exited", "exit_code": 3, "ended_at": time.time()}))
        app.refresh_table()
        await pilot.pause()
        assert "first" in [r.id for r in app.rows]  # the watched one stays listed
        assert app.replay.row.id == "first"
        shutil.rmtree(d)
        app.poll_log()
        app.refresh_table()
        await pilot.pause()
        assert [r.id for r in app.rows] == ["second"]
        assert "new one" in screen_text(app)

    run(Watch(tmp_path, select="first"), steps)


def test_a_log_truncated_or_rotated_while_watched_is_reread(tmp_path):
    d = session(tmp_path, "w", b"before\r\n" * 50, alive=True)

    async def steps(pilot, app):
        (d / "output.log").write_bytes(b"fresh start\r\n")
        app.poll_log()
        await pilot.pause()
        assert screen_text(app)[0] == "fresh start"
        os.replace(d / "output.log", d / "output.log.1")
        (d / "output.log").write_bytes(b"rotated on\r\n")
        app.poll_log()
        await pilot.pause()
        assert screen_text(app)[:2] == ["fresh start", "rotated on"]

    run(Watch(tmp_path), steps)


def test_a_tiny_terminal_still_works(tmp_path):
    session(tmp_path, "w", LOGS / "progress.log", alive=True)

    async def steps(pilot, app):
        assert app.query_one(TermView).size.height >= 1
        await pilot.press("pageup", "G", "tab", "down")
        await pilot.pause()

    run(Watch(tmp_path), steps, size=(20, 5))


def test_no_colour_when_colour_is_off(tmp_path):
    session(tmp_path, "w", b"\x1b[31mred\x1b[0m\r\n", alive=True)

    async def steps(pilot, app):
        strip = app.query_one(TermView).render_line(0)
        assert strip.text.startswith("red")
        assert all(seg.style is None or seg.style.color is None for seg in strip)

    run(Watch(tmp_path, colour=False), steps)


def test_a_long_log_fills_the_scrollback_after_the_first_frame(tmp_path):
    session(tmp_path, "big", b"".join(b"row %06d\r\n" % i for i in range(30_000)), alive=True)

    async def steps(pilot, app):
        await app.workers.wait_for_complete()
        await pilot.pause()
        term = app.replay.term
        assert len(term.scrollback) == 10_000
        await pilot.press("g")
        await pilot.pause()
        assert screen_text(app)[0] == f"row {30_000 - 10_000 - 23:06d}"

    run(Watch(tmp_path), steps)


def test_the_table_shows_health_and_verify(tmp_path):
    d = session(tmp_path, "checked", b"done\r\n")
    meta = json.loads((d / "meta.json").read_text())
    (d / "meta.json").write_text(json.dumps({**meta, "verify": "true"}))
    session(tmp_path, "quiet", b"...\r\n", alive=True)
    os.utime(tmp_path / "sessions" / "looop-quiet" / "output.log", (time.time() - 5000, time.time() - 5000))

    async def steps(pilot, app):
        cells = {r.id: app.cells(r) for r in app.rows}
        assert cells["quiet"][1] == "stuck"
        assert cells["checked"][1] == "dead" and cells["checked"][6] == "pending"

    run(Watch(tmp_path, show_all=True), steps)
