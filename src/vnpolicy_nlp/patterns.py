"""Pattern rules for bootstrapping: lexicons and regexes for the 7 labels, and the relations
that follow from form.

The lexicons are data files in ``lexicons/``; this module only says how they combine. The rules
work on character offsets of the exact input, so they never depend on how words were segmented.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_LETTERS = [chr(c) for c in range(0x41, 0x1EFF + 1) if chr(c).isalpha() and chr(c).isascii() or 0xC0 <= c and chr(c).isalpha()]
_UPPER = "".join(c for c in _LETTERS if c.isupper())
_LOWER = "".join(c for c in _LETTERS if c.islower())
CAP = rf"[{_UPPER}][{_LOWER}{_UPPER}]*"  # a capitalised syllable
LOW = rf"[{_LOWER}]+"
CODE_PART = rf"[{_UPPER}][{_UPPER}0-9&][{_UPPER}{_LOWER}0-9&]*|[{_UPPER}](?![{_LOWER}])"
SYL = rf"[{_LOWER}{_UPPER}0-9]+"


@lru_cache(maxsize=None)
def lexicon(name: str) -> tuple[str, ...]:
    """Read ``lexicons/<name>.txt``: one entry per line, ``#`` comments and blank lines skipped."""
    text = resources.files("vnpolicy_nlp").joinpath("lexicons", f"{name}.txt").read_text("utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def directive_type_names() -> tuple[str, ...]:
    """Document-type words (``Quyết định``, ``Kết luận``…) from the normaliser's table."""
    rows = lexicon_rows("directive_types")
    return tuple(row[1] for row in rows if len(row) > 1)


@lru_cache(maxsize=None)
def lexicon_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """Read ``lexicons/<name>.tsv`` as tab-separated rows (``#`` comments skipped)."""
    text = resources.files("vnpolicy_nlp").joinpath("lexicons", f"{name}.tsv").read_text("utf-8")
    return tuple(
        tuple(c.strip() for c in line.split("\t"))
        for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _alt(words) -> str:
    """Regex alternation of ``words``, longest first, with flexible inner spacing."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


def _cap_first(words) -> list[str]:
    out = []
    for w in words:
        out += [w, w[0].upper() + w[1:], w[0].lower() + w[1:]]
    return out


@lru_cache(maxsize=None)
def compiled() -> dict[str, re.Pattern]:
    """Build the regexes from the lexicons (cached)."""
    affixes = [line.split("\t") for line in lexicon("rank_affixes")]
    prefixes = [w for kind, w in affixes if kind == "prefix"]
    qualifiers = [w for kind, w in affixes if kind == "qualifier"]
    ranks = _alt(_cap_first(lexicon("ranks")))
    rank = rf"(?:(?:{_alt(prefixes)})\s+)*(?:{ranks})(?:\s+(?:{_alt(qualifiers)}))?"
    heads = _alt(lexicon("agency_heads"))
    conn = _alt(lexicon("agency_connectors"))
    surnames = _alt(lexicon("surnames"))
    not_person = rf"(?!(?:{surnames})\s+{CAP})"
    word = rf"{not_person}{CAP}(?:\s+{LOW}(?=\s|[,.;:)”\"]|$))?"  # a capitalised syllable and its compound's tail
    name_tail = rf"(?:\s+(?:{word}|[{_UPPER}&\-]+(?![{_LOWER}])|\d+)(?:\s*-\s*{CAP})?|\s+(?:{conn})(?=\s+{CAP}))*"
    admin = _alt(lexicon("location_admin"))
    place = rf"(?:{admin})\s+{CAP}(?:\s+{not_person}{CAP})*"
    agency = rf"(?:{heads})(?:\s+{word}|\s+[{_UPPER}][{_UPPER}&]+)(?:{name_tail})(?:\s+(?:{place}))?|(?:{_alt(lexicon('agency_standalone'))})(?:\s+(?:{place}))?"
    events = _alt(_cap_first(lexicon("event_heads")))
    stops = _alt(lexicon("event_stops"))
    date_leads = _alt(lexicon("date_leads"))
    weekday = r"(?:Thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|Chủ\s+nhật),\s+"
    dmy = r"\d{1,2}/\d{1,2}(?:/\d{4})?|\d{1,2}-\d{1,2}-\d{4}"
    date = (
        rf"(?:{weekday})?(?:(?:{date_leads})\s+)?(?:{dmy})(?![\d/])"
        rf"|(?:[Nn]ăm|[Gg]iai\s+đoạn|[Nn]hiệm\s+kỳ)\s+\d{{4}}(?:\s*[-–]\s*\d{{4}})?(?!\d)"
        rf"|[Tt]háng\s+\d{{1,2}}(?:[/-]\d{{4}}|\s+năm\s+\d{{4}})?(?!\d)"
        rf"|[Qq]uý\s+[IV]+(?:[/-]\d{{4}})?"
    )
    code = rf"\d+(?:/\d{{4}})?[/-](?:{CODE_PART})(?:[-/ ](?:{CODE_PART}))*"
    dtypes = _alt(_cap_first(directive_type_names()))
    directive = rf"(?:(?:{dtypes})\s+(?:số\s+)?(?:{code}|\d+(?![\d/])))|(?<![\w/]){code}"
    person = rf"(?:{surnames})(?:\s+{CAP}){{1,3}}"
    honorific = r"(?:[Ôô]ng|[Bb]à|[Đđ]ồng\s+chí|[Aa]nh|[Cc]hị)"
    regexes = {
        "DIRECTIVE": directive,
        "DATE": date,
        "RANK": rf"(?<![\w]){rank}(?![\w])",
        "AGENCY": rf"(?<![\w]){agency}(?![\w])",
        "EVENT": rf"(?<![\w])(?:{events})(?:\s+(?!(?:{stops})(?!\w))(?:{SYL}))*",
        "LOCATION": rf"(?<![\w])(?:{place}|{_alt(lexicon('locations'))})(?![\w])",
        "OFFICIAL": rf"(?<![\w]){person}(?![\w])",
        "HONORIFIC_NAME": rf"(?<![\w]){honorific}\s+({CAP}(?:\s+{CAP}){{0,3}})(?![\w])",
        "EVENT_HEAD": rf"^(?:{events})",
    }
    # spans never cross a line break: every \s of the rules means a space within the line
    return {k: re.compile(v.replace("\\s", "[^\\S\\n]")) for k, v in regexes.items()}


#: Order decides which label wins where two rules claim overlapping text.
PRIORITY = ("DIRECTIVE", "DATE", "RANK", "EVENT", "AGENCY", "LOCATION", "OFFICIAL")
_TRIM = " \t\n,.;:!?\"'“”‘’()[]-–"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return start, end


def _event_spans(text: str, pattern: re.Pattern, head: re.Pattern) -> list[tuple[int, int]]:
    out = []
    for m in pattern.finditer(text):
        start, end = m.span()
        words = m.group().split()
        capital = m.group()[0].isupper()
        if len(words) > 16:  # a theme that runs on: keep the first 16 syllables
            end = start + len(" ".join(words[:16]))
        bare = head.fullmatch(m.group()) is not None
        if not capital and (bare or len(words) < 3):
            continue  # lower-case generic mention
        out.append((start, end))
    return out


def find_entities(text: str) -> list[tuple[int, int, str]]:
    """Tag ``text`` with the pattern rules.

    Args:
        text: the exact input.

    Returns:
        Non-overlapping ``(start, end, label)`` spans in text order.
    """
    pats = compiled()
    candidates: list[tuple[int, int, str]] = []
    for label in PRIORITY:
        if label == "EVENT":
            spans = _event_spans(text, pats["EVENT"], pats["EVENT_HEAD"])
        else:
            spans = [m.span() for m in pats[label].finditer(text)]
        for s, e in spans:
            s, e = _trim(text, s, e)
            if s < e:
                candidates.append((s, e, label))
    for m in pats["HONORIFIC_NAME"].finditer(text):
        s, e = m.span(1)
        if text[s:e].split()[0] not in {"Bộ", "Ban", "Cục", "Sở"}:
            candidates.append((s, e, "OFFICIAL"))
    rank_order = {label: i for i, label in enumerate(PRIORITY)}
    # the longest claim wins (a date inside an event name belongs to the event), then priority
    candidates.sort(key=lambda c: (-(c[1] - c[0]), rank_order[c[2]], c[0]))
    taken: list[tuple[int, int, str]] = []
    occupied = [False] * (len(text) + 1)
    for s, e, label in candidates:
        if any(occupied[s:e]):
            continue
        for i in range(s, e):
            occupied[i] = True
        taken.append((s, e, label))
    return sorted(taken + find_abbreviations(text, taken))


_ABBREV = re.compile(r"\s*\(([A-ZĐ][A-ZĐa-z0-9&]{1,9})\)")


def find_abbreviations(text: str, ents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Acronyms defined in brackets right after an AGENCY or EVENT, and their later mentions.

    Args:
        text: the document.
        ents: its entities, ``(start, end, label)``.

    Returns:
        New ``(start, end, label)`` spans that overlap none of ``ents``.
    """
    taken = [(s, e) for s, e, _ in ents]
    free = lambda s, e: all(e <= a or s >= b for a, b in taken)  # noqa: E731
    defined: dict[str, str] = {}
    out = []
    for s, e, label in ents:
        if label not in ("AGENCY", "EVENT"):
            continue
        m = _ABBREV.match(text, e)
        if m and sum(c.isupper() for c in m.group(1)) >= 2 and free(*m.span(1)):
            defined[m.group(1)] = "AGENCY"
            out.append((m.start(1), m.end(1), "AGENCY"))
            taken.append(m.span(1))
    for abbr, label in defined.items():
        for m in re.finditer(rf"(?<![\w]){re.escape(abbr)}(?![\w])", text):
            if free(*m.span()):
                out.append((m.start(), m.end(), label))
                taken.append(m.span())
    return sorted(out)


_COMMA_GAP = re.compile(r"^\s*,?\s*$")


def find_relations(text: str, ents: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Relations that follow from form, as ``(head index, tail index, label)`` into ``ents``.

    Rules: a name right after a title (or a title after a name and a comma) → ``HAS_RANK``;
    a title followed by its agency → ``POSITION_IN``; an agency, comma, agency after a title
    → ``PART_OF``; a directive followed by ``ngày`` + date → ``ISSUED_ON``; ``của`` + issuer →
    ``ISSUED_BY``; an event followed by ``của``/``do`` + agency → ``ORGANIZED_BY``, by
    ``tại`` + place → ``HELD_IN``.
    """
    rels = []
    for i in range(len(ents) - 1):
        s1, e1, l1 = ents[i]
        s2, e2, l2 = ents[i + 1]
        gap = text[e1:s2]
        bare = gap.strip() == ""
        comma = _COMMA_GAP.match(gap) is not None
        low = gap.strip().lower()
        if l1 == "RANK" and l2 == "OFFICIAL" and bare:
            rels.append((i + 1, i, "HAS_RANK"))
        elif l1 == "OFFICIAL" and l2 == "RANK" and comma:
            rels.append((i, i + 1, "HAS_RANK"))
        elif l1 == "RANK" and l2 == "AGENCY" and bare:
            rels.append((i, i + 1, "POSITION_IN"))
        elif l1 == "AGENCY" and l2 == "AGENCY" and comma and i > 0 and ents[i - 1][2] == "RANK":
            rels.append((i, i + 1, "PART_OF"))
        elif l1 == "DIRECTIVE" and l2 == "DATE" and (comma or low == "ban hành") and text[s2:e2].lower().startswith("ngày"):
            rels.append((i, i + 1, "ISSUED_ON"))
        elif l1 == "DIRECTIVE" and l2 in ("AGENCY", "RANK", "OFFICIAL") and low == "của":
            rels.append((i, i + 1, "ISSUED_BY"))
        elif l1 == "EVENT" and l2 == "AGENCY" and low in ("của", "do"):
            rels.append((i, i + 1, "ORGANIZED_BY"))
        elif l1 == "EVENT" and l2 == "LOCATION" and low == "tại":
            rels.append((i, i + 1, "HELD_IN"))
        elif l1 == "EVENT" and l2 == "DATE" and low in ("", ",", "vào", "diễn ra vào"):
            rels.append((i, i + 1, "HELD_ON"))
    # a directive's date after its issuer: "Quyết định X của Thủ tướng Chính phủ ngày 14/9/2022"
    for i, (s, e, label) in enumerate(ents):
        if label != "DIRECTIVE":
            continue
        j = i + 1
        while j < len(ents) and ents[j][2] in ("AGENCY", "RANK", "OFFICIAL") and text[ents[j - 1][1]:ents[j][0]].strip() in ("", "của", ","):
            j += 1
        if j > i + 1 and j < len(ents) and ents[j][2] == "DATE" and text[ents[j - 1][1]:ents[j][0]].strip() in ("", ",") and text[ents[j][0]:ents[j][1]].lower().startswith("ngày"):
            rels.append((i, j, "ISSUED_ON"))
    return rels
