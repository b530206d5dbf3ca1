"""Within-article resolution: people by surname and title, Korean names, acronyms, short ORGs."""

from __future__ import annotations

import pytest

from corpus.models import Mention
from corpus.pipeline import Tagger, load_tagger
from corpus.pipeline.acronyms import abbreviates


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return load_tagger()


def tagged(tagger: Tagger, text: str) -> dict[str, list[Mention]]:
    """Mentions by their text."""
    mentions, _, _ = tagger.tag_text(text)
    found: dict[str, list[Mention]] = {}
    for mention in mentions:
        found.setdefault(mention.text, []).append(mention)
    return found


def ids(found: dict[str, list[Mention]], text: str) -> list[str]:
    return [m.entity for m in found.get(text, [])]


def test_surname_joins_the_full_name_and_takes_its_label(tagger: Tagger) -> None:
    text = (
        "Line CEO Takeshi Idezawa said in a news conference that the data stayed in Japan. "
        "Still, Idezawa said the company needed to respond to regain user trust."
    )
    found = tagged(tagger, text)
    assert ids(found, "Takeshi Idezawa") == ["person:takeshi idezawa"]
    assert ids(found, "Idezawa") == ["person:takeshi idezawa"]
    assert [m.label for m in found["Idezawa"]] == ["PERSON"]


def test_titles_and_honorifics_join(tagger: Tagger) -> None:
    text = (
        "Junichi Miyakawa, the chief executive of SoftBank Corp, spoke on Monday. "
        "Mr. Miyakawa said the merger would close in March. Reporters later asked "
        "Miyakawa-san about the price. Congressman Choi Won-sik disagreed. "
        "Congressman Choi asked the ministry for an opinion."
    )
    mentions, entities, _ = tagger.tag_text(text)
    people = {m.entity for m in mentions if m.label == "PERSON"}
    assert people == {"person:junichi miyakawa", "person:choi won-sik"}
    surname = [m for m in mentions if m.text.startswith("Miyakawa")]
    assert surname and all(m.entity == "person:junichi miyakawa" for m in surname)
    names = {e.id: e.name for e in entities}
    assert names["person:junichi miyakawa"] == "Junichi Miyakawa"  # named by the full form


def test_korean_names_are_whole_and_shared_surnames_join_the_nearest(tagger: Tagger) -> None:
    text = (
        "Kim Do-hyun, a lawmaker, met Kakao founder Kim Beom-su in Seoul on Tuesday. "
        "Kim said the talks had gone well."
    )
    found = tagged(tagger, text)
    assert ids(found, "Kim Do-hyun") == ["person:kim do-hyun"]
    assert ids(found, "Kim Beom-su") == ["person:kim beom-su"]
    assert ids(found, "Kim") == ["person:kim beom-su"]  # the nearest preceding


def test_a_surname_before_two_candidates_stays_apart(tagger: Tagger) -> None:
    text = (
        "Kim said on Monday that the vote would be close. Kim Do-hyun and Kim Beom-su "
        "both declined to comment on the report."
    )
    found = tagged(tagger, text)
    assert "person:kim do-hyun" not in ids(found, "Kim")
    assert "person:kim beom-su" not in ids(found, "Kim")


def test_korean_names_written_apart_are_whole_and_one_with_the_hyphenated(
    tagger: Tagger,
) -> None:
    text = (
        "Lawmaker Kim Do Hyun criticised the plan. Kim Do-hyun later met President Yoon Suk "
        "Yeol. Kim said no."
    )
    found = tagged(tagger, text)  # the model alone tags "Kim" and "Hyun" apart
    assert ids(found, "Kim Do Hyun") == ids(found, "Kim Do-hyun") == ["person:kim do-hyun"]
    assert ids(found, "Kim") == ["person:kim do-hyun"]
    assert ids(found, "Yoon Suk Yeol") == ["person:yoon suk-yeol"]
    assert "Hyun" not in found and "Do" not in found
    # Not after a surname, or before another capitalised word: no Korean name.
    found = tagged(tagger, "Lee Ann Rimes sang at the Kim Do Hyun Foundation gala.")
    assert "Kim Do Hyun" not in found and ids(found, "Lee Ann Rimes") == ["person:lee ann rimes"]


def test_a_title_of_the_other_gender_does_not_join(tagger: Tagger) -> None:
    # BBC politics, 2005 (shortened): "Mrs Howard" is Michael Howard's wife, not Michael Howard.
    text = (
        "Michael Howard's wife, Sandra, is to play a leading role in the Conservative election "
        "campaign. Mrs Howard will make solo visits to target seats. Mr Howard said he was glad. "
        "Mrs Howard made her debut speech in Bournemouth last October."
    )
    found = tagged(tagger, text)
    assert ids(found, "Howard") == ["person:michael howard"]  # "Mr Howard": the model tags Howard
    assert ids(found, "Mrs Howard") and "person:michael howard" not in ids(found, "Mrs Howard")
    # A title whose gender the given name does not contradict still joins.
    found = tagged(tagger, "Ruth Kelly spoke on Monday. Ms Kelly said schools would gain.")
    assert ids(found, "Ms Kelly") == ["person:ruth kelly"]


def test_a_place_named_like_a_person_is_not_joined(tagger: Tagger) -> None:
    text = (
        "George Washington was the first president of the United States. "
        "Officials in Washington said on Monday that the talks were over."
    )
    found = tagged(tagger, text)
    assert all(m.label == "GPE" for m in found.get("Washington", []))


def test_acronym_defined_in_parentheses_joins_everywhere(tagger: Tagger) -> None:
    text = (
        "The Personal Information Protection Commission (PIPC) fined Line on Monday. "
        "A spokesman for the PIPC said the decision was final, and the PIPC would publish it."
    )
    mentions, _, _ = tagger.tag_text(text)
    long_form = [m for m in mentions if m.text.endswith("Protection Commission")]
    acronyms = [m for m in mentions if m.text == "PIPC"]
    assert len(long_form) == 1 and len(acronyms) == 3
    assert {m.entity for m in acronyms} == {long_form[0].entity}
    assert {m.label for m in acronyms} == {long_form[0].label}


def test_initials_and_prefixes_join_the_longer_name(tagger: Tagger) -> None:
    text = (
        "First Interstate Bancorp said on Tuesday that profit rose. First Interstate "
        "also cut costs. The Korea Communications Commission said the KCC would act."
    )
    found = tagged(tagger, text)
    assert ids(found, "First Interstate") == ids(found, "First Interstate Bancorp")
    assert ids(found, "KCC") == ["org:korea communications commission"]


def test_parentheses_that_do_not_spell_the_acronym_define_nothing() -> None:
    assert abbreviates("PIPC", "the Personal Information Protection Commission")
    assert abbreviates("MSIT", "Ministry of Science and ICT")
    assert not abbreviates("AP", "the Korea Herald")
    assert not abbreviates("KCC", "the Bank of Korea")
