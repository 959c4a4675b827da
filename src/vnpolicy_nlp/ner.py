"""Stage 3: Doc → ``doc.ents``.

Two sources of entities: spaCy's trainable ``ner`` component (configured in ``configs/``),
and the pattern tagger here, which is the bootstrapping model and the pre-annotator for
Label Studio. The pattern component can run alone, or after a trained NER in ``fill`` mode,
where it only adds spans in text the NER left untagged.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from .normalize import DIRECTIVE_LABEL, is_document_reference
from .patterns import find_abbreviations, find_entities, find_relations, lexicon, lexicon_rows
from .records import split_tokens_at
from .relations import ensure_extensions, ent_key

PATTERN_COMPONENT = "vnpolicy_patterns"


class PatternTagger:
    """Tag entities (and optionally relations) with the rules of :mod:`vnpolicy_nlp.patterns`.

    Args:
        mode: ``"replace"`` sets ``doc.ents`` from the rules alone; ``"fill"`` keeps the
            entities already on the Doc and adds rule spans that overlap none of them;
            ``"off"`` adds no rule span (a trained pipeline whose dev score says rules don't
            help). In every mode but ``replace``, existing entities are cleaned (edges trimmed,
            no line breaks, not-entity words dropped) and defined abbreviations are tagged.
        relations: also set ``doc._.relations`` from the form rules.
        labels: in ``fill`` mode, the labels the rules may add (None: all; ``[]``: none).
        override: in ``fill`` mode, labels whose rule spans replace the entities they overlap.
    """

    def __init__(self, mode: str = "replace", relations: bool = True, labels: list[str] | None = None,
                 override: list[str] | None = None):
        self.mode = mode
        self.relations = relations
        self.only_labels = set(labels) if labels is not None else None
        self.override = set(override or ())
        ensure_extensions()

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "replace" and doc.ents:
            doc.ents = clean_spans(doc)
            doc = _add_abbreviations(doc)
        if self.mode == "off":
            return doc
        found = find_entities(doc.text)
        kept = list(doc.ents) if self.mode == "fill" else []
        winners = [e for e in found if e[2] in self.override]
        kept = [k for k in kept if all(k.end_char <= s or k.start_char >= t for s, t, _ in winners)]
        fill = [e for e in found if e[2] not in self.override and (self.only_labels is None or e[2] in self.only_labels)]
        taken = [(e.start_char, e.end_char) for e in kept] + [(s, t) for s, t, _ in winners]
        new = winners + [e for e in fill if all(e[1] <= s or e[0] >= t for s, t in taken)]
        if any(doc.char_span(s, e) is None for s, e, _ in new):
            keep_offsets = [(e.start_char, e.end_char, e.label_) for e in kept]
            doc = split_tokens_at(doc, {o for s, e, _ in new for o in (s, e)})
            kept = [doc.char_span(s, e, label=lab) for s, e, lab in keep_offsets]
        spans = kept + [doc.char_span(s, e, label=lab) for s, e, lab in new]
        doc.ents = sorted((s for s in spans if s is not None), key=lambda s: s.start)
        if self.relations:
            ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            doc._.relations = [
                {"head": ents[h][:2], "tail": ents[t][:2], "label": label, "score": 0.5}
                for h, t, label in find_relations(doc.text, ents)
            ]
        return doc

    def to_disk(self, path, *, exclude=tuple()):
        """Nothing to write: the rules live in the package's lexicons; settings are in the config."""

    def from_disk(self, path, *, exclude=tuple()):
        """Nothing to read (see :meth:`to_disk`)."""
        return self


@Language.factory(
    PATTERN_COMPONENT,
    default_config={"mode": "replace", "relations": True, "labels": None, "override": None},
)
def make_pattern_tagger(nlp: Language, name: str, mode: str, relations: bool, labels: list[str] | None,
                        override: list[str] | None):
    """Registered factory of :class:`PatternTagger`."""
    return PatternTagger(mode=mode, relations=relations, labels=labels, override=override)


@lru_cache(maxsize=1)
def _not_entities() -> frozenset[str]:
    return frozenset(lexicon("not_entities"))


def _add_abbreviations(doc: Doc) -> Doc:
    """Tag abbreviations an entity defines, ``Tổ chức Cứu trợ Trẻ em (SC)``: the bracketed
    acronym, and its other mentions in the document, get the entity's label."""
    ents = list(doc.ents)
    found = find_abbreviations(doc.text, [(e.start_char, e.end_char, e.label_) for e in ents])
    if not found:
        return doc
    if any(doc.char_span(s, e) is None for s, e, _ in found):
        keep = [(e.start_char, e.end_char, e.label_) for e in ents]
        doc = split_tokens_at(doc, {o for s, e, _ in found for o in (s, e)})
        ents = [doc.char_span(s, e, label=lab) for s, e, lab in keep]
    doc.ents = sorted(ents + [doc.char_span(s, e, label=lab) for s, e, lab in found], key=lambda s: s.start)
    return doc


@lru_cache(maxsize=1)
def _span_prefixes() -> dict[str, frozenset[str]]:
    by_label: dict[str, set[str]] = {}
    for label, word in lexicon_rows("span_prefixes"):
        by_label.setdefault(label, set()).add(word.casefold())
    return {label: frozenset(words) for label, words in by_label.items()}


_EDGE = set(" \t\n\r,.;:!?\"“”‘’'()[]-–")


def clean_spans(doc: Doc) -> list[Span]:
    """The Doc's entities as the spec bounds them, for a statistical NER's output.

    Trimmed from the edges: white space, punctuation, and the opening words the spec leaves out
    (``lexicons/span_prefixes.tsv``: honorifics and degrees before a name, ``nguyên``/``cựu``/
    ``tân`` before a title). Dropped: spans that cross a line break, spans that are only a word
    of ``lexicons/not_entities.txt``, and DIRECTIVEs without the spec's form (a document type
    with a number, or a code: :func:`~vnpolicy_nlp.normalize.is_document_reference`)."""
    out = []
    prefixes = _span_prefixes()
    for ent in doc.ents:
        start, end = ent.start, ent.end
        while start < end and (doc[start].is_space or doc[start].text in _EDGE
                               or doc[start].text.casefold() in prefixes.get(ent.label_, ())):
            start += 1
        while end > start and (doc[end - 1].is_space or doc[end - 1].text in _EDGE):
            end -= 1
        text = doc[start:end].text
        if start == end or "\n" in text or text in _not_entities():
            continue
        if ent.label_ == DIRECTIVE_LABEL and not is_document_reference(text):
            continue
        out.append(Span(doc, start, end, label=ent.label_))
    return out


def entity_confidence(nlp: Language, doc: Doc, beam_width: int = 16, default: float = 0.5) -> dict[str, float]:
    """Confidence of each entity of a processed Doc, from a beam search of the trained NER.

    The probability of an entity is the total probability of the beam parses that contain it.
    Entities the NER's beam never proposes (added by the pattern rules) get ``default``; a
    pipeline without a trained NER gives ``{}``.

    Args:
        nlp: the pipeline that processed ``doc``.
        doc: the processed Doc.
        beam_width: the number of parses kept by the beam search.
        default: the confidence of entities the NER did not propose.

    Returns:
        ``{ent_key(start, end): probability}`` for every entity of ``doc``.
    """
    if "ner" not in nlp.pipe_names:
        return {}
    probe = nlp.make_doc(doc.text)
    for name, proc in nlp.pipeline:
        if name == "ner":
            break
        probe = proc(probe)
    ner = nlp.get_pipe("ner")
    beam = ner.beam_parse([probe], beam_width=beam_width, beam_density=0.0001)[0]
    probs: dict[tuple[int, int, str], float] = {}
    for prob, parse in ner.moves.get_beam_parses(beam):
        for start, end, label in parse:
            if end > start:
                key = (probe[start].idx, probe[end - 1].idx + len(probe[end - 1]), label)
                probs[key] = probs.get(key, 0.0) + prob
    return {
        ent_key(e.start_char, e.end_char): round(min(1.0, probs.get((e.start_char, e.end_char, e.label_), default)), 4)
        for e in doc.ents
    }


def create_mention_swap_augmenter(level: float = 0.0, swap: float = 0.5, labels: list[str] | None = None):
    """spaCy augmenter (``vnpolicy.mention_swap.v1``): mention replacement for NER training.

    Every training example is kept; with probability ``level`` a copy is added in which each
    entity (of ``labels``, default all) is, with probability ``swap``, replaced by the words of
    another mention of the same label seen in the training data (no copy if none was replaced),
    so the NER learns the context of a label and not only the names it saw (Dai & Adel 2020,
    mention replacement). The replacement pool fills as the corpus is read, so the first epoch
    swaps among fewer mentions. Draws come from ``random``, which spaCy seeds from
    ``training.seed``.
    """
    import random
    from collections import defaultdict

    from spacy.training import Example

    pool: dict[str, list[tuple]] = defaultdict(list)
    seen: set[tuple] = set()

    def augment(nlp: Language, example: Example):
        yield example
        ref = example.reference
        ents = list(ref.ents)
        for ent in ents:
            mention = (ent.label_, tuple(t.text for t in ent), tuple(bool(t.whitespace_) for t in ent))
            if mention not in seen:
                seen.add(mention)
                pool[ent.label_].append(mention[1:])
        if level <= 0 or not ents or random.random() >= level:
            return
        words, spaces, tags, cursor, swapped = [], [], [], 0, False
        for ent in ents + [None]:
            outside = ref[cursor:ent.start if ent is not None else len(ref)]
            words += [t.text for t in outside]
            spaces += [bool(t.whitespace_) for t in outside]
            tags += ["O"] * len(outside)
            if ent is None:
                break
            mine = tuple(t.text for t in ent)
            others = [m for m in pool[ent.label_] if m[0] != mine] if labels is None or ent.label_ in labels else []
            if others and random.random() < swap:
                new_words, new_spaces = random.choice(others)
                new_spaces = list(new_spaces[:-1]) + [bool(ent[-1].whitespace_)]
                swapped = True
            else:
                new_words, new_spaces = mine, [bool(t.whitespace_) for t in ent]
            words += new_words
            spaces += new_spaces
            tags += [f"B-{ent.label_}"] + [f"I-{ent.label_}"] * (len(new_words) - 1)
            cursor = ent.end
        if not swapped:
            return
        reference = Doc(nlp.vocab, words=words, spaces=spaces, ents=tags)
        yield Example(Doc(nlp.vocab, words=words, spaces=spaces), reference)

    return augment
