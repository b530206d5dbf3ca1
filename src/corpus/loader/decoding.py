"""Bytes -> text: UTF-8 (BOM allowed), UTF-16 with a BOM, else cp1252 with a warning."""

from __future__ import annotations

import codecs
import os

from corpus.loader.files import LoadError, printable


def decode(data: bytes, path: str | os.PathLike[str]) -> tuple[str, str, list[str]]:
    """Return (text, encoding, warnings). UTF-8 (BOM allowed) and UTF-16 with BOM; else cp1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise LoadError(
                path, "starts with a UTF-16 byte order mark but is not UTF-16"
            ) from None
        if "\x00" in text:
            raise LoadError(path, "binary file (UTF-16 text with NUL characters)")
        return text, "utf-16", []
    if b"\x00" in data:
        raise LoadError(path, "binary file (contains NUL bytes)")
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig"), "utf-8-sig", []
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as error:
        where = f"byte {error.start}"
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "latin-1"
    warning = f"{printable(path)}: not valid UTF-8 (at {where}); decoded as {encoding}"
    return text, encoding, [warning]


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_blank(line: str) -> bool:
    """Blank includes lines of only whitespace such as U+00A0."""
    return not line.strip()
