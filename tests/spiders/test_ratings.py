"""Ratings and dates as review pages write them, read into numbers and ISO dates."""

from __future__ import annotations

import pytest

from spiders.ratings import Rating, parse_date_text, parse_rating_text


@pytest.mark.parametrize(("text", "expected"), [
    ("1,0 su 5 stelle", Rating(1.0, 5.0)),
    ("4 out of 5 stars", Rating(4.0, 5.0)),
    ("Rated 4.5 out of 5", Rating(4.5, 5.0)),
    ("2 stelle su 5", Rating(2.0, 5.0)),
    ("8/10", Rating(8.0, 10.0)),
    ("3 von 5 Sternen", Rating(3.0, 5.0)),
    ("★★★☆☆", Rating(3.0, 5.0)),
    ("Valutazione: 4,5", Rating(4.5)),
    ("nessun voto", None),
])
def test_rating_text_is_read_with_its_scale(text, expected):
    assert parse_rating_text(text) == expected


def test_rating_scales_not_starting_at_0_or_1_are_shifted():
    assert Rating(3.0, 5.0, 1.0).normalized() == (3.0, 5.0)
    assert Rating(0.0, 2.0, -2.0).normalized() == (2.0, 4.0)
    assert Rating(4.0).normalized() == (4.0, 5.0)  # schema.org's default scale


@pytest.mark.parametrize(("text", "expected"), [
    ("12 marzo 2024", "2024-03-12"),
    ("March 3, 2024", "2024-03-03"),
    ("2024-03-12", "2024-03-12"),
    ("2024-03-12T10:00:00Z", "2024-03-12T10:00:00+00:00"),
    ("", None),
    ("non è una data", None),
])
def test_dates_as_pages_write_them(text, expected):
    assert parse_date_text(text) == expected
