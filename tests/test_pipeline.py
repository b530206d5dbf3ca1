"""The tagging pipeline: model loading, seeds against the gold, "Line", governments, datelines."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from corpus.models import Article, Mention
from corpus.pipeline import (
    DEFAULT_MODEL_CANDIDATES,
    EXCLUDED_COMPONENTS,
    ModelNotFound,
    Tagger,
    load_tagger,
    resolve_model_name,
)

ROOT = Path(__file__).resolve().parents[1]
GOLD = sorted((ROOT / "tests" / "gold").glob("*.json"))


def gold_documents() -> list[dict[str, object]]:
    return [
        doc for path in GOLD for doc in json.loads(path.read_text(encoding="utf-8"))["documents"]
    ]


def load_evaluate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evaluate", ROOT / "benchmarks" / "evaluate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return load_tagger()


def mentions_of(tagger: Tagger, text: str) -> list[Mention]:
    return tagger.tag_text(text)[0]


def found(tagger: Tagger, text: str) -> set[tuple[str, str, str]]:
    return {(m.text, m.label, m.entity) for m in mentions_of(tagger, text)}


# --- model loading -------------------------------------------------------------------------------


def test_resolve_model_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CORPUS_MODEL", raising=False)
    assert resolve_model_name() in DEFAULT_MODEL_CANDIDATES
    assert resolve_model_name("my_model") == "my_model"
    monkeypatch.setenv("CORPUS_MODEL", "env_model")
    assert resolve_model_name() == "env_model"
    assert resolve_model_name("my_model") == "my_model"


def test_missing_model_is_named() -> None:
    with pytest.raises(ModelNotFound, match="no_such_model_xyz"):
        load_tagger("no_such_model_xyz")


def test_missing_model_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORPUS_MODEL", "env_model_xyz")
    with pytest.raises(ModelNotFound, match="env_model_xyz"):
        load_tagger()


def test_only_what_tagging_needs_runs(tagger: Tagger) -> None:
    assert tagger.nlp.pipe_names == [
        "senter",
        "ner",
        "corpus_ner_fixes",
        "corpus_span_edges",
        "corpus_gazetteer",
        "corpus_person_names",
        "corpus_acronyms",
        "corpus_paragraph_sentences",
    ]
    assert not set(EXCLUDED_COMPONENTS) & set(tagger.nlp.component_names)


def test_fingerprint(tagger: Tagger) -> None:
    assert re.fullmatch(r"[0-9a-f]{16}", tagger.fingerprint)
    assert load_tagger().fingerprint == tagger.fingerprint
    assert tagger.model_name in DEFAULT_MODEL_CANDIDATES


# --- the seeds against the gold ------------------------------------------------------------------


def test_gold_is_consistent() -> None:
    documents = gold_documents()
    assert len(documents) >= 21  # 000, 001 and its 16 briefs, 002; 003 written for resolution
    for doc in documents:
        body = str(doc["body"])
        for mention in doc["mentions"]:  # type: ignore[attr-defined]
            assert body[mention["start"] : mention["end"]] == mention["text"]


def target_cases() -> list[tuple[str, int, str, str, str]]:
    cases = []
    ids = set(load_tagger().gazetteer.entities)
    for doc in gold_documents():
        for m in doc["mentions"]:  # type: ignore[attr-defined]
            if m["label"] == "GOV" or m["entity"] in ids:
                cases.append((str(doc["name"]), m["start"], m["text"], m["label"], m["entity"]))
    return cases


def test_every_target_of_every_seed_is_found(tagger: Tagger) -> None:
    bodies = {str(doc["name"]): str(doc["body"]) for doc in gold_documents()}
    predicted = {
        name: {(m.start, m.text, m.label, m.entity) for m in mentions_of(tagger, body)}
        for name, body in bodies.items()
    }
    cases = target_cases()
    assert len(cases) >= 70
    missing = [case for case in cases if case[1:] not in predicted[case[0]]]
    assert missing == []


@pytest.mark.parametrize(
    ("seed", "text", "label", "entity"),
    [
        ("000", "Naver", "ORG", "naver"),
        ("000", "LY Corporation", "ORG", "ly-corp"),
        ("000", "LY Corp.", "ORG", "ly-corp"),
        ("000", "Line", "ORG", "line"),
        ("000", "the SoftBank Group", "ORG", "softbank"),
        ("000", "A Holdings", "ORG", "a-holdings"),
        ("000", "Kyodo", "ORG", "kyodo"),
        ("000", "Japanese government", "GOV", "gov:jp"),
        ("000", "Japanese authorities", "GOV", "gov:jp"),
        ("000", "Korea\u2019s foreign ministry", "GOV", "gov:kr:mofa"),
        ("000", "Korea\u2019s science ministry", "GOV", "gov:kr:msit"),
        (
            "000",
            "Japan\u2019s Ministry of Internal Affairs and Communications",
            "GOV",
            "gov:jp:mic",
        ),
        ("001", "Line", "ORG", "line"),
        ("001", "LinePay", "PRODUCT", "linepay"),
        ("001", "Naver", "ORG", "naver"),
        ("001", "SoftBank", "ORG", "softbank"),
        ("001", "Z Holdings", "ORG", "z-holdings"),
        ("001", "Yahoo Japan", "ORG", "z-holdings"),
        ("001-brief-06", "Nikkei", "ORG", "nikkei"),
        ("001-brief-04", "Egyptian authorities", "GOV", "gov:eg"),
        ("002", "Line", "ORG", "line"),
        ("002", "Kakao", "ORG", "kakao"),
        ("002", "Kakaotalk", "ORG", "kakao"),
        ("002", "KakaoStory", "ORG", "kakao"),
        ("002", "Yahoo Messenger", "PRODUCT", "yahoo-messenger"),
        ("002", "WeChat", "PRODUCT", "wechat"),
        ("002", "Line Friends", "ORG", "line-friends"),
        ("002", "the Chinese government", "GOV", "gov:cn"),
        ("002", "the Korean government", "GOV", "gov:kr"),
        ("002", "The Ministry of Science, ICT and Future Planning", "GOV", "gov:kr:msit"),
    ],
)
def test_key_names_in_the_seeds(
    tagger: Tagger, seed: str, text: str, label: str, entity: str
) -> None:
    body = next(str(doc["body"]) for doc in gold_documents() if doc["name"] == seed)
    assert (text, label, entity) in found(tagger, body)


def test_evaluation_meets_the_targets(tagger: Tagger) -> None:
    evaluate = load_evaluate()
    by_label, targets = evaluate.evaluate(tagger, evaluate.load_gold())
    precision, recall, _ = evaluate.prf(targets, "TARGETS")
    assert recall >= 0.95
    assert precision >= 0.9
    assert targets.id_wrong == []
    assert evaluate.targets_met(targets)
    assert sum(by_label.gold.values()) > 200


def test_evaluate_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_evaluate().main(["--check"]) == 0
    output = capsys.readouterr().out
    assert "GOV" in output and "TARGETS" in output and "F1" in output


# --- "Line" ---------------------------------------------------------------------------------------

NOT_THE_APP = [
    "Please stand in line at the counter.",
    "Take Line 2 to the airport and change at Central.",
    "Line 2 was closed for repairs on Sunday.",
    "A line of cars stretched down the road.",
    "The Line of Duty finale drew millions of viewers.",
    "Troops on both sides of the Line of Control exchanged fire.",
    "New Line Cinema released the film in December.",
    "Asymmetric Digital Subscriber Line technology lets copper wires carry data.",
    "Line-up changes were announced before the match.",
    "The bottom line is that profits fell.",
    "The accident on the East Coast Main Line caused delays.",
    "Reopening the Waverley Line would cost \u00a3100m.",
    "He drew a line under the affair. Line by line, the report was read aloud.",
    "THE FRONT LINE HELD AS THE ARMY ADVANCED.",
]


@pytest.mark.parametrize("text", NOT_THE_APP)
def test_line_is_not_tagged_as_the_app(tagger: Tagger, text: str) -> None:
    assert not [m for m in mentions_of(tagger, text) if m.entity == "line"]


@pytest.mark.parametrize(
    "text",
    [
        "Line said on Monday it had fixed the leak.",
        "Millions of users of Line in Thailand were affected.",
        "Naver\u2019s Line is the most popular messenger in Japan.",
        "The messaging app Line, run by LY Corp., grew fast.",
        "Using Line, users can pay bills.",
        "Line\u2019s parent company said nothing.",
        "LINE launched a new service in Taiwan.",
    ],
)
def test_line_is_tagged_as_the_app(tagger: Tagger, text: str) -> None:
    lines = [m for m in mentions_of(tagger, text) if m.entity == "line"]
    assert [(m.text, m.label) for m in lines] in ([("Line", "ORG")], [("LINE", "ORG")])


def test_nikkei_index_is_not_the_newspaper(tagger: Tagger) -> None:
    for text in [
        "The Nikkei 225 index ended the day up 0.7%.",
        "The overall impact on Asia's largest stock market, Japan's Nikkei, was slight.",
        "Shares fell with the Nikkei down 1% in afternoon trade.",
    ]:
        assert not [m for m in mentions_of(tagger, text) if m.entity == "nikkei"], text
    assert ("Nikkei", "ORG", "nikkei") in found(
        tagger, "Kagome stopped imports, Nikkei learned Tuesday."
    )


# --- governments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "entity"),
    [
        ("Korea\u2019s foreign ministry said so.", "Korea\u2019s foreign ministry", "gov:kr:mofa"),
        ("Korea's foreign ministry said so.", "Korea's foreign ministry", "gov:kr:mofa"),
        (
            "South Korea's foreign ministry said so.",
            "South Korea's foreign ministry",
            "gov:kr:mofa",
        ),
        (
            "The talks upset the Korean foreign ministry last week.",
            "the Korean foreign ministry",
            "gov:kr:mofa",
        ),
        (
            "He met Korea's Ministry of Foreign Affairs.",
            "Korea's Ministry of Foreign Affairs",
            "gov:kr:mofa",
        ),
        ("It was Japan's foreign ministry that spoke.", "Japan's foreign ministry", "gov:jp:mofa"),
        ("Officials said the Chinese government would act.", "the Chinese government", "gov:cn"),
        ("Japanese authorities\u2019 action was swift.", "Japanese authorities", "gov:jp"),
        (
            "He complained to the Japanese embassy in Seoul.",
            "the Japanese embassy",
            "gov:jp:embassy",
        ),
        (
            "China's Ministry of Commerce replied.",
            "China's Ministry of Commerce",
            "gov:cn:ministry of commerce",
        ),
        ("The US government said nothing.", "The US government", "gov:us"),
        (
            "The Ministry of Science, ICT and Future Planning agreed.",
            "The Ministry of Science, ICT and Future Planning",
            "gov:kr:msit",
        ),
        ("Korea's science ministry agreed.", "Korea's science ministry", "gov:kr:msit"),
    ],
)
def test_governments(tagger: Tagger, text: str, span: str, entity: str) -> None:
    assert (span, "GOV", entity) in found(tagger, text)


def test_government_entities_carry_their_country(tagger: Tagger) -> None:
    _, entities, _ = tagger.tag_text("The Korean government and Egyptian authorities disagreed.")
    countries = {e.id: e.country for e in entities if e.label == "GOV"}
    assert countries == {"gov:kr": "KR", "gov:eg": "EG"}


def test_no_government_without_a_head(tagger: Tagger) -> None:
    mentions = mentions_of(
        tagger, "Japanese media outlets and Korean firms praised Japan's most popular app."
    )
    assert not [m for m in mentions if m.label == "GOV"]


# --- fixes to the statistical entities -----------------------------------------------------------


def test_trailing_possessives_are_trimmed(tagger: Tagger) -> None:
    text = (
        "Line used a local subsidiary of its parent company, South Korea's Naver. "
        "President and CEO Kurumatani Nobuaki's resignation comes days after the offer."
    )
    spans = {m.text for m in mentions_of(tagger, text)}
    assert {"South Korea", "Kurumatani Nobuaki"} <= spans
    assert not [s for s in spans if re.search(r"['\u2019]s?$", s)]


def test_datelines_are_not_swallowed(tagger: Tagger) -> None:
    text = (
        'Reuters - Apr 10\nTOKYO - The number of Japan\'s "izakaya" dining bars that went '
        "bankrupt hit a record high.\n\nBloomberg Markets and Finance - Apr 09\n"
        "NAGOYA, Japan -- Leading Japanese "
        "ketchup producer Kagome has stopped importing tomatoes."
    )
    mentions = mentions_of(tagger, text)
    assert not [m for m in mentions if re.search(r"\s(-|--|\u2014)\s|\n", m.text)]
    assert {"Reuters", "Bloomberg Markets and Finance", "Kagome"} <= {m.text for m in mentions}


def test_model_spans_keep_their_article(tagger: Tagger) -> None:
    bare = set()
    for ent in tagger.nlp.get_pipe("ner")(
        tagger.nlp.make_doc("Oil rose on the New York Mercantile Exchange.")
    ).ents:
        bare.add(ent.text)
    spans = {m.text for m in mentions_of(tagger, "Oil rose on the New York Mercantile Exchange.")}
    assert bare <= spans


# --- the Tagger interface ------------------------------------------------------------------------

TEXTS = [
    "Line said Naver and SoftBank would talk. The Korean government agreed.\n\n"
    "Korea's foreign ministry spoke.",
    "TOKYO - The number of Japan's bars that went bankrupt hit a record high in March.",
    "Take Line 2 to the airport. The Chinese government shut off the services of Kakaotalk.",
    "Nothing to see here.",
    "",
]


def articles() -> list[Article]:
    return [Article(body=text, path=f"t/{i}.txt", position=i) for i, text in enumerate(TEXTS)]


def test_tag_yields_in_order_with_all_parts(tagger: Tagger) -> None:
    tagged = list(tagger.tag(iter(articles()), batch_size=2))
    assert [t.article.body for t in tagged] == TEXTS
    for item in tagged:
        body = item.article.body
        assert item.fingerprint == tagger.fingerprint
        assert all(body[m.start : m.end] == m.text for m in item.mentions)
        assert [e.id for e in item.entities] == list(dict.fromkeys(m.entity for m in item.mentions))
        assert all(
            s.rank is None and body[s.start : s.end].strip() == body[s.start : s.end]
            for s in item.sentences
        )
        assert bool(item.sentences) == bool(body.strip())
    first = tagged[0]
    assert len(first.sentences) == 3
    assert {"line", "naver", "softbank", "gov:kr", "gov:kr:mofa"} <= {e.id for e in first.entities}


def test_tag_matches_tag_text(tagger: Tagger) -> None:
    for item in tagger.tag(articles()):
        mentions, entities, sentences = tagger.tag_text(item.article.body)
        assert (item.mentions, item.entities, item.sentences) == (mentions, entities, sentences)


def test_new_words_do_not_stay_in_the_vocabulary(
    tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long ingest meets ever more distinct words; keeping each would grow memory with it."""
    monkeypatch.setattr(tagger, "warm_up_articles", 0)  # as if 1,000 articles had been tagged
    strings = tagger.nlp.vocab.strings
    before = len(strings)
    body = "Zorblaxian regulators fined Quuxtronic Holdings in Vrensk on Monday."
    [tagged] = tagger.tag([Article(body=body, path="new-words.txt")])
    assert {m.text for m in tagged.mentions} >= {"Quuxtronic Holdings", "Vrensk"}
    tagger.tag_text(body)
    assert "Quuxtronic" not in strings and "Zorblaxian" not in strings
    assert len(strings) == before


def test_words_of_the_warm_up_stay_in_the_vocabulary(tagger: Tagger) -> None:
    fresh = Tagger(tagger.nlp, tagger.fingerprint)
    fresh.warm_up_articles = 2
    first, second = "Blorptastic shares rose.", "Snargleworth shares fell."
    list(fresh.tag([Article(body=text, path=f"{n}.txt") for n, text in enumerate([first, second])]))
    fresh.tag_text("Wibblecorp shares were flat.")
    strings = tagger.nlp.vocab.strings
    assert "Blorptastic" in strings and "Snargleworth" in strings
    assert "Wibblecorp" not in strings


def test_batching_does_not_change_the_result(tagger: Tagger) -> None:
    """Batches vary with the articles' lengths; each article's tags must not depend on them."""
    seeds = [
        Article(body=str(doc["body"]), path=f"gold/{doc['name']}") for doc in gold_documents()[:4]
    ]
    items = articles() + seeds
    alone = list(tagger.tag(items, batch_size=1))
    together = list(tagger.tag(items, batch_size=64))
    assert [t.model_dump() for t in together] == [t.model_dump() for t in alone]
    assert sum(len(t.mentions) for t in alone) > 50
