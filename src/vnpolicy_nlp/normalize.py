"""Directive codes → number, year, document type, issuer; canonical ids.

A DIRECTIVE mention (``Quyết định số 1079/QĐ-TTg``, ``57-KL/TW``, ``Đề án 1079``) is parsed
into normalised fields with :func:`parse_directive`. Its ``canonical_id`` is the same for
every way of writing one document, so mentions can be linked across sentences and articles.
The ``vnpolicy_directives`` pipeline component stores the fields in ``doc._.ent_attrs``,
keyed by the entity's character offsets. :data:`DIRECTIVE_CODE_PATTERN` finds bare codes in
running text (the tokenizer keeps them as one token).

Document-type and issuer abbreviations are data, read from ``lexicons/directive_types.tsv``
and ``lexicons/issuers.tsv``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .errors import Errors, VnpolicyError
from .relations import ensure_extensions, ent_key

DIRECTIVE_LABEL = "DIRECTIVE"

_LEXICON_DIR = "lexicons"
_TYPES_FILE = "directive_types.tsv"
_ISSUERS_FILE = "issuers.tsv"

# Characters written in place of the ones in the lexicons: Icelandic eth for Đ/đ, and the
# dashes that word processors substitute for a hyphen.
_CHAR_FIXES = str.maketrans(
    {
        "\u00d0": "\u0110",
        "\u00f0": "\u0111",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2212": "-",
    }
)


def _fix(text: str) -> str:
    """NFC, ``Ð`` → ``Đ`` and dash variants → ``-``."""
    return unicodedata.normalize("NFC", text).translate(_CHAR_FIXES)


def _key(text: str) -> str:
    """Lookup key for codes and type names: fixed characters, case-folded, single spaces."""
    return " ".join(_fix(text).casefold().split())


# ---------------------------------------------------------------------------------------------
# Lexicons


@dataclass(frozen=True)
class DocType:
    """One row of ``directive_types.tsv``.

    Attributes:
        code: the abbreviation written in codes (``QĐ``), or None for a type whose numbers
            carry no type code (``Luật``).
        name: the type's name (``Quyết định``).
        style: ``"state"``, ``"party"`` or ``"any"``: the numbering system using this pair.
    """

    code: str | None
    name: str
    style: str


@dataclass(frozen=True)
class Issuer:
    """One row of ``issuers.tsv``: the code's usual spelling and the issuer's name."""

    code: str
    name: str


@dataclass(frozen=True)
class Lexicons:
    """The document-type and issuer tables, indexed for lookup by :func:`_key`."""

    types_by_code: dict[str, tuple[DocType, ...]]
    type_by_name: dict[str, DocType]
    issuers: dict[str, Issuer]
    type_name_re: re.Pattern[str]


def _read_tsv(filename: str, header: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, cells)`` of a lexicon file, checking its header row."""
    path = resources.files("vnpolicy_nlp").joinpath(_LEXICON_DIR, filename)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise VnpolicyError(Errors.E001.format(path=path, reason=e)) from e
    seen_header = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [_fix(c).strip() for c in line.split("\t")]
        if not seen_header:
            if tuple(cells) != header:
                reason = f"line {lineno}: expected the header {'<TAB>'.join(header)}"
                raise VnpolicyError(Errors.E001.format(path=path, reason=reason))
            seen_header = True
            continue
        if len(cells) < 2 or len(cells) > len(header) or not cells[0] or not cells[1]:
            reason = f"line {lineno}: expected {len(header)} tab-separated columns: {line!r}"
            raise VnpolicyError(Errors.E001.format(path=path, reason=reason))
        yield lineno, cells + [""] * (len(header) - len(cells))


@lru_cache(maxsize=1)
def load_lexicons() -> Lexicons:
    """Read the document-type and issuer lexicons shipped with the package (cached).

    Returns:
        The indexed tables.

    Raises:
        VnpolicyError: (E001) when a lexicon file is missing or malformed, or lists one
            issuer code twice.
    """
    types_by_code: dict[str, list[DocType]] = {}
    type_by_name: dict[str, DocType] = {}
    for lineno, (code, name, style) in _read_tsv(_TYPES_FILE, ("code", "name", "style")):
        if style not in ("state", "party", "any"):
            reason = f"line {lineno}: style {style!r} is not state, party or any"
            raise VnpolicyError(Errors.E001.format(path=_TYPES_FILE, reason=reason))
        row = DocType(code=None if code == "-" else code, name=name, style=style)
        if row.code is not None:
            types_by_code.setdefault(_key(row.code), []).append(row)
        type_by_name.setdefault(_key(name), row)

    issuers: dict[str, Issuer] = {}
    for lineno, (code, name, variants) in _read_tsv(_ISSUERS_FILE, ("code", "name", "variants")):
        issuer = Issuer(code=code, name=name)
        for spelling in [code, *filter(None, (v.strip() for v in variants.split("|")))]:
            if _key(spelling) in issuers:
                reason = f"line {lineno}: issuer code {spelling!r} is listed twice"
                raise VnpolicyError(Errors.E001.format(path=_ISSUERS_FILE, reason=reason))
            issuers[_key(spelling)] = issuer

    # Longest names first, so that "Thông tư liên tịch" wins over "Thông tư".
    names = sorted((row.name for row in type_by_name.values()), key=len, reverse=True)
    type_name_re = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(_key(n)) for n in names) + r")(?!\w)"
    )
    return Lexicons(
        types_by_code={k: tuple(v) for k, v in types_by_code.items()},
        type_by_name=type_by_name,
        issuers=issuers,
        type_name_re=type_name_re,
    )


def doc_type_code(name: str) -> str | None:
    """Return the code of a document type name (``"Quyết định"`` → ``"QĐ"``).

    Args:
        name: a type name, in any case.

    Returns:
        The code, or None when the name is unknown or its numbers carry no type code
        (``Luật``).
    """
    row = load_lexicons().type_by_name.get(_key(name))
    return row.code if row else None


def doc_type_name(code: str, style: str = "any") -> str | None:
    """Return the default name of a document type code (``"CT"`` → ``"Chỉ thị"``).

    Args:
        code: a type code, in any case (``Ð`` accepted for ``Đ``).
        style: ``"party"`` or ``"state"`` to prefer that numbering system's name where the
            code is shared (``TT`` is Thông tư for the state, Thông tri for the Party).

    Returns:
        The name, or None when the code is unknown.
    """
    rows = load_lexicons().types_by_code.get(_key(code), ())
    for row in rows:
        if row.style in ("any", style):
            return row.name
    return rows[0].name if rows else None


def issuer_name(code: str) -> str | None:
    """Return the issuer named by a code (``"TTg"`` → ``"Thủ tướng Chính phủ"``).

    A term number after the code is read as the body's term (``QH15`` → ``Quốc hội khóa XV``).

    Args:
        code: an issuer code, in any case.

    Returns:
        The issuer's name, or None when the code is unknown.
    """
    found = _lookup_issuer(code)
    return found[1] if found else None


def _lookup_issuer(code: str) -> tuple[str, str] | None:
    """Return ``(canonical code, name)`` of an issuer code, or None."""
    issuers = load_lexicons().issuers
    issuer = issuers.get(_key(code))
    if issuer:
        return issuer.code, issuer.name
    m = re.fullmatch(r"(.*?\D)(\d{1,2})", _fix(code))
    if m and (issuer := issuers.get(_key(m.group(1)))):
        return issuer.code + m.group(2), f"{issuer.name} khóa {_roman(int(m.group(2)))}"
    return None


def _roman(n: int) -> str:
    """Roman numeral of a small positive integer (a body's term: 15 → XV)."""
    out = []
    for value, numeral in (
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def _type_code_spelling(part: str) -> str | None:
    """The lexicon's spelling of a type code (``qđ`` → ``QĐ``), or None when unknown."""
    rows = load_lexicons().types_by_code.get(_key(part))
    return rows[0].code if rows else None


# ---------------------------------------------------------------------------------------------
# The code pattern used by the tokenizer

_DASHES = "\\-\u2010\u2011\u2013"
_CODE_PART = r"[A-ZĐÐ](?:[A-Za-zĐđÐ0-9]|&(?=[A-Za-zĐđÐ]))*"
_SEP = f"[{_DASHES}/]"
_YEAR = r"(?:19|20)\d{2}"


def _build_code_pattern() -> re.Pattern[str]:
    type_codes = sorted(
        {r.code for rows in load_lexicons().types_by_code.values() for r in rows if r.code},
        key=len,
        reverse=True,
    )
    known_types = "|".join(
        "".join("[ĐÐ]" if ch == "Đ" else re.escape(ch) for ch in code) for code in type_codes
    )
    return re.compile(
        rf"(?<![\w/{_DASHES}&])\d+(?:"
        # 1079/QĐ-TTg, 57-KL/TW, 22/2024/TT-BYT, 1244/CVNS/BTCTW, 4992/BYT-DP
        rf"(?:/{_YEAR})?{_SEP}{_CODE_PART}(?:{_SEP}{_CODE_PART})+"
        # 257/2025/QH15
        rf"|/{_YEAR}/{_CODE_PART}"
        # 1079/QĐ, the code of `1079/QĐ TTg` up to its space
        rf"|/(?:{known_types})"
        rf")(?![\w&])"
    )


#: Bare directive codes in running text: ``1079/QĐ-TTg``, ``57-KL/TW``, ``22/2024/TT-BYT``,
#: ``2136-QĐNS/TW``, ``257/2025/QH15``, ``1079/QĐ``; never dates (``14/9/2022``) or ranges
#: (``2023-2028``). Use ``.finditer`` on text or ``.fullmatch`` on one token.
DIRECTIVE_CODE_PATTERN: re.Pattern[str] = _build_code_pattern()


# ---------------------------------------------------------------------------------------------
# Parsing a mention

_NUMBER_RE = re.compile(r"(?<!\w)(\d+)(?!\d)")
_PART = r"[^\W_]+(?:&[^\W_]+)*"
_SEP_PART_RE = re.compile(rf"\s*([-/])\s*({_PART})")
_SPACE_PART_RE = re.compile(rf"\s+({_PART})")
_UPPER_CODE_RE = re.compile(r"[A-ZĐ][A-ZĐ0-9&]+")
_LOOSE_CODE_RE = re.compile(r"[A-ZĐ][A-Za-zĐđ0-9&]*")
_NUMBER_WORD_RE = re.compile(r"(?:\s|^)(?:số|no\.?)\s*:?\s*$", re.IGNORECASE)


def _is_known_code(part: str) -> bool:
    return _type_code_spelling(part) is not None or _lookup_issuer(part) is not None


def _split_code(tail: str) -> list[tuple[str, str]]:
    """Split what follows a number into ``(separator, part)`` pairs, stopping at prose.

    ``/QĐ-TTg`` → ``[("/", "QĐ"), ("-", "TTg")]``; a space between two codes counts as a
    hyphen (``/QĐ TTg``); a part must look like a code, so ``ngày 14/9`` ends the code.
    """
    parts: list[tuple[str, str]] = []
    pos = 0
    while True:
        m = _SEP_PART_RE.match(tail, pos)
        if m:
            sep, part = m.group(1), m.group(2)
            is_year = not parts and sep == "/" and re.fullmatch(_YEAR, part)
            if not (is_year or _LOOSE_CODE_RE.fullmatch(part) or _is_known_code(part)):
                break
        else:
            m = _SPACE_PART_RE.match(tail, pos)
            if not (m and parts and not parts[-1][1].isdigit()):
                break
            sep, part = "-", m.group(1)
            if not (_UPPER_CODE_RE.fullmatch(part) or _is_known_code(part)):
                break
        parts.append((sep, part))
        pos = m.end()
    return parts


def _find_type_word(prefix: str) -> tuple[str | None, DocType | None]:
    """Find the document type word in the text before the number.

    Returns:
        ``(type word as written, lexicon row)``; the word is the whole prefix (without
        ``số``) when no known type name occurs in it, and both are None for an empty prefix.
    """
    prefix = _NUMBER_WORD_RE.sub("", prefix).strip(" \t\n:,;(")
    if not prefix:
        return None, None
    lex = load_lexicons()
    words = " ".join(_fix(prefix).split())
    # Vietnamese letters keep their length when case-folded, so offsets carry over to words.
    best = max(
        lex.type_name_re.finditer(words.casefold()), key=lambda m: len(m.group()), default=None
    )
    if best is None:
        return words, None
    return words[best.start() : best.end()], lex.type_by_name[best.group()]


def _pad_number(number: str) -> str:
    """Official numbering writes numbers under 10 with a leading zero (07/2009/NĐ-CP)."""
    return str(int(number)).zfill(2)


def parse_directive(text: str) -> dict[str, Any] | None:
    """Parse the text of a DIRECTIVE mention into normalised fields.

    Handles state codes (``Quyết định số 1079/QĐ-TTg``, ``Thông tư số 22/2024/TT-BYT``),
    Party codes (``Kết luận số 57-KL/TW``, ``2136-QĐNS/TW``), a space for the hyphen
    (``Quyết định 1079/QĐ TTg``), official letters (``Công văn 4992/BYT-DP``), laws and
    resolutions of the National Assembly (``257/2025/QH15``), a number with a type word only
    (``Quyết định số 5559``, ``Đề án 1079``), lower-case type words and ``Ð`` for ``Đ``.

    Args:
        text: the mention's text, or a bare code.

    Returns:
        A dict with ``number`` (str, at least two digits: ``"07"``), ``year`` (int, only when
        written in the code), ``doc_type_code``, ``doc_type``, ``issuer_code``, ``issuer``
        (several joint issuers are joined, ``"BNV-BTC"``), ``unit_code`` (the drafting unit
        of an official letter, ``DP`` in ``4992/BYT-DP``), ``mention_type`` (the type word
        as written) and ``canonical_id``; unknown fields are None. The document type comes
        from the code when it has one (``kết luận số 46-TB/TW`` is a Thông báo), else from
        the type word; a code of the issuer-unit shape with no type word is a Công văn.
        ``canonical_id`` is the code with lexicon spellings and ``-`` for a space
        (``1079/QĐ-TTg``, ``57-KL/TW``, ``22/2024/TT-BYT``), or ``number/type code`` for a
        mention without a code (``5559/QĐ``). Returns None when the text has no number, or
        a number with neither a code nor a type word.
    """
    text = _fix(text).strip()
    m = _NUMBER_RE.search(text)
    if not m:
        return None
    number = _pad_number(m.group(1))
    parts = _split_code(text[m.end() :])
    mention_type, word_row = _find_type_word(text[: m.start()])
    if not parts and mention_type is None:
        return None

    year = None
    if parts and parts[0][0] == "/" and parts[0][1].isdigit():
        year = int(parts[0][1])
        code_parts = parts[1:]
    else:
        code_parts = parts

    # Which part is the type code: the first, unless it is an issuer and not a type
    # (4992/BYT-DP, 257/2025/QH15) or the only part after a year.
    type_part = None
    rest = list(code_parts)
    if rest:
        first = rest[0][1]
        is_type = _type_code_spelling(first) is not None
        is_issuer = _lookup_issuer(first) is not None
        if is_type or (not is_issuer and not (year is not None and len(rest) == 1)):
            type_part = rest.pop(0)[1]
    type_index = len(parts) - len(code_parts) if type_part is not None else None

    issuer_codes: list[str] = []
    issuer_names: list[str] = []
    unit_code = None
    for i, (_sep, part) in enumerate(rest):
        found = _lookup_issuer(part)
        if i == 0 or (found and unit_code is None):
            issuer_codes.append(found[0] if found else part)
            issuer_names.append(found[1] if found else "")
        else:
            unit_code = part if unit_code is None else f"{unit_code}-{part}"

    party_style = bool(code_parts) and code_parts[0][0] == "-" and year is None
    style = "party" if party_style else "state"
    doc_type_code_, doc_type = _resolve_type(type_part, word_row, style)
    if type_part is None and word_row is None and issuer_codes and year is None:
        doc_type_code_, doc_type = "CV", doc_type_name("CV")

    if parts:
        canonical = number
        spelled = _respell(parts, type_index)
        canonical += "".join(f"{sep}{part}" for sep, part in spelled)
    elif doc_type_code_:
        canonical = f"{number}/{doc_type_code_}"
    else:
        canonical = f"{doc_type or mention_type} {number}"

    return {
        "number": number,
        "year": year,
        "doc_type_code": doc_type_code_,
        "doc_type": doc_type,
        "issuer_code": "-".join(issuer_codes) or None,
        "issuer": ", ".join(issuer_names) if issuer_names and all(issuer_names) else None,
        "unit_code": unit_code,
        "mention_type": mention_type,
        "canonical_id": canonical,
    }


def is_document_reference(text: str) -> bool:
    """Whether a DIRECTIVE span has the spec's form: a document-type word with a number, or a
    code (``Quyết định số 5559``, ``57-KL/TW``); not ``bão số 3`` or ``Nghị định thay thế``."""
    fields = parse_directive(text)
    return fields is not None and bool(fields["doc_type"] or fields["doc_type_code"] or fields["issuer_code"])


def _resolve_type(
    type_part: str | None, word_row: DocType | None, style: str
) -> tuple[str | None, str | None]:
    """Return ``(code, name)`` of the document type: the code's if any, else the word's."""
    if type_part is None:
        return (word_row.code, word_row.name) if word_row else (None, None)
    rows = load_lexicons().types_by_code.get(_key(type_part), ())
    if not rows:
        return _fix(type_part), word_row.name if word_row else None
    # The type word is kept when it is one of the code's names (Quy định số 30-QĐ/TW).
    if word_row and any(_key(r.name) == _key(word_row.name) for r in rows):
        return rows[0].code, word_row.name
    return rows[0].code, doc_type_name(type_part, style)


def _respell(parts: list[tuple[str, str]], type_index: int | None) -> list[tuple[str, str]]:
    """Rewrite each code part in its lexicon spelling (``qđ-ttg`` → ``QĐ-TTg``)."""
    out = []
    for i, (sep, part) in enumerate(parts):
        spelling = None
        if part.isdigit():
            spelling = part
        elif i == type_index:
            spelling = _type_code_spelling(part)
        else:
            found = _lookup_issuer(part)
            spelling = found[0] if found else _type_code_spelling(part)
        out.append((sep, spelling or part))
    return out


# ---------------------------------------------------------------------------------------------
# The pipeline component


class DirectiveNormalizer:
    """Pipeline component storing :func:`parse_directive` fields of DIRECTIVE entities.

    For each entity with the configured label, ``doc._.ent_attrs[ent_key(ent.start_char,
    ent.end_char)]`` receives the parsed fields (merged into fields already there).
    Entities whose text cannot be parsed are left without fields. The component holds no
    state beyond its label, so it needs no serialisation of its own.
    """

    def __init__(
        self, nlp: Language, name: str = "vnpolicy_directives", *, label: str = DIRECTIVE_LABEL
    ) -> None:
        """Create the component.

        Args:
            nlp: the pipeline it belongs to.
            name: the component's name in the pipeline.
            label: the entity label of document references.
        """
        ensure_extensions()
        self.name = name
        self.label = label

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc._.ent_attrs`` for the DIRECTIVE entities of ``doc``.

        Args:
            doc: a Doc with entities.

        Returns:
            The same Doc.
        """
        attrs = doc._.ent_attrs
        if attrs is None:
            attrs = {}
            doc._.ent_attrs = attrs
        for ent in doc.ents:
            if ent.label_ != self.label:
                continue
            fields = parse_directive(ent.text)
            if fields is None:
                continue
            key = ent_key(ent.start_char, ent.end_char)
            attrs[key] = {**attrs.get(key, {}), **fields}
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Apply the component to a stream of Docs.

        Args:
            stream: the Docs.
            batch_size: unused; accepted for the spaCy pipe protocol.

        Yields:
            Each Doc with its ``ent_attrs`` set.
        """
        for doc in stream:
            yield self(doc)


@Language.factory(
    "vnpolicy_directives",
    default_config={"label": DIRECTIVE_LABEL},
    assigns=["doc._.ent_attrs"],
    requires=["doc.ents"],
)
def make_directive_normalizer(nlp: Language, name: str, label: str) -> DirectiveNormalizer:
    """Create the ``vnpolicy_directives`` component (spaCy factory).

    Args:
        nlp: the pipeline.
        name: the component's name.
        label: the entity label of document references (``DIRECTIVE``).

    Returns:
        A :class:`DirectiveNormalizer`.
    """
    return DirectiveNormalizer(nlp, name, label=label)
