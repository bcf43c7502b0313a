"""`looop watch` and `looop screenshot`: look at sessions, never touch them.

Both replay a session's PTY log through a terminal emulator; neither connects
to a session's socket or sends it a byte. pyte and textual load here only.
"""

from __future__ import annotations

import sys

from looop.commands import usage
from looop.core.errors import ExitStatus, FatalError
from looop.core.paths import Paths, resolve
from looop.core.untrusted import json_text

SCREENSHOT_BYTES = 256 << 10  # enough of the log's tail to redraw a full screen


def watch(paths: Paths, session: str | None = None, show_all: bool = False, since: str | None = None) -> int:
    from looop.fleet import sessions

    select = sessions.bare_id(sessions.find(paths.fleet_root, session).id) if session else None
    since_s = _since(since)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise FatalError("watch needs a terminal (for a one-off look: `looop screenshot <id>`)", ExitStatus.FAILED)
    from looop.core.color import enabled
    from looop.mailbox.asking import blocked_workers
    from looop.watch.app import Watch

    Watch(paths.fleet_root, select=select, show_all=show_all, since_s=since_s, colour=enabled(),
          asks=lambda: blocked_workers(paths)).run()
    return 0


def _since(text: str | None) -> float | None:
    if text is None:
        return None
    from looop.time.schedules import parse_duration

    return float(parse_duration(text, "--since"))


def screenshot(paths: Paths, session: str, ansi: bool = False, as_json: bool = False) -> int:
    from looop.fleet import logtail, screen, sessions

    found = sessions.find(paths.fleet_root, session)
    cols, rows = sessions.size_of(found)
    term = screen.Terminal(cols, rows, scrollback=0)
    term.feed(logtail.tail(found.log, found.log_old, SCREENSHOT_BYTES))
    if as_json:
        doc = {"cols": cols, "rows": rows, "lines": screen.text_lines(term.screen_rows(), cols),
               "cursor": [min(term.cursor.x, cols - 1), term.cursor.y]}
        print(json_text(doc))
        return 0
    plain = screen.trim_blank_tail(screen.text_lines(term.screen_rows(), cols))
    lines = screen.ansi_lines(term.screen_rows()[: len(plain)], cols) if ansi else plain
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


class Watch(usage.Verb):
    show_all = usage.flag(["--all", "-a"], help="list finished sessions too (Tab toggles)")
    since = usage.option("--since", str, None, argname="DUR", help="also list sessions active within DUR (30m, 2h, 1d)")

    def main(self, id: str = "") -> int:
        return watch(resolve(), id or None, show_all=self.show_all, since=self.since)


class Screenshot(usage.Verb):
    ansi = usage.flag("--ansi", help="keep the colours (even with NO_COLOR: the flag is explicit)")
    json = usage.flag("--json", help="a grid: cols, rows, lines, cursor (schemas/screenshot.schema.json)")

    def main(self, id: str) -> int:
        return screenshot(resolve(), id, ansi=self.ansi, as_json=self.json)
