"""The machine contracts themselves: valid schemas that accept what looop writes."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from jsonschema import Draft202012Validator

from looop.core import schemas
from looop.setup import config

NAMES = sorted(p.name.split(".")[0] for p in resources.files("looop").joinpath("schemas").iterdir()
               if p.name.endswith(".schema.json"))


def test_every_contract_is_shipped():
    assert {"config", "reading", "claim", "status", "event", "ledger"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_is_valid_draft_2020_12(name):
    Draft202012Validator.check_schema(schemas.load(name))


def test_the_seeded_config_and_every_preset_validate():
    assert schemas.problems("config", config.default_config()) == []
    for name, preset in config.PRESETS.items():
        assert schemas.problems("config", {"default": name, "runners": {name: preset}}) == [], name


def test_a_claim_as_the_worker_contract_describes_it():
    claim = {"session": "looop-deploy", "name": "deploy", "since": "2026-01-01T00:00:00Z", "note": "rolling out"}
    assert schemas.is_valid("claim", claim)
    assert not schemas.is_valid("claim", {"name": "deploy"})


def test_problems_name_the_field():
    bad = json.loads('{"default": "x", "runners": {"x": {"tick": ""}}}')
    assert schemas.problems("config", bad)[0].startswith("runners.x.tick:")
