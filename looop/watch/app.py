"""`looop watch`: the fleet at a glance, each terminal as it looked live.

A read-only textual app: the selected session's log replayed through the
emulator above, the session table below. It only reads files; it never
sends a byte to a session, so watching can neither steer nor slow a worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.filter import Monochrome, NoColor
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable, Static

from looop.fleet import logtail, screen
from looop.fleet import view as fleetview

POLL_S = 0.5  # how often the selected log is looked at
TABLE_S = 2.0  # how often the session table is re-read


def rich_style(style: screen.Style, colour: bool) -> Style:
    fg, bg, bold, italics, underscore, strike, reverse, blink = style
    if not colour:
        return Style(bold=bold, italic=italics, underline=underscore, strike=strike, reverse=reverse)
    return Style(color=screen.rich_colour(fg), bgcolor=screen.rich_colour(bg), bold=bold, italic=italics,
                 underline=underscore, strike=strike, reverse=reverse, blink=blink)


class Replay:
    """One session's emulated terminal and the follower feeding it."""

    def __init__(self, row: fleetview.Row) -> None:
        self.row = row
        self.session = row.session
        self.term = screen.Terminal(row.cols, row.rows)
        self.follower = logtail.Follower(self.session.log, self.session.log_old)
        self.older = b""

    def open(self) -> None:
        data = self.follower.open()
        self.older, newest = logtail.split_for_first_frame(data)
        self.term.feed(newest)

    def backfill(self) -> list:
        """Rows the older part of the tail leaves behind (run off the UI thread)."""
        if not self.older:
            return []
        past = screen.Terminal(self.term.columns, self.term.lines)
        past.feed(logtail.last_lines(self.older, (past.scrollback.maxlen or 0) + past.lines))
        self.older = b""
        used = past.cursor.y + (1 if past.cursor.x else 0)  # the cursor's row only if written on
        return [*past.scrollback, *past.screen_rows()[:used]]

    def poll(self) -> bool:
        data, restart = self.follower.poll()
        if restart:
            self.term = screen.Terminal(self.term.columns, self.term.lines)
            self.open()
            return True
        if data:
            self.term.feed(data)
        return bool(data)


class TermView(ScrollView, can_focus=False):
    """The emulated terminal with its scrollback, following the tail unless scrolled back."""

    DEFAULT_CSS = "TermView { height: 1fr; min-height: 1; background: $background; }"

    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour
        self.replay: Replay | None = None
        self.following = True

    def show(self, replay: Replay | None) -> None:
        self.replay, self.following = replay, True
        self.update_size()

    def update_size(self) -> None:
        term = self.replay.term if self.replay else None
        total = term.row_count() if term else 0
        self.virtual_size = Size(term.columns if term else 0, total)
        if self.following:
            self._to_end()
            self.call_after_refresh(self._to_end)  # once the new size is laid out
        self.refresh()

    def _to_end(self) -> None:
        if self.following:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def on_resize(self) -> None:
        self._to_end()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.following = new_value >= self.max_scroll_y

    def scroll_back(self, rows: int) -> None:
        self.following = False
        self.scroll_to(y=max(0, self.scroll_y - rows), animate=False, immediate=True)

    def scroll_forward(self, rows: int) -> None:
        self.scroll_to(y=min(self.max_scroll_y, self.scroll_y + rows), animate=False, immediate=True)
        self.following = self.scroll_y >= self.max_scroll_y

    def oldest(self) -> None:
        self.following = False
        self.scroll_to(y=0, animate=False, immediate=True)

    def tail(self) -> None:
        self.following = True
        self.update_size()

    def _on_mouse_scroll_up(self, event) -> None:
        event.stop()
        self.scroll_back(3)

    def _on_mouse_scroll_down(self, event) -> None:
        event.stop()
        self.scroll_forward(3)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        term = self.replay.term if self.replay else None
        index = int(self.scroll_y) + y
        if term is None or index >= term.row_count():
            return Strip.blank(width)
        segments = [Segment(text, rich_style(style, self.colour))
                    for text, style in screen.runs(term.row(index), term.columns)]
        x = int(self.scroll_x)
        return Strip(segments).crop(x, x + width).extend_cell_length(width)


class Watch(App):
    """The fleet viewer."""

    TITLE = "looop watch"
    CSS = """
    #head { height: 1; background: $panel; color: $text; }
    #table { height: auto; max-height: 45%; min-height: 2; }
    #keys { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("q", "quit", "quit", priority=True),
        Binding("ctrl+c", "quit", show=False, priority=True),
        Binding("left", "sideways(-1)", show=False, priority=True),
        Binding("right", "sideways(1)", show=False, priority=True),
        Binding("home", "sideways(-1000000)", show=False, priority=True),
        Binding("end", "sideways(1000000)", show=False, priority=True),
        Binding("pageup", "page(-1)", "scroll", priority=True),
        Binding("pagedown", "page(1)", show=False, priority=True),
        Binding("ctrl+u", "half(-1)", show=False, priority=True),
        Binding("ctrl+d", "half(1)", show=False, priority=True),
        Binding("g", "oldest", "oldest", priority=True),
        Binding("G", "tail", "tail", priority=True),
        Binding("tab", "filter", "living/all", priority=True),
    ]

    def __init__(self, fleet_root: Path, *, select: str | None = None, show_all: bool = False,
                 since_s: float | None = None, colour: bool = True,
                 asks: Callable[[], Mapping[str, float]] | None = None) -> None:
        super().__init__()
        # Colour is looop's call (LOOOP_COLOR, then NO_COLOR): textual's own NO_COLOR
        # filter is dropped (its monochrome one fails on default colours) and
        # colour off strips every colour the same way.
        self._filters = [f for f in self._filters if not isinstance(f, (Monochrome, NoColor))]
        if not colour:
            self._filters.append(NoColor())
        self.asks = asks  # which workers wait on an ask, and since when (the mailbox)
        self.fleet_root, self.selected = fleet_root, select
        self.living_only, self.since_s, self.colour = not show_all, since_s, colour
        self.rows: list[fleetview.Row] = []
        self.replay: Replay | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(id="head")
        yield TermView(self.colour)
        table: DataTable = DataTable(id="table", cursor_type="row", zebra_stripes=False)
        table.add_columns("ID", "HEALTH", "STATE", "IDLE", "UPTIME", "ASK", "VERIFY")
        yield table
        yield Static("↑/↓ select  PgUp/PgDn ^U/^D scroll  ←/→ sideways  g/G oldest/tail  Tab living↔all  q quit",
                     id="keys")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.refresh_table()
        self.set_interval(POLL_S, self.poll_log)
        self.set_interval(TABLE_S, self.refresh_table)

    # -- the session table ------------------------------------------------------
    def refresh_table(self) -> None:
        rows = fleetview.rows(self.fleet_root, living_only=self.living_only, since_s=self.since_s,
                              keep=self.selected, asks=self.asks() if self.asks else None)
        table = self.query_one(DataTable)
        if [r.id for r in rows] != [r.id for r in self.rows]:
            table.clear()
            for r in rows:
                table.add_row(*self.cells(r), key=r.id)
        else:
            for old, r in zip(self.rows, rows):
                for col, before, value in zip(table.columns, self.cells(old), self.cells(r)):
                    if before != value:
                        table.update_cell(r.id, col, value)
        self.rows = rows
        ids = [r.id for r in rows]
        if self.selected not in ids:
            self.selected = ids[0] if ids else None
        if self.selected is not None:
            want = ids.index(self.selected)
            if table.cursor_row != want:
                table.move_cursor(row=want)
        if self.replay is None or self.replay.row.id != self.selected:
            self.select(self.selected)
        self.update_head()

    @staticmethod
    def cells(r: fleetview.Row) -> tuple[str, ...]:
        verify = r.verify or "-"
        return (r.id, r.health, r.state if r.exit_code is None else f"{r.state} {r.exit_code}",
                fleetview.duration(r.idle_s), fleetview.duration(r.uptime_s), fleetview.duration(r.ask_age_s),
                verify)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        if key and key != self.selected:
            self.select(key)

    def select(self, sid: str | None) -> None:
        self.selected = sid
        self._generation += 1
        row = next((r for r in self.rows if r.id == sid), None)
        view = self.query_one(TermView)
        if row is None:
            self.replay = None
            view.show(None)
            self.update_head()
            return
        replay = Replay(row)
        replay.open()
        self.replay = replay
        view.show(replay)
        self.update_head()
        if replay.older:  # after the first frame is on screen
            self.call_after_refresh(self.run_worker, lambda g=self._generation: self._backfill(replay, g),
                                    thread=True, exclusive=True, group="backfill")

    def _backfill(self, replay: Replay, generation: int) -> None:
        rows = replay.backfill()
        if rows:
            self.call_from_thread(self._prepend, replay, generation, rows)

    def _prepend(self, replay: Replay, generation: int, rows: list) -> None:
        if generation != self._generation or replay is not self.replay:
            return
        term = replay.term
        merged = [*rows, *term.scrollback][-(term.scrollback.maxlen or len(rows)):]
        grown = len(merged) - len(term.scrollback)
        term.scrollback.clear()
        term.scrollback.extend(merged)
        view = self.query_one(TermView)
        if not view.following:
            view.scroll_to(y=view.scroll_y + grown, animate=False, immediate=True)
        view.update_size()

    # -- following the log ---------------------------------------------------------
    def poll_log(self) -> None:
        if self.replay is None:
            return
        before = self.replay.term.row_count(), len(self.replay.term.scrollback)
        if self.replay.poll():
            self.query_one(TermView).update_size()
        if self.replay.follower.gone or before != (self.replay.term.row_count(), len(self.replay.term.scrollback)):
            self.update_head()

    def update_head(self) -> None:
        head = self.query_one("#head", Static)
        view = self.query_one(TermView)
        mode = "living" if self.living_only else "all"
        if self.replay is None:
            head.update(f" looop watch · no sessions to show ({mode}; Tab shows all)")
            return
        r, term = self.replay.row, self.replay.term
        where = "following" if view.following else "scrolled back"
        gone = " · session removed" if self.replay.follower.gone else ""
        alt = " · full-screen app" if term.on_alternate else ""
        head.update(f" {r.id} · {r.state} · {term.columns}×{term.lines} · {where}{alt}{gone} · {mode}")

    # -- keys ------------------------------------------------------------------------
    def _page(self) -> int:
        return max(1, self.query_one(TermView).size.height - 1)

    def action_page(self, direction: int) -> None:
        self._scroll(direction * self._page())

    def action_half(self, direction: int) -> None:
        self._scroll(direction * max(1, self._page() // 2))

    def _scroll(self, rows: int) -> None:
        view = self.query_one(TermView)
        view.scroll_back(-rows) if rows < 0 else view.scroll_forward(rows)
        self.update_head()

    def action_sideways(self, cols: int) -> None:
        """←/→ (and Home/End) scroll a session wider than the view."""
        view = self.query_one(TermView)
        step = cols * max(1, view.size.width // 4) if abs(cols) == 1 else cols
        view.scroll_to(x=max(0, min(view.max_scroll_x, view.scroll_x + step)), animate=False, immediate=True)

    def action_oldest(self) -> None:
        self.query_one(TermView).oldest()
        self.update_head()

    def action_tail(self) -> None:
        self.query_one(TermView).tail()
        self.update_head()

    def action_filter(self) -> None:
        self.living_only = not self.living_only
        self.refresh_table()
