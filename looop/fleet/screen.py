"""A worker's terminal, re-enacted: its PTY log replayed through `pyte`.

`watch` and `screenshot` show what the session's terminal showed (colours,
in-place redraws, cursor moves, the alternate screen) without ever letting
the log's bytes act on the viewer's own terminal: every cell is data.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import pyte
from pyte import modes as mo
from pyte.screens import Margins

SCROLLBACK_ROWS = 10_000
_ALT_MODES = {47, 1047, 1049}  # DEC private modes for the alternate screen
_NAMED = ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white")

Row = Any  # one pyte buffer line: a mapping x → Char with a default
Style = tuple  # (fg, bg, bold, italics, underscore, strikethrough, reverse, blink)


class _Stream(pyte.Stream):
    """pyte's parser, made to take what a real terminal takes.

    pyte reads `CSI > …` as plain `CSI …` (so `CSI > 4 ; 2 m` would underline):
    here it is private, like `CSI ? …`. A parameter's digits past the fifth are
    dropped (pyte clamps at 9999 anyway; 4,300 digits would pass Python's int
    limit). A sequence whose keyword a screen method does not take is ignored."""

    _prev = ""
    _in_csi = False
    _digits = 0

    def _send_to_parser(self, data: str) -> bool | None:
        if data == "\x9b" or (data == "[" and self._prev == "\x1b"):
            self._in_csi, self._digits = True, 0
        elif self._in_csi:
            if data.isdigit():
                self._digits += 1
                if self._digits > 5:
                    return None  # still inside the sequence
            elif data == ";":
                self._digits = 0
            elif data == ">":
                data = "?"
            elif "\x40" <= data <= "\x7e":
                self._in_csi = False
        self._prev = data
        try:
            return super()._send_to_parser(data)
        except TypeError:  # pyte has reset its parser: the next byte starts afresh
            self._in_csi = False
            return self._taking_plain_text


class Terminal(pyte.Screen):
    """pyte's screen plus scrollback and the alternate screen it lacks."""

    def __init__(self, cols: int, rows: int, scrollback: int = SCROLLBACK_ROWS) -> None:
        super().__init__(max(cols, 2), max(rows, 2))
        self.scrollback: deque[Row] = deque(maxlen=scrollback)
        self._main: tuple[Any, Any] | None = None  # (buffer, cursor) saved while on the alternate screen
        self._cells: dict[Any, dict[str, Any]] = {}
        self.stream = _Stream(self)
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode

    # -- feeding --------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        self.stream.feed(self._decode(data))

    # -- pyte hooks -------------------------------------------------------------
    def index(self) -> None:
        top, bottom = self.margins or Margins(0, self.lines - 1)
        if self.cursor.y == bottom and top == 0 and self._main is None:
            self.scrollback.append(self.buffer[0])
        super().index()

    def draw(self, data: str) -> None:
        """pyte's draw, with a fast path for the common case: printable ASCII,
        replace mode, auto-wrap on. One cached cell object per (style, char)
        instead of a new one per character keeps replay of a long log fast."""
        if not (data.isascii() and data.isprintable()) or self.charset or mo.IRM in self.mode \
                or mo.DECAWM not in self.mode:
            super().draw(data)
            return
        data = data.translate(self.g0_charset)
        cursor, cols = self.cursor, self.columns
        cache = self._cells.get(cursor.attrs)
        if cache is None:
            if len(self._cells) > 256:
                self._cells.clear()
            cache = self._cells[cursor.attrs] = {}
        while data:
            if cursor.x >= cols:
                self.dirty.add(cursor.y)
                self.carriage_return()
                self.linefeed()
            room = cols - cursor.x
            chunk, data = data[:room], data[room:]
            line, x = self.buffer[cursor.y], cursor.x
            for ch in chunk:
                cell = cache.get(ch)
                if cell is None:
                    cell = cache[ch] = cursor.attrs._replace(data=ch)
                line[x] = cell
                x += 1
            cursor.x = x
        self.dirty.add(cursor.y)

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private") and _ALT_MODES & set(modes):
            self._enter_alternate(save_cursor=1049 in modes)
            modes = tuple(m for m in modes if m not in _ALT_MODES)
        super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private") and _ALT_MODES & set(modes):
            self._leave_alternate()
            modes = tuple(m for m in modes if m not in _ALT_MODES)
        super().reset_mode(*modes, **kwargs)

    def select_graphic_rendition(self, *attrs: int, private: bool = False) -> None:
        """`CSI > … m` and `CSI ? … m` set or query key modes (gemini probes
        them first thing); they style nothing."""
        if not private:
            super().select_graphic_rendition(*attrs)

    def write_process_input(self, data: str) -> None:
        """Answers to queries (cursor position, device attributes) go nowhere:
        the view is read-only and never writes to a session."""

    def _enter_alternate(self, save_cursor: bool) -> None:
        if self._main is not None:
            return
        import copy

        self._main = (self.buffer, copy.copy(self.cursor) if save_cursor else None)
        self.buffer = type(self.buffer)(self.buffer.default_factory)  # type: ignore[attr-defined]
        self.dirty.update(range(self.lines))

    def _leave_alternate(self) -> None:
        if self._main is None:
            return
        self.buffer, cursor = self._main
        self._main = None
        if cursor is not None:
            self.cursor = cursor
        self.dirty.update(range(self.lines))

    # -- reading ----------------------------------------------------------------
    @property
    def on_alternate(self) -> bool:
        return self._main is not None

    def screen_rows(self) -> list[Row]:
        return [self.buffer[y] for y in range(self.lines)]

    def all_rows(self) -> list[Row]:
        """Scrollback, oldest first, then the screen."""
        return [*self.scrollback, *self.screen_rows()]

    def used_lines(self) -> int:
        """Screen rows down to the cursor or the last drawn row, whichever is lower:
        a view shorter than the terminal follows what was drawn, not blank rows."""
        if self.on_alternate:
            return self.lines
        for y in range(self.lines - 1, self.cursor.y, -1):
            row = self.buffer.get(y)
            if row and any(c.data != " " or c.bg != "default" or c.reverse for c in row.values()):
                return y + 1
        return min(self.cursor.y + 1, self.lines)

    def row_count(self) -> int:
        """Rows to show: the scrollback and the used part of the screen."""
        return len(self.scrollback) + self.used_lines()

    def row(self, index: int) -> Row:
        back = len(self.scrollback)
        return self.scrollback[index] if index < back else self.buffer[index - back]


# -- rendering ----------------------------------------------------------------

def cells(row: Row, cols: int) -> Iterator[tuple[str, Style]]:
    """(text, style) per visible cell; the stub after a wide character is skipped."""
    from wcwidth import wcwidth

    wide = False
    for x in range(cols):
        if wide:
            wide = False
            continue
        char = row[x]
        wide = wcwidth(char.data[:1] or " ") == 2
        yield char.data or " ", (char.fg, char.bg, char.bold, char.italics, char.underscore,
                                 char.strikethrough, char.reverse, char.blink)


def runs(row: Row, cols: int) -> list[tuple[str, Style]]:
    """A row as maximal runs of one style, trailing default blanks dropped."""
    out: list[tuple[str, Style]] = []
    for text, style in cells(row, cols):
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        else:
            out.append((text, style))
    while out and _plain(out[-1][1]) and not out[-1][0].strip():
        out.pop()
    if out and _plain(out[-1][1]):
        out[-1] = (out[-1][0].rstrip(" "), out[-1][1])
    return out


def _plain(style: Style) -> bool:
    _fg, bg, *flags = style
    return bg == "default" and not any(flags[3:5])  # no background, not reversed/struck


def text_lines(rows: Iterable[Row], cols: int) -> list[str]:
    return ["".join(cell for cell, _ in cells(r, cols)).rstrip() for r in rows]


def trim_blank_tail(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def sgr(style: Style) -> str:
    """The SGR sequence that sets `style` from a reset state ('' for the default)."""
    fg, bg, bold, italics, underscore, strike, reverse, blink = style
    codes: list[str] = []
    for on, code in ((bold, "1"), (italics, "3"), (underscore, "4"), (blink, "5"), (reverse, "7"), (strike, "9")):
        if on:
            codes.append(code)
    codes += _colour(fg, 30)
    codes += _colour(bg, 40)
    return f"\x1b[{';'.join(codes)}m" if codes else ""


def _colour(name: str, base: int) -> list[str]:
    if name == "default":
        return []
    bright = name.startswith("bright")
    bare = name[6:] if bright else name
    if bare in _NAMED:
        return [str(base + (60 if bright else 0) + _NAMED.index(bare))]
    if len(name) == 6:
        try:
            r, g, b = (int(name[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            return []
        return [str(base + 8), "2", str(r), str(g), str(b)]
    return []


def ansi_lines(rows: Iterable[Row], cols: int) -> list[str]:
    out = []
    for r in rows:
        parts, styled = [], False
        for text, style in runs(r, cols):
            seq = sgr(style)
            if seq:
                parts.append("\x1b[0m" + seq if styled else seq)
                styled = True
            elif styled:
                parts.append("\x1b[0m")
                styled = False
            parts.append(text)
        if styled:
            parts.append("\x1b[0m")
        out.append("".join(parts))
    return out


def rich_colour(name: str) -> str | None:
    """pyte's colour name as a Rich colour ('brown' is ANSI yellow)."""
    if name == "default":
        return None
    bright = name.startswith("bright")
    bare = (name[6:] if bright else name).replace("brown", "yellow")
    if bare in ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"):
        return f"bright_{bare}" if bright else bare
    return f"#{name}" if len(name) == 6 else None
