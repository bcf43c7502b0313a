"""Every JSON snippet in the README is valid as what it shows: a config (with its "moves", so
nobody ends up in agent mode by copying it) or a typed move."""

from __future__ import annotations

import json
import re
from pathlib import Path

from looop.core import schemas
from looop.mailbox import notify

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
SNIPPETS = re.findall(r"```json\n(.*?)```", README, re.S)


def test_there_are_snippets_to_check():
    assert len(SNIPPETS) >= 5


def test_each_snippet_passes_its_schema():
    for text in SNIPPETS:
        data = json.loads(text.replace("…", "..."))
        if "move" in data:
            assert schemas.problems("move", data) == [], text
            continue
        assert schemas.problems("config", data) == [], text
        assert data.get("moves") == "typed", f"a config snippet without \"moves\" runs in agent mode: {text}"
        assert notify.problems(data) == [], text
