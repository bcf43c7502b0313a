"""One duration grammar: `30s`, `5m`, `2h`, `1d`, plain seconds and ISO 8601 (`PT5M`, `P1D`) read the same
in every flag and in a sensor's interval header; anything else is one line naming the flag (exit 2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from looop.core import durations
from looop.core.errors import FatalError
from looop.sensing.sensor_cache import interval_of


@pytest.mark.parametrize("text, seconds", [
    ("90", 90), ("90s", 90), ("30m", 1800), ("12h", 43200), ("1d", 86400), (" 5 m ", 300), ("1h30m", 5400),
    ("1d6h", 108000), ("500ms", 0.5), ("1.5m", 90), (".5s", 0.5), ("PT5M", 300), ("P1D", 86400),
    ("PT1H30M", 5400), ("P1DT6H", 108000), ("PT0.5S", 0.5), ("P1W", 604800), ("pt90s", 90), ("0", 0),
])
def test_each_way_of_writing_a_duration_reads_as_its_seconds(text, seconds):
    assert durations.parse(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "2 weeks", "-5s", "+5s", "5x", "1e3", "inf", "nan", "P", "PT",
                                  "P1DT", "P1Y", "P1M", "1h30", "1.2.3s", "١٢", "5 s m", "1" * 41, "PT-5M"])
def test_garbage_is_one_line_naming_the_flag(text):
    with pytest.raises(FatalError) as err:
        durations.parse(text, "--for")
    assert err.value.code == 2 and str(err.value).startswith("--for ") and "not a duration" in str(err.value)
    assert "\n" not in str(err.value)


def test_a_fraction_of_a_second_is_refused_where_whole_seconds_count():
    assert durations.parse_whole("1.5m", "--in") == 90
    with pytest.raises(FatalError, match="--in '500ms': not a whole number of seconds"):
        durations.parse_whole("500ms", "--in")


@given(st.integers(0, 10**9))
def test_words_read_back_as_the_same_seconds(seconds):
    assert durations.parse_whole(durations.words(seconds)) == seconds


@given(st.integers(0, 10**9))
def test_iso_8601_reads_back_as_the_same_seconds(seconds):
    assert durations.parse_whole(durations.iso(seconds)) == seconds


@given(st.text(max_size=45))
def test_any_text_is_a_duration_or_one_clean_line(text):
    try:
        got = durations.parse(text, "--since")
    except FatalError as err:
        assert err.code == 2 and str(err).startswith("--since ") and "\n" not in str(err)
        return
    assert got >= 0


def test_a_sensor_interval_header_reads_the_same_grammar():
    assert interval_of(b"#!/bin/sh\n# looop:interval=PT5M\n") == 300
    assert interval_of(b"#!/bin/sh\n# looop:interval=2h\n") == 7200
    assert interval_of(b"#!/bin/sh\n# looop:interval=soon\n# looop:interval=90\n") == 90
    assert interval_of(b"#!/bin/sh\n# looop:interval=0.5s\n") is None
