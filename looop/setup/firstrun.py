"""What each agent CLI needs once before it can run as a detached worker.

`init` asks these: a CLI's first-run state lives in its own config, which looop
writes only when the user agrees (claude's onboarding), and otherwise names the
one command to run once. Everything a preset can pass per run (permission mode,
folder trust, tool time limits) is in its worker command instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def claude_onboarded(home: Path) -> bool:
    from looop.core.fsio import read_json_object

    data = read_json_object(home / ".claude.json") or {}
    return data.get("hasCompletedOnboarding") is True


def complete_claude_onboarding(home: Path) -> Path:
    """Mark claude's first-run setup done in ~/.claude.json, keeping every other key."""
    from looop.core.errors import ExitStatus, FatalError
    from looop.core.fsio import atomic_write, read_json_object

    path = home / ".claude.json"
    if path.exists() and read_json_object(path) is None:
        raise FatalError(f"{path} is not a JSON object; not touching it (run `claude` once instead)", ExitStatus.FAILED)
    data = read_json_object(path) or {}
    data["hasCompletedOnboarding"] = True
    data.setdefault("theme", "dark")
    atomic_write(path, json.dumps(data, indent=2) + "\n", mode=0o600)
    return path


def notes(runner: str, home: Path, agree: Callable[[str], bool] | None) -> list[str]:
    """Lines for the user about `runner`'s one-time setup; `agree` asks a yes/no
    question (None: not on a terminal, so nothing is written)."""
    if runner == "claude" and not claude_onboarded(home):
        question = (f"claude has not finished its first-run setup (theme, connectivity check); a detached worker "
                    f"would stop there. Mark it done in {home / '.claude.json'}?")
        if agree is not None and agree(question):
            return [f"marked claude's first-run setup done in {complete_claude_onboarding(home)}"]
        return ["note: run `claude` once in a terminal and finish its setup (workers stop at it otherwise)"]
    if runner == "codex" and not (home / ".codex" / "auth.json").exists():
        return ["note: sign codex in once: `codex login` (or `printenv OPENAI_API_KEY | codex login --with-api-key`)"]
    if runner == "gemini":
        from looop.core.fsio import read_json_object

        settings = read_json_object(home / ".gemini" / "settings.json") or {}
        if not ((settings.get("security") or {}).get("auth") or {}).get("selectedType"):
            return ["note: run `gemini` once in a terminal and pick how it signs in (workers stop at it otherwise)"]
    return []
