"""Dates written per row: the compiled format writes exactly what Django's ``date_format`` writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.formatting import RowDateFormat, row_date_format

FORMATS = [
    "SHORT_DATETIME_FORMAT",
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
]
instants = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31), timezones=st.just(dt.UTC))
# Midnight, noon and whole hours are written with words in English ("midnight", "noon", "4 p.m.").
round_instants = st.builds(
    lambda day, hour, minute: dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)),
    st.integers(0, 23),
    st.sampled_from([0, 0, 30]),
)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("zone", ["Europe/Madrid", "America/New_York", "UTC"])
@pytest.mark.parametrize("name", FORMATS)
@settings(max_examples=60, deadline=None)
@given(values=st.lists(instants | round_instants, min_size=1, max_size=20))
def test_a_compiled_format_writes_what_date_format_writes(language, zone, name, values):
    with translation.override(language), timezone.override(zone):
        written = RowDateFormat(name)
        for value in values:
            assert written(value) == formats.date_format(timezone.localtime(value), name)


def test_an_aware_value_is_shown_in_the_time_zone_current_when_the_format_was_made():
    value = dt.datetime(2025, 3, 30, 0, 30, tzinfo=dt.UTC)  # 01:30 in Madrid, before summer time begins
    with translation.override("es"), timezone.override("Europe/Madrid"):
        written = RowDateFormat("SHORT_DATETIME_FORMAT")
    assert written(value) == "30/03/2025 01:30"
    assert written(value + dt.timedelta(hours=1)) == "30/03/2025 03:30"  # the clocks went forward


def test_a_naive_value_is_written_as_it_is():
    with translation.override("en"):
        assert RowDateFormat("SHORT_DATE_FORMAT")(dt.datetime(2025, 12, 1, 23, 0)) == "12/01/2025"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_kept_format_belongs_to_the_language_and_time_zone(language):
    value = dt.datetime(2025, 12, 1, 23, 0, tzinfo=dt.UTC)
    with translation.override(language), timezone.override("Europe/Madrid"):
        kept = row_date_format()
        assert row_date_format() is kept
        assert kept(value) == formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    with translation.override(language), timezone.override("America/New_York"):
        assert row_date_format() is not kept
        assert row_date_format()(value) == formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
