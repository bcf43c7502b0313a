"""The machine contracts: load the JSON Schemas in `schemas/` and validate.

Validators are compiled once per process (the pulse pays jsonschema's import
once); errors come back as one readable line naming the offending field.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


def load(name: str) -> dict[str, Any]:
    text = resources.files("looop").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=None)
def _validator(name: str) -> Any:
    from jsonschema import Draft202012Validator

    # The schemas ship with the package and the suite checks each against the
    # metaschema; checking again on every start costs a beat ~0.1 s per schema.
    return Draft202012Validator(load(name))


def where(path: Any) -> str:
    """A JSON path like `runners.pi.tick` (or `(top level)`)."""
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path]
    out = ""
    for part in parts:
        out += part if part.startswith("[") or not out else f".{part}"
    return out or "(top level)"


def problems(name: str, instance: Any) -> list[str]:
    """Every violation of schema `name`, one line each, most relevant first."""
    from jsonschema.exceptions import relevance

    errors = sorted(_validator(name).iter_errors(instance), key=relevance, reverse=True)
    return [f"{where(e.absolute_path)}: {e.message}" for e in errors]


def is_valid(name: str, instance: Any) -> bool:
    return bool(_validator(name).is_valid(instance))
