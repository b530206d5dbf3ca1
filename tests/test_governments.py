"""Governments of every country by pattern, with the country code; things that are no body."""

from __future__ import annotations

import pytest

from corpus.countries import world_countries
from corpus.pipeline import Tagger, load_tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return load_tagger()


def governments(tagger: Tagger, text: str) -> dict[str, str]:
    mentions, _, _ = tagger.tag_text(text)
    return {m.text: m.entity for m in mentions if m.label == "GOV"}


def test_every_un_member_has_a_name_and_a_demonym() -> None:
    countries = {country.code: country for country in world_countries()}
    assert len(countries) >= 240  # ISO 3166-1 countries and territories
    for code in ("KE", "CL", "PE", "MN", "KZ", "SN", "FJ", "BT", "UY", "NA"):
        assert countries[code].adjectives, code


@pytest.mark.parametrize(
    ("text", "span", "entity"),
    [
        (
            "Kenya's foreign ministry summoned the envoy.",
            "Kenya's foreign ministry",
            "gov:ke:foreign ministry",
        ),
        ("The Chilean government raised the royalty.", "The Chilean government", "gov:cl"),
        ("Uruguayan authorities seized the cargo.", "Uruguayan authorities", "gov:uy"),
        ("Bhutan's cabinet met on Monday.", "Bhutan's cabinet", "gov:bt:cabinet"),
        (
            "Officials said Germany's foreign ministry agreed.",
            "Germany's foreign ministry",
            "gov:de:foreign ministry",
        ),
        (
            "Britain's Foreign Office summoned the envoy.",
            "Britain's Foreign Office",
            "gov:gb:foreign office",
        ),
        (
            "China's Cyberspace Administration fined the app.",
            "China's Cyberspace Administration",
            "gov:cn:cyberspace administration",
        ),
        (
            "A spokesman for the U.S. State Department declined.",
            "the U.S. State Department",
            "gov:us:state department",
        ),
        (
            "Seoul's science ministry will review the rules.",
            "Seoul's science ministry",
            "gov:kr:msit",
        ),
        (
            "Namibian government officials said the budget would be cut.",
            "Namibian government",
            "gov:na",
        ),
    ],
)
def test_a_government_of_any_country(tagger: Tagger, text: str, span: str, entity: str) -> None:
    assert governments(tagger, text).get(span) == entity


@pytest.mark.parametrize(
    "text",
    [
        "Japanese government bonds fell on Monday.",
        "Kenyan government debt rallied after the vote.",
        "The loans are Chilean government-backed.",
        "Tokyo's metropolitan government opened the park.",
    ],
)
def test_a_thing_or_a_city_is_no_government_of_the_country(tagger: Tagger, text: str) -> None:
    assert governments(tagger, text) == {}
