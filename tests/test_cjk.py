"""Names, countries and governments in Korean, Japanese and Chinese text, and their sentences."""

from __future__ import annotations

import pytest

from corpus.canonical import Canonicaliser
from corpus.gazetteer import load_gazetteers
from corpus.pipeline.cjk import CjkRules, particles_only
from corpus.pipeline.sentences import sentence_spans


@pytest.fixture(scope="module")
def rules() -> CjkRules:
    gazetteer = load_gazetteers()
    return CjkRules(gazetteer, Canonicaliser(gazetteer))


def found(rules: CjkRules, text: str, lang: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.entity_id) for s in rules.spans(text, lang)]


@pytest.mark.parametrize("particle", ["는", "가", "의", "와", "에서", "에서는", "와의", "이라는"])
def test_a_korean_name_takes_its_particles(rules: CjkRules, particle: str) -> None:
    assert found(rules, f"오늘 네이버{particle} 발표했다.", "ko") == [("네이버", "naver")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 라인 inside 온라인 (online), 가이드라인 (guideline), 라인업 (line-up): no LINE; the
        # article's 메신저 is a cue, so 라인 on its own would be taken.
        ("온라인 쇼핑이 늘었다. 메신저", []),
        ("새 가이드라인을 발표했다. 메신저", []),
        ("6종의 라인업을 갖췄다. 메신저", []),
        ("라인을 쓴다. 메신저", [("라인", "line")]),
        ("굿네이버스 광주지부", []),  # Good Neighbors
        ("네이버웹툰이 성장했다", []),  # Naver Webtoon: another name
    ],
)
def test_a_korean_name_never_matches_inside_another_word(
    rules: CjkRules, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(rules, text, "ko") == expected


def test_an_ambiguous_name_needs_a_cue_in_the_article(rules: CjkRules) -> None:
    production = "반도체 생산 라인을 국산화했다."
    assert found(rules, production, "ko") == []
    messenger = "네이버의 메신저 라인은 일본에서 인기다."
    assert ("라인", "line") in found(rules, messenger, "ko")
    assert found(rules, "ゴールラインを割った。ラインを越えた。", "ja") == []
    assert ("ライン", "line") in found(rules, "無料通話アプリのラインが人気だ。", "ja")


def test_latin_names_in_cjk_text(rules: CjkRules) -> None:
    text = "LINEヤフーとLINEの関係。YOMIURI ONLINEが報じた。ＬＩＮＥ公式"
    assert found(rules, text, "ja") == [
        ("LINEヤフー", "ly-corp"),
        ("LINE", "line"),
        ("ＬＩＮＥ", "line"),
    ]


def test_katakana_names_are_whole_words(rules: CjkRules) -> None:
    text = "ソフトバンクとネイバーはオンラインのガイドラインを守る。カカオトークも。"
    assert found(rules, text, "ja") == [
        ("ソフトバンク", "softbank"),
        ("ネイバー", "naver"),
        ("カカオトーク", "kakao"),
    ]


def test_governments_and_countries_across_scripts(rules: CjkRules) -> None:
    assert found(rules, "일본 정부는 한국 정부와 협의했다. 일본정부의 외교부", "ko") == [
        ("일본 정부", "gov:jp"),
        ("한국 정부", "gov:kr"),
        ("일본정부", "gov:jp"),
        ("외교부", "gov:kr:mofa"),
    ]
    assert found(rules, "日本政府は韓国政府、総務省と協議した。", "ja") == [
        ("日本政府", "gov:jp"),
        ("韓国政府", "gov:kr"),
        ("総務省", "gov:jp:mic"),
    ]
    assert found(rules, "한국어를 배운다. 한국은 추웠다.", "ko") == [("한국", "gpe:south korea")]


def test_a_chinese_paragraph(rules: CjkRules) -> None:
    text = "中国外交部发言人表示，中国政府反对。微信和软银的合作在韩国引起关注。"
    assert found(rules, text, "zh") == [
        ("中国外交部", "gov:cn:mofa"),
        ("中国政府", "gov:cn"),
        ("微信", "wechat"),
        ("软银", "softbank"),
        ("韩国", "gpe:south korea"),
    ]


def test_particle_runs() -> None:
    assert particles_only("는 다음", 0)
    assert particles_only("에서는", 0)
    assert not particles_only("웹툰", 0)


def test_japanese_and_chinese_sentences_end_at_full_stops() -> None:
    text = "日本政府は協議した。「本当か？」と聞いた！次の文\n改行の後。"
    assert [text[a:b] for a, b in sentence_spans(text, "ja")] == [
        "日本政府は協議した。",
        "「本当か？」と聞いた！",
        "次の文",
        "改行の後。",
    ]


def test_korean_sentences_end_at_a_glued_full_stop() -> None:
    text = "삼성은 3.5% 성장을 전망했다.이창영 기자(chani@mk.co.kr)는 말했다. 끝"
    assert [text[a:b] for a, b in sentence_spans(text, "ko")] == [
        "삼성은 3.5% 성장을 전망했다.",
        "이창영 기자(chani@mk.co.kr)는 말했다.",
        "끝",
    ]
