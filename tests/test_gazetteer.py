"""Gazetteer files: the shipped one, user files merged over it, errors, and canonical ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.canonical import Canonicaliser
from corpus.gazetteer import (
    GazetteerError,
    alias_rules,
    country_refs,
    load_gazetteer_file,
    load_gazetteers,
    parse_gazetteer,
    shipped_gazetteer,
)
from corpus.naming import display_name, normalise_text, strip_corporate_suffix
from corpus.pipeline import load_tagger

SEED_IDS = {
    "line",
    "ly-corp",
    "naver",
    "softbank",
    "a-holdings",
    "z-holdings",
    "kakao",
    "wechat",
    "yahoo-messenger",
    "linepay",
    "line-friends",
    "kyodo",
    "nikkei",
}

EXTRA = """
[[entity]]
id = "naver"
name = "NAVER Corporation"
label = "ORG"
kind = "company"
country = "KR"
aliases = ["Naver", "Naver Webtoon"]

[[entity]]
id = "toss"
name = "Toss"
label = "ORG"
kind = "fintech company"
country = "KR"
aliases = ["Viva Republica"]
"""


def write(tmp_path: Path, text: str, name: str = "extra.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(GazetteerError) as caught:
        load_gazetteer_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message
    return message


# --- the shipped gazetteer -----------------------------------------------------------------------


def test_shipped_gazetteer_has_the_seed_entities() -> None:
    gazetteer = shipped_gazetteer()
    assert set(gazetteer.entities) >= SEED_IDS
    assert gazetteer.entities["line"].ambiguous == ("Line", "LINE")
    assert {"Line", "LINE", "Line Corp"} <= set(gazetteer.entities["line"].aliases)
    assert {"LY Corporation", "LY Corp."} <= set(gazetteer.entities["ly-corp"].aliases)
    assert "SoftBank Group" in gazetteer.entities["softbank"].aliases
    assert "Yahoo Japan" in gazetteer.entities["z-holdings"].aliases
    assert {"Kakao", "KakaoTalk", "Kakaotalk", "KakaoStory"} <= set(
        gazetteer.entities["kakao"].aliases
    )


def test_shipped_governments_have_countries() -> None:
    gazetteer = shipped_gazetteer()
    governments = [entry for entry in gazetteer.entities.values() if entry.label == "GOV"]
    assert governments
    assert all(entry.country in gazetteer.countries for entry in governments)
    assert "Korea" in gazetteer.countries["KR"].names


def test_every_entry_has_name_label_kind_and_country() -> None:
    for entry in shipped_gazetteer().entities.values():
        assert entry.name and entry.label and entry.kind and entry.country, entry.id


def test_apostrophes_are_interchangeable_in_patterns() -> None:
    gazetteer = parse_gazetteer(
        b'[[entity]]\nid = "x"\nname = "X"\nlabel = "ORG"\naliases = ["Macy\'s"]\n', source="inline"
    )
    assert {"Macy's", "Macy\u2019s"} <= set(alias_rules(gazetteer))


def test_country_forms() -> None:
    refs = country_refs(shipped_gazetteer())
    assert refs["Korea"].code == "KR"
    assert refs["Japanese"].forms == frozenset({"adjective"})
    assert refs["US"].forms == frozenset({"name", "adjective"})


# --- user files ----------------------------------------------------------------------------------


def test_user_file_merges_over_the_shipped_one(tmp_path: Path) -> None:
    merged = load_gazetteers([write(tmp_path, EXTRA)])
    assert merged.entities["naver"].name == "NAVER Corporation"  # same id replaces
    # the replacing entry's aliases, then the shipped [[names]] of that id (its Korean and
    # Japanese names), which add to whichever entry defines it
    assert merged.entities["naver"].aliases[:2] == ("Naver", "Naver Webtoon")
    assert {"네이버", "ネイバー"} <= set(merged.entities["naver"].aliases)
    assert "toss" in merged.entities
    assert set(merged.entities) >= SEED_IDS


def test_later_user_file_wins(tmp_path: Path) -> None:
    first = write(tmp_path, EXTRA, "first.toml")
    second = write(tmp_path, EXTRA.replace("NAVER Corporation", "Naver Corp"), "second.toml")
    assert load_gazetteers([first, second]).entities["naver"].name == "Naver Corp"


def test_user_entities_are_tagged(tmp_path: Path) -> None:
    tagger = load_tagger(gazetteers=[write(tmp_path, EXTRA)])
    mentions, entities, _ = tagger.tag_text(
        "Viva Republica runs a payments app, and Naver Webtoon grows."
    )
    found = {(m.text, m.entity) for m in mentions}
    assert ("Viva Republica", "toss") in found
    assert ("Naver Webtoon", "naver") in found
    assert next(e for e in entities if e.id == "toss").kind == "fintech company"
    assert tagger.fingerprint != load_tagger().fingerprint


# --- errors --------------------------------------------------------------------------------------


def test_bad_toml(tmp_path: Path) -> None:
    assert "invalid TOML" in error_for(tmp_path, "[[entity]\nid = 'x'\n")


def test_missing_field(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[[entity]]\nid = "x"\nname = "X"\naliases = ["X"]\n')
    assert "entity #1 (id 'x')" in message
    assert "missing field 'label'" in message


def test_unknown_field(tmp_path: Path) -> None:
    message = error_for(
        tmp_path, '[[entity]]\nid = "x"\nname = "X"\nlabel = "ORG"\nalias = ["X"]\n'
    )
    assert "unknown field 'alias'" in message


def test_unknown_table(tmp_path: Path) -> None:
    assert "unknown field 'entities'" in error_for(tmp_path, '[[entities]]\nid = "x"\n')


def test_ambiguous_must_be_an_alias(tmp_path: Path) -> None:
    text = '[[entity]]\nid = "x"\nname = "X"\nlabel = "ORG"\naliases = ["X"]\nambiguous = ["Y"]\n'
    assert "ambiguous names not among the aliases" in error_for(tmp_path, text)


def test_government_needs_a_country(tmp_path: Path) -> None:
    text = '[[entity]]\nid = "gov:x"\nname = "X"\nlabel = "GOV"\naliases = ["Ministry of X"]\n'
    assert "GOV entry needs a country" in error_for(tmp_path, text)


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    entry = '[[entity]]\nid = "x"\nname = "X"\nlabel = "ORG"\naliases = ["X"]\n'
    assert "duplicate id 'x'" in error_for(tmp_path, entry + entry)


def test_bad_label(tmp_path: Path) -> None:
    assert "field 'label'" in error_for(
        tmp_path, '[[entity]]\nid = "x"\nname = "X"\nlabel = "org"\naliases = ["X"]\n'
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="cannot read gazetteer"):
        load_gazetteer_file(tmp_path / "absent.toml")


def test_load_tagger_reports_gazetteer_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "not toml at all [")
    with pytest.raises(GazetteerError, match="invalid TOML"):
        load_tagger(gazetteers=[path])


# --- canonical ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("The  Korea\u2019s", "korea"),
        ("Korea's", "korea"),
        ("the New York Mercantile Exchange", "new york mercantile exchange"),
        ("Japanese authorities\u2019", "japanese authorities"),
        ("  LY\nCorp. ", "ly corp"),
    ],
)
def test_normalise_text(text: str, key: str) -> None:
    assert normalise_text(text) == key


def test_corporate_suffixes() -> None:
    assert strip_corporate_suffix("toshiba corp") == "toshiba"
    assert strip_corporate_suffix("sony corporation") == "sony"
    assert strip_corporate_suffix("acme, inc") == "acme"
    assert strip_corporate_suffix("corp") == "corp"


def test_display_name() -> None:
    assert display_name("the New York\nMercantile Exchange's") == "New York Mercantile Exchange"


@pytest.fixture(scope="module")
def canonical() -> Canonicaliser:
    return Canonicaliser(shipped_gazetteer())


def test_countries_share_one_id(canonical: Canonicaliser) -> None:
    assert (
        canonical.entity_id("Korea", "GPE")
        == canonical.entity_id("South Korea", "GPE")
        == "gpe:south korea"
    )
    assert canonical.entity_id("U.S.", "GPE") == canonical.entity_id("the United States", "GPE")
    assert canonical.entity_id("Korean", "NORP") == canonical.entity_id("South Korean", "NORP")
    assert canonical.entity("gpe:south korea", "GPE", "Korea").country == "KR"


def test_statistical_mentions_of_gazetteer_names_get_the_entry_id(canonical: Canonicaliser) -> None:
    assert canonical.entity_id("Naver Corp.", "ORG") == "naver"
    assert canonical.entity_id("the SoftBank Group", "ORG") == "softbank"
    # "Line" is ambiguous: the model's "Line" (any label) is not taken as the app.
    assert canonical.entity_id("Line", "ORG") == "org:line"


def test_other_mentions_get_normalised_keys(canonical: Canonicaliser) -> None:
    assert (
        canonical.entity_id("Toshiba Corp", "ORG")
        == canonical.entity_id("TOSHIBA", "ORG")
        == "org:toshiba"
    )
    assert (
        canonical.entity_id("the New York Mercantile Exchange", "ORG")
        == "org:new york mercantile exchange"
    )
    assert canonical.entity_id("Idezawa\u2019s", "PERSON") == canonical.entity_id(
        "Idezawa's", "PERSON"
    )


def test_government_ids(canonical: Canonicaliser) -> None:
    assert canonical.gov_id("KR", "foreign ministry") == "gov:kr:mofa"
    assert canonical.gov_id("KR", "Ministry of Foreign Affairs") == "gov:kr:mofa"
    assert canonical.gov_id("JP", "foreign ministry") == "gov:jp:mofa"
    assert canonical.gov_id("CN", "government") == canonical.gov_id("CN", "authorities") == "gov:cn"
    assert canonical.gov_id("EG", "embassy") == "gov:eg:embassy"
    egypt = canonical.entity("gov:eg", "GOV", "Egyptian authorities")
    assert (egypt.name, egypt.country, egypt.kind) == ("Government of Egypt", "EG", "government")


def test_names_tables_add_names_to_entities_and_countries(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        """
[[names]]
entity = "kakao"
aliases = ["카카오뱅크"]

[[names]]
country = "JP"
aliases = ["ニッポン"]
""",
    )
    merged = load_gazetteers([extra])
    assert "카카오뱅크" in merged.entities["kakao"].aliases
    assert "카카오" in merged.entities["kakao"].aliases  # the shipped names stay
    assert {"Japan", "日本", "ニッポン"} <= set(merged.countries["JP"].all_names)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('entity = "nobody"\naliases = ["x"]', "unknown entity 'nobody'"),
        ('country = "ZZ"\naliases = ["x"]', "unknown country 'ZZ'"),
        ('aliases = ["x"]', "either entity"),
        ('entity = "line"\naliases = ["x"]\nambiguous = ["y"]', "not among the aliases"),
    ],
)
def test_bad_names_tables_are_one_line_errors(tmp_path: Path, table: str, message: str) -> None:
    path = write(tmp_path, f"[[names]]\n{table}\n")
    with pytest.raises(GazetteerError, match=message) as caught:
        load_gazetteers([path])
    assert str(path) in str(caught.value)
