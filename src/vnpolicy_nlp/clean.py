"""Stage 1: read and decode input files, and find web-page boilerplate.

Cleaning never rewrites the text the user gave: it returns the decoded text as it is, and the
character ranges of boilerplate (menus, image file names, footers, related-headline lists),
which later stages leave untagged. Offsets therefore never shift because of cleaning.
"""

from __future__ import annotations

import codecs
import glob
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

from .errors import Errors, VnpolicyError
from .patterns import lexicon

SUFFIXES = (".txt", ".html", ".htm", ".jsonl")


@dataclass
class InputDoc:
    """One document to tag: its id, its decoded text, and where it came from."""

    id: str
    text: str
    source: str
    meta: dict = field(default_factory=dict)


def decode(data: bytes, path: str) -> str:
    """Decode file bytes: UTF-8 with or without BOM, or UTF-16 with BOM.

    Raises:
        VnpolicyError: for empty input, binary data, or bytes that do not decode.
    """
    if not data.strip():
        raise VnpolicyError(Errors.E002.format(path=path))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise VnpolicyError(Errors.E004.format(path=path, reason=e)) from e
    if b"\x00" in data:
        raise VnpolicyError(Errors.E003.format(path=path))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise VnpolicyError(Errors.E004.format(path=path, reason=e)) from e
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(2, len(text) // 100):
        raise VnpolicyError(Errors.E003.format(path=path))
    return text


def html_to_text(html: str) -> str:
    """The article text of an HTML page: block elements become lines; scripts, styles and
    navigation are dropped."""
    import lxml.html

    root = lxml.html.fromstring(html)
    for bad in root.xpath("//script|//style|//noscript|//nav|//header|//footer|//form"):
        bad.drop_tree()
    body = next((el for el in (root.find(".//article"), root.find(".//body")) if el is not None), root)
    lines = []
    for el in body.iter("h1", "h2", "h3", "h4", "p", "li", "figcaption", "blockquote", "td"):
        text = re.sub(r"\s+", " ", el.text_content()).strip()
        if text:
            lines.append(text)
    return "\n".join(lines) if lines else re.sub(r"[ \t]+", " ", body.text_content()).strip()


def _read_jsonl(data: str, path: str) -> Iterator[InputDoc]:
    for lineno, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or "text" not in rec or "id" not in rec:
                raise ValueError("missing 'id' or 'text'")
            if not isinstance(rec["text"], str):
                raise ValueError("'text' is not a string")
        except ValueError as e:
            raise VnpolicyError(Errors.E006.format(path=path, line=lineno, reason=e)) from e
        meta = {k: v for k, v in rec.items() if k not in ("id", "text")}
        yield InputDoc(id=str(rec["id"]), text=rec["text"], source=path, meta=meta)


def expand_paths(paths: list[str]) -> tuple[list[str], list[str]]:
    """Expand folders (recursively, by suffix) and globs; ``-`` stays as stdin.

    Returns:
        ``(files, missing)``: the files to read, and the arguments that matched nothing.
    """
    files, missing = [], []
    for arg in paths:
        if arg == "-":
            files.append(arg)
            continue
        p = Path(arg)
        if p.is_dir():
            files += sorted(str(f) for f in p.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file())
        elif p.exists():
            files.append(arg)
        else:
            matched = sorted(glob.glob(arg, recursive=True))
            if matched:
                files += [m for m in matched if Path(m).is_file()]
            else:
                missing.append(arg)
    return files, missing


def read_inputs(paths: list[str]) -> Iterator[InputDoc | VnpolicyError]:
    """Yield a document for each readable input, and an error for each bad one, in order.

    A bad file never stops the others: its error is yielded in its place.
    """
    files, missing = expand_paths(paths)
    for arg in missing:
        yield VnpolicyError(Errors.E005.format(path=arg))
    for name in files:
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            text = decode(data, name)
            suffix = Path(name).suffix.lower()
            if suffix == ".jsonl":
                yield from _read_jsonl(text, name)
                continue
            if suffix in (".html", ".htm") or (name == "-" and text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))):
                text = html_to_text(text)
            yield InputDoc(id="stdin" if name == "-" else Path(name).stem, text=text, source=name)
        except VnpolicyError as e:
            yield e
        except OSError as e:
            yield VnpolicyError(Errors.E001.format(path=name, reason=e.strerror or e))


@lru_cache(maxsize=1)
def _boilerplate_patterns() -> tuple[list[re.Pattern], list[re.Pattern], list[re.Pattern]]:
    lines = [re.compile(p) for p in lexicon("boilerplate")]
    sections = [re.compile(p) for p in lexicon("boilerplate_sections")]
    lists = [re.compile(p) for p in lexicon("boilerplate_lists")]
    return lines, sections, lists


def boilerplate_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that are web-page boilerplate, never to be tagged."""
    line_pats, section_pats, list_pats = _boilerplate_patterns()
    regions, listed = [], []
    lines = [m for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    for i, m in enumerate(lines):
        line = m.group().strip()
        if any(p.search(line) for p in section_pats):
            regions.append((m.start(), len(text)))
            break
        if any(p.search(line) for p in line_pats):
            regions.append((m.start(), m.end()))
        elif any(p.search(line) for p in list_pats):
            listed.append(i)
    # list lines count only in runs of two or more consecutive non-empty lines
    run = set(listed)
    regions += [(lines[i].start(), lines[i].end()) for i in listed if i - 1 in run or i + 1 in run]
    return sorted(regions)


class BoilerplateFilter:
    """Pipeline component: drop entities (and their relations) inside boilerplate regions."""

    def __call__(self, doc):
        regions = boilerplate_regions(doc.text)
        if not regions:
            return doc

        def inside(start: int, end: int) -> bool:
            return any(s < end and start < e for s, e in regions)

        kept = [e for e in doc.ents if not inside(e.start_char, e.end_char)]
        if len(kept) != len(doc.ents):
            doc.ents = kept
            spans = {(e.start_char, e.end_char) for e in kept}
            if doc._.relations:
                doc._.relations = [r for r in doc._.relations if tuple(r["head"]) in spans and tuple(r["tail"]) in spans]
        return doc


BOILERPLATE_COMPONENT = "vnpolicy_boilerplate"


@Language.factory(BOILERPLATE_COMPONENT)
def make_boilerplate_filter(nlp: Language, name: str) -> BoilerplateFilter:
    """Registered factory of :class:`BoilerplateFilter`."""
    return BoilerplateFilter()
