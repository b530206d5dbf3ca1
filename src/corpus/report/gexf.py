"""GEXF 1.3 (Gephi's own format) for a co-occurrence graph, with sizes and label colours."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from corpus.analysis import Cooccurrence
from corpus.export import xml_text
from corpus.report.colours import label_rgb

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
NODE_ATTRIBUTES = (("type", "string"), ("mentions", "integer"), ("units", "integer"))
EDGE_ATTRIBUTES = (("pmi", "double"), ("npmi", "double"))


def pairs_gexf(result: Cooccurrence) -> str:
    """An undirected graph: entities as nodes (label, type, mentions; viz size and colour),
    pairs as edges weighted by their count, with PMI and NPMI."""
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", VIZ_NS)
    root = ET.Element(f"{{{GEXF_NS}}}gexf", version="1.3")
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta")
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "corpus"
    ET.SubElement(
        meta, f"{{{GEXF_NS}}}description"
    ).text = f"entities sharing a {result.unit}; {result.units} {result.unit}s"
    graph = ET.SubElement(root, f"{{{GEXF_NS}}}graph", defaultedgetype="undirected")
    for kind, attributes in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        declared = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": kind})
        for name, type_ in attributes:
            ET.SubElement(declared, f"{{{GEXF_NS}}}attribute", id=name, title=name, type=type_)
    nodes = ET.SubElement(graph, f"{{{GEXF_NS}}}nodes")
    for entity_id, entity in result.entities.items():
        node = ET.SubElement(
            nodes, f"{{{GEXF_NS}}}node", id=xml_text(entity_id), label=xml_text(entity["name"])
        )
        _values(
            node,
            {"type": entity["label"], "mentions": entity["mentions"], "units": entity["units"]},
        )
        red, green, blue = label_rgb(entity["label"])
        ET.SubElement(node, f"{{{VIZ_NS}}}color", r=str(red), g=str(green), b=str(blue))
        ET.SubElement(node, f"{{{VIZ_NS}}}size", value=str(entity["mentions"]))
    edges = ET.SubElement(graph, f"{{{GEXF_NS}}}edges")
    for i, pair in enumerate(result.pairs):
        edge = ET.SubElement(edges, f"{{{GEXF_NS}}}edge", id=str(i), weight=str(pair["count"]))
        edge.set("source", xml_text(pair["a"]))
        edge.set("target", xml_text(pair["b"]))
        _values(edge, {"pmi": pair["pmi"], "npmi": pair["npmi"]})
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _values(parent: ET.Element, values: dict[str, object]) -> None:
    holder = ET.SubElement(parent, f"{{{GEXF_NS}}}attvalues")
    for name, value in values.items():
        ET.SubElement(
            holder, f"{{{GEXF_NS}}}attvalue", {"for": name, "value": xml_text(str(value))}
        )
