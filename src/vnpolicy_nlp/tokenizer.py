"""Stage 2: text → Doc, with underthesea word segmentation mapped back to the exact input.

``underthesea.word_tokenize`` rewrites what it reads (NFD → NFC, ``Thuỵ`` → ``Thụy``,
spacing) and cuts document codes into pieces. This tokenizer keeps ``doc.text == text`` for
every input: each word underthesea returns is aligned to the input by its base letters
(diacritics ignored), so a word's span is always a slice of the input. Codes, dates and
abbreviations such as ``1079/QĐ-TTg``, ``14/9/2022`` and ``TT&TT`` are kept as one token.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import srsly
import spacy
from spacy.attrs import PREFIX, SUFFIX
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

TOKENIZER_NAME = "vnpolicy.UnderTheSeaTokenizer.v1"

#: Spans that must be one token: document codes, dates, abbreviations with ``&``.
#: Kept here and not in normalize.py's pattern so the tokenizer's behaviour is versioned
#: with the tokenizer's registered name.
PROTECTED = re.compile(
    r"(?<![\w/])(?:"
    r"\d+(?:/\d{4})?[/-][A-ZĐÐa-zđ][\wĐđÐ&]*(?:[-/][A-ZĐÐ][\wĐđÐ&]*)*"  # 1079/QĐ-TTg, 57-KL/TW, 22/2024/TT-BYT
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"  # 14/9/2022, 27/11
    r"|\d{1,2}-\d{1,2}-\d{4}"  # 7-8-2023
    r"|\d{4}\s?-\s?\d{4}"  # 2023-2028
    r"|[A-ZĐ]+(?:&[A-ZĐ]+)+"  # TT&TT
    r")(?![\w])"
)
#: Characters of text whose segmentation is remembered (most recent first): spaCy's training
#: corpus re-tokenises every document every epoch, and underthesea is most of that cost. Bounded
#: by characters, not texts, so a long predict run over big articles holds tens of MB at most.
CACHE_CHARS = 2_000_000
_SENT_END = {".", "!", "?", "…", "..."}
_OPENERS = "\"“‘'([«"


def _base_chars(text: str) -> list[tuple[str, int]]:
    """Base letters of ``text`` (combining marks dropped, case folded) with their offsets."""
    out = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFD", ch):
            if not unicodedata.combining(c):
                out.append((c.lower(), i))
    return out


def align_words(text: str, words: list[str]) -> list[tuple[int, int]] | None:
    """Find each word of ``words`` in ``text``, in order, ignoring diacritics and spacing.

    Args:
        text: the exact input.
        words: the words a segmenter returned for it, possibly normalised.

    Returns:
        One ``(start, end)`` character span of ``text`` per word, or None where the words
        cannot be matched to the text (the caller then falls back to a simpler split).
    """
    fast = _align_exact(text, words)
    if fast is not None:
        return fast
    base = _base_chars(text)
    pos, spans = 0, []
    for word in words:
        start = end = None
        for c in unicodedata.normalize("NFD", word):
            if unicodedata.combining(c) or c.isspace():
                continue
            while pos < len(base) and base[pos][0].isspace():
                pos += 1
            if pos >= len(base) or base[pos][0] != c.lower():
                return None
            if start is None:
                start = base[pos][1]
            end = base[pos][1] + 1
            pos += 1
        if start is None:
            continue
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        spans.append((start, end))
    return spans


def _align_exact(text: str, words: list[str]) -> list[tuple[int, int]] | None:
    """The common case: every word is found verbatim, only white space between them."""
    pos, spans, n = 0, [], len(text)
    for word in words:
        while pos < n and text[pos].isspace():
            pos += 1
        if not text.startswith(word, pos):
            return None
        spans.append((pos, pos + len(word)))
        pos += len(word)
    return spans


_SIMPLE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def _simple_spans(text: str, offset: int) -> list[tuple[int, int]]:
    return [(m.start() + offset, m.end() + offset) for m in _SIMPLE.finditer(text)]


def _syllable_cuts(word: str) -> list[int]:
    """Offsets inside a segmenter word where a name boundary is plain from the letters' case.

    The segmenter sometimes joins a title and a name (``Đại sứ Mai``), an acronym and a common
    word (``HĐNQ nhiệm kỳ``) or a doubled word (``Ban Ban``); entity boundaries fall there.
    """
    sylls = [(m.start(), m.group()) for m in re.finditer(r"\S+", word)]
    cuts = []
    for (_, a), (start, b) in zip(sylls, sylls[1:]):
        lower_then_upper = a[0].islower() and b[0].isupper()
        acronym_then_lower = len(a) > 1 and a.isupper() and b[0].islower()
        if lower_then_upper or acronym_then_lower or a == b:
            cuts.append(start)
    return cuts


def _split_words(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        prev = s
        for cut in _syllable_cuts(text[s:e]):
            piece_end = s + cut
            while piece_end > prev and text[piece_end - 1].isspace():
                piece_end -= 1
            out.append((prev, piece_end))
            prev = s + cut
        out.append((prev, e))
    return out


def _merge_protected(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Make every protected match one token, cutting the words that cross its edges."""
    protected = [(m.start(), m.end()) for m in PROTECTED.finditer(text)]
    if not protected:
        return spans
    out: list[tuple[int, int]] = []
    for start, end in spans:
        pieces = [(start, end)]
        for ps, pe in protected:
            if pe <= start or ps >= end:
                continue
            nxt = []
            for s, e in pieces:
                if s < ps:
                    nxt.append((s, min(e, ps)))
                if e > pe:
                    nxt.append((max(s, pe), e))
            pieces = nxt
        out.extend(pieces)
    out.extend(protected)
    out = sorted(set(out))
    # strip whitespace left at piece edges by the cuts
    clean = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            clean.append((s, e))
    return clean


class UnderTheSeaTokenizer:
    """A spaCy tokenizer over ``underthesea.word_tokenize`` that never changes the text.

    Words may contain spaces (``Thủ tướng``), as in spaCy's own Vietnamese tokenizer.
    Sentence starts are set on the Doc. The object is serialisable with the usual
    ``to_disk``/``from_disk``/``to_bytes``/``from_bytes``.
    """

    def __init__(self, vocab: Vocab, max_line_chars: int = 20000, syllable_affixes: bool = False,
                 pos_tags: bool = False):
        self.vocab = vocab
        self.max_line_chars = max_line_chars
        self.syllable_affixes = syllable_affixes
        self.pos_tags = pos_tags
        self.fallbacks = 0
        self._cache: OrderedDict[str, tuple] = OrderedDict()
        self._cached_chars = 0
        if syllable_affixes:
            vocab.lex_attr_getters[PREFIX] = first_syllable
            vocab.lex_attr_getters[SUFFIX] = last_syllable

    def word_spans(self, text: str) -> list[tuple[int, int]]:
        """Return the character spans of the words of ``text`` (whitespace excluded)."""
        return list(self._segment(text)[0])

    def _segment(self, text: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, str], ...]]:
        """The word spans, and the segmenter's ``(start, POS tag)`` per segmenter word when
        ``pos_tags`` is on (else empty)."""
        if text in self._cache:
            self._cache.move_to_end(text)
            return self._cache[text]
        spans, tagged = self._segment_uncached(text)
        result = self._cache[text] = (tuple(spans), tuple(tagged))
        self._cached_chars += len(text)
        while self._cached_chars > CACHE_CHARS:
            old, _ = self._cache.popitem(last=False)
            self._cached_chars -= len(old)
        return result

    def _segment_uncached(self, text: str) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
        from underthesea import pos_tag, word_tokenize

        spans: list[tuple[int, int]] = []
        tagged: list[tuple[int, str]] = []
        for m in re.finditer(r"[^\n]+", text):
            line, offset = m.group(), m.start()
            if not line.strip():
                continue
            aligned, tags = None, None
            if len(line) <= self.max_line_chars:
                try:
                    if self.pos_tags:
                        pairs = pos_tag(line)
                        words, tags = [w for w, _ in pairs], [t for _, t in pairs]
                    else:
                        words = word_tokenize(line)
                except Exception:  # underthesea fails on some odd input; never lose the text
                    words = None
                if words is not None:
                    aligned = align_words(line, words)
            if aligned is None:
                self.fallbacks += 1
                spans.extend(_simple_spans(line, offset))
            else:
                spans.extend((s + offset, e + offset) for s, e in aligned)
                if tags:
                    tagged.extend((s + offset, t) for (s, _), t in zip(aligned, tags))
        spans = _merge_protected(text, _split_words(text, spans))
        return _fill_uncovered(text, spans), tagged

    def __call__(self, text: str) -> Doc:
        spans, tagged = self._segment(text)
        words, spaces = [], []
        cursor = 0
        for start, end in spans:
            gap = text[cursor:start]
            if gap:
                if words and gap.startswith(" ") and not spaces[-1]:
                    spaces[-1] = True
                    gap = gap[1:]
                if gap:
                    words.append(gap)
                    spaces.append(False)
            words.append(text[start:end])
            spaces.append(False)
            cursor = end
        tail = text[cursor:]
        if tail:
            if words and tail.startswith(" "):
                spaces[-1] = True
                tail = tail[1:]
            if tail:
                words.append(tail)
                spaces.append(False)
        tags = _word_tags(words, spaces, tagged) if self.pos_tags else None
        return Doc(self.vocab, words=words, spaces=spaces, tags=tags, sent_starts=sentence_starts(words, spaces))

    def pipe(self, texts, batch_size: int = 1000):
        """Tokenize a stream of texts."""
        for text in texts:
            yield self(text)

    def _cfg(self) -> dict:
        return {"max_line_chars": self.max_line_chars, "syllable_affixes": self.syllable_affixes,
                "pos_tags": self.pos_tags, "name": TOKENIZER_NAME}

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        """Serialise the settings."""
        return srsly.msgpack_dumps(self._cfg())

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "UnderTheSeaTokenizer":
        """Load settings written by :meth:`to_bytes`."""
        self.max_line_chars = srsly.msgpack_loads(data)["max_line_chars"]
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        """Write the settings to ``path`` (a folder)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", self._cfg())

    def from_disk(self, path, *, exclude=tuple()) -> "UnderTheSeaTokenizer":
        """Read the settings from ``path``."""
        cfg = srsly.read_json(Path(path) / "cfg.json")
        self.max_line_chars = cfg["max_line_chars"]
        return self


def _word_tags(words: list[str], spaces: list[bool], tagged: Sequence[tuple[int, str]]) -> list[str]:
    """Give each token the POS tag of the segmenter word it starts in (``_SP`` for white space,
    ``X`` where the segmenter gave none, e.g. after a fallback split)."""
    starts = [s for s, _ in tagged]
    tags, pos = [], 0
    for word, space in zip(words, spaces):
        i = bisect.bisect_right(starts, pos) - 1
        if word.isspace():
            tags.append("_SP")
        else:
            tags.append(tagged[i][1] if i >= 0 else "X")
        pos += len(word) + int(space)
    return tags


def _fill_uncovered(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Add a token for any non-space character no word covers (e.g. dropped by the segmenter)."""
    out, cursor = [], 0
    for s, e in spans:
        if s < cursor:  # overlapping spans cannot happen after alignment; keep order safe
            s = cursor
            if s >= e:
                continue
        if s > cursor:
            out.extend(_simple_spans(text[cursor:s], cursor))
        out.append((s, e))
        cursor = e
    out.extend(_simple_spans(text[cursor:], cursor))
    return out


def sentence_starts(words: list[str], spaces: list[bool]) -> list[bool]:
    """Sentence starts: the first word, a word after a line break, and a word after . ! ? …
    that begins with a capital, a digit or an opening quote. White-space tokens never start one.
    """
    starts, after_end, after_break = [], True, True
    for word in words:
        if word.isspace():
            starts.append(not starts)
            after_break = after_break or "\n" in word
            continue
        first = word[0]
        starts.append(after_break or (after_end and (first.isupper() or first.isdigit() or first in _OPENERS)))
        after_end, after_break = word in _SENT_END, False
    return starts


def first_syllable(word: str) -> str:
    """The lower-cased first syllable of a (possibly multi-syllable) word: ``Trưởng ban`` → ``trưởng``."""
    return word.split(" ", 1)[0].lower()


def last_syllable(word: str) -> str:
    """The lower-cased last syllable of a word: ``Chỉ đạo`` → ``đạo``."""
    return word.rsplit(" ", 1)[-1].lower()


@spacy.registry.tokenizers(TOKENIZER_NAME)
def create_tokenizer(max_line_chars: int = 20000, syllable_affixes: bool = False, pos_tags: bool = False):
    """Registered factory: ``[nlp.tokenizer] @tokenizers = "vnpolicy.UnderTheSeaTokenizer.v1"``.

    With ``syllable_affixes``, the lexical PREFIX and SUFFIX features that spaCy's embeddings
    read become a word's first and last syllable instead of its first character and last three
    characters: a Vietnamese compound's syllables (``Trưởng ban``, ``Phó Chủ tịch``) carry what
    its characters do not. With ``pos_tags``, underthesea's part-of-speech tagger segments the
    text (same words as ``word_tokenize``) and each token gets its tag (``token.tag_``), a
    feature the embeddings can read (``TAG``). Both off by default, so models trained without
    them load unchanged.
    """

    def make(nlp: Language) -> UnderTheSeaTokenizer:
        return UnderTheSeaTokenizer(nlp.vocab, max_line_chars=max_line_chars, syllable_affixes=syllable_affixes,
                                    pos_tags=pos_tags)

    return make


def make_nlp() -> Language:
    """Return a blank Vietnamese pipeline that uses this tokenizer."""
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
