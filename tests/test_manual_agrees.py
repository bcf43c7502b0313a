"""`looop help` and the README name every verb the CLI has and every move the executor makes."""

from __future__ import annotations

import re
from pathlib import Path

from looop.cli import VERBS
from looop.commands.help import MANUAL
from looop.moves.execute import _HANDLERS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
_NAMED = re.compile(r"looop ((?:[a-z][a-z-]*\s*\|\s*)*[a-z][a-z-]*)")


def _verbs_named(text: str) -> set[str]:
    return {w.strip() for m in _NAMED.finditer(text) for w in m.group(1).split("|")}


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def test_the_manual_names_every_verb_and_nothing_else():
    named = _verbs_named(_section(MANUAL, "\nVERBS\n", "\nCADENCE\n"))
    assert set(VERBS) - named == set(), "verbs missing from `looop help`"


def test_the_readme_names_every_verb():
    named = _verbs_named(_section(README, "## Commands", "## Typed moves"))
    assert set(VERBS) - named == set(), "verbs missing from the README's Commands"


def test_both_name_every_move_and_call_none_refused():
    manual = _section(MANUAL, "\nTYPED MOVES", "\nENVIRONMENT\n")
    readme = _section(README, "## Typed moves", "### Threat model")
    for move in _HANDLERS:
        assert re.search(rf"\b{move}\b", manual), f"{move} missing from `looop help`"
        assert f"`{move}" in readme, f"{move} missing from the README's Typed moves"
    assert "not available yet" not in readme and "refused as" not in readme
