"""One grammar for a length of time, wherever a human or a sensor writes one.

`90`, `90s`, `500ms`, `30m`, `12h`, `1d`, `1h30m`, `1.5m`, and ISO 8601's
`PT5M`, `P1D`, `PT1H30M`, `P1W`: every flag (`--in`, `--every`, `--for`,
`--since`, `--interval`) and a sensor's `# looop:interval=` read it here, so
they cannot drift apart. Bad text is one line naming the flag (exit 2).
"""

from __future__ import annotations

import re

from looop.core.errors import ExitStatus, FatalError

_NS = {"ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9, "d": 86400 * 10**9, "w": 7 * 86400 * 10**9}
_NUMBER = r"[0-9]{1,15}(?:\.[0-9]{1,6})?|\.[0-9]{1,6}"
_PART = re.compile(rf"\s*({_NUMBER})\s*(ms|s|m|h|d)", re.I)
_PLAIN = re.compile(rf"\s*({_NUMBER})\s*")
_ISO = re.compile(rf"P(?:({_NUMBER})W)?(?:({_NUMBER})D)?(?:T(?:({_NUMBER})H)?(?:({_NUMBER})M)?(?:({_NUMBER})S)?)?",
                  re.I)
EXAMPLES = "e.g. 90, 90s, 30m, 12h, 1d, PT5M"
LONGEST = 40  # characters: no duration a human writes is longer


def parse(text: str, what: str = "duration") -> float:
    """The text's length in seconds (a FatalError naming `what` when it is not one)."""
    return _nanoseconds(text, what) / 10**9


def parse_whole(text: str, what: str = "duration") -> int:
    """Like `parse`, for what counts whole seconds (a schedule, a pause, a sensor's interval)."""
    ns = _nanoseconds(text, what)
    if ns % 10**9:
        raise FatalError(f"{what} {text!r}: not a whole number of seconds", ExitStatus.BAD_INPUT)
    return ns // 10**9


def _nanoseconds(text: str, what: str) -> int:
    ns = _read(str(text)) if len(str(text)) <= LONGEST else None
    if ns is None:
        raise FatalError(f"{what} {str(text)[:LONGEST]!r}: not a duration ({EXAMPLES})", ExitStatus.BAD_INPUT)
    return ns


def _read(text: str) -> int | None:
    plain = _PLAIN.fullmatch(text)
    if plain:
        return _times(plain.group(1), _NS["s"])
    iso = _ISO.fullmatch(text.strip())
    if iso:
        numbers = iso.groups()
        if all(n is None for n in numbers) or text.strip().upper().endswith("T"):
            return None
        return sum(_times(n, _NS[unit]) for n, unit in zip(numbers, "wdhms") if n is not None)
    total, at, seen = 0, 0, 0
    while at < len(text):
        part = _PART.match(text, at)
        if part is None:
            return None if text[at:].strip() else total if seen else None
        total += _times(part.group(1), _NS[part.group(2).lower()])
        at, seen = part.end(), seen + 1
    return total if seen else None


def _times(number: str, unit_ns: int) -> int:
    """`number` (up to 6 decimals) × a unit, exactly: every unit is a whole number of microseconds."""
    whole, _, fraction = number.partition(".")
    scale: int = 10 ** len(fraction)
    return int(whole or 0) * unit_ns + int(fraction or 0) * unit_ns // scale


def words(seconds: float) -> str:
    """A duration as a human writes it: 90s, 30m, 12h, 1d, 1d6h (what `parse` reads back)."""
    s = int(seconds)
    if s != seconds:
        return f"{seconds:g}s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size and s % size == 0:
            return f"{s // size}{unit}"
    if s >= 86400:
        return f"{s // 86400}d{words(s % 86400)}"
    return f"{s}s"


def iso(seconds: int) -> str:
    """Whole seconds as ISO 8601: PT90S → PT1M30S, P1DT6H, PT0S."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return f"P{f'{days}D' if days else ''}{f'T{clock}' if clock else '' if days else 'T0S'}"
