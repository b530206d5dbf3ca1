"""The entity table of a report: canonical entities of its articles, as `corpus entities` counts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from corpus import analysis
from corpus.queries import Row
from corpus.store import Store


def entity_table(store: Store, articles: Sequence[Row], aliases: int = 3) -> list[Row]:
    """id, name, label, mentions, articles and the most frequent surface forms (`aliases`) of
    every entity mentioned in `articles`, most mentioned first, counted in those articles only.

    Names and labels are the store's canonical ones (`analysis.entity_info`), so over the whole
    store the table is the one `corpus entities` prints.
    """
    mentions: Counter[str] = Counter()
    in_articles: Counter[str] = Counter()
    texts: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for mention in article["entities"]:
            mentions[mention["entity"]] += 1
            texts[mention["entity"]][mention["text"]] += 1
        in_articles.update({mention["entity"] for mention in article["entities"]})
    info = analysis.entity_info(store, mentions)
    rows = [
        {
            "id": entity_id,
            "name": info[entity_id]["name"],
            "label": info[entity_id]["label"],
            "mentions": count,
            "articles": in_articles[entity_id],
            "aliases": [
                text
                for text, _ in sorted(texts[entity_id].items(), key=lambda t: (-t[1], t[0]))[
                    :aliases
                ]
            ],
        }
        for entity_id, count in mentions.items()
    ]
    rows.sort(key=lambda r: (-r["mentions"], -r["articles"], r["name"], r["id"]))
    return rows
