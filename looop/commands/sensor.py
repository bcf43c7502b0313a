"""`looop sensor write <name> [TEXT…|-] [--force]`: install a sensor after one test run."""

from __future__ import annotations

from collections.abc import Sequence

from looop.paths import Paths


def sensor_write(paths: Paths, name: str, text: Sequence[str] = (), journal: str | None = None,
                 force: bool = False) -> int:
    from looop.moves import verbs

    script = verbs.text_arg(text, f"sensor {name} script")
    return verbs.run(paths, {"move": "write_sensor", "name": name, "script": script}, journal, force=force)
