"""FHIR instants and history cursors: exact round trips, garbage refused as 400."""

from __future__ import annotations

import pytest
from clinic_app.server.instants import format_instant, parse_instant
from clinic_app.server.outcome import FhirError
from clinic_app.server.reads import Cursor


def test_an_instant_round_trips_to_the_microsecond() -> None:
    us = 1_795_449_744_905_998
    text = format_instant(us)
    assert text == "2026-11-23T16:02:24.905998Z"
    assert parse_instant(text, "_since") == us


def test_offsets_and_dates_are_read_as_utc() -> None:
    assert parse_instant("2026-01-01T02:00:00+02:00", "_since") == parse_instant(
        "2026-01-01T00:00:00Z", "_since"
    )
    assert parse_instant("2026-01-01", "_since") == parse_instant("2026-01-01T00:00:00Z", "_since")
    # A '+' that arrived as a space in a query string still means an offset.
    assert parse_instant("2026-01-01T02:00:00 02:00", "_since") == parse_instant(
        "2026-01-01T00:00:00Z", "_since"
    )


@pytest.mark.parametrize("text", ["2026-01-01T10:00:00", "soon", "2026-13-01", ""])
def test_instants_without_a_zone_or_malformed_are_refused(text: str) -> None:
    with pytest.raises(FhirError) as refused:
        parse_instant(text, "_since")
    assert refused.value.status == 400


def test_a_cursor_round_trips_and_is_url_safe() -> None:
    cursor = Cursor(before_seq=123_456, from_seq=17, snapshot_us=1_795_449_744_905_998)
    token = cursor.encode()
    assert token.replace("-", "").replace("_", "").isalnum()
    assert Cursor.decode(token) == cursor


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "bm9wZQ",  # "nope"
        "WzIsIDEsIDAsIDFd",  # [2, 1, 0, 1]: another cursor version
        "W251bGxd",  # [null]
        "WzEsIDEsIG51bGwsIDFd",  # [1, 1, null, 1]
        "WzEsIDk5OTk5OTk5OTk5OTk5OTk5OTk5OSwgMCwgMV0",  # past a BIGINT
    ],
)
def test_a_cursor_the_server_did_not_issue_is_refused(token: str) -> None:
    with pytest.raises(FhirError) as refused:
        Cursor.decode(token)
    assert refused.value.status == 400
