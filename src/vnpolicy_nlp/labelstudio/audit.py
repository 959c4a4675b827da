"""Annotation audit: leads for a human review pass over an annotation set (nothing is changed).

Three kinds of findings, each with the document id and the span:

- *inconsistent*: a string annotated as a span somewhere in the set that occurs elsewhere in the
  set with no span, another label, or a span crossing it (occurrences inside a longer span are
  fine: spans are flat);
- *spec*: a span whose form ``annotation-spec.md`` rules out (a term ``khóa …`` inside an AGENCY, ``nguyên``/``cựu`` inside a RANK, an honorific inside an OFFICIAL, a bare lower-case
  event word, a DIRECTIVE without a number, an edge of space or punctuation …);
- *model*: where a model that did not learn the document (out-of-fold predictions of
  ``scripts/cv_train.py --predictions``) disagrees with its annotation, span or relation.

A reviewer decides each case against the spec: findings are leads, not errors.
"""

from __future__ import annotations

import re
from collections import defaultdict

SPEC_RULES = [
    ("AGENCY", re.compile(r"\bkhóa\s+[IVXLC\d]+|^(các|những)\s", re.I), "term or generic plural inside an AGENCY"),
    ("AGENCY", re.compile(r"^(Đảng|Nhà nước|Đảng, Nhà nước)$"), "abstract Đảng / Nhà nước is not annotated"),
    ("AGENCY", re.compile(r"^trụ sở\b", re.I), "`trụ sở` + organisation is a LOCATION"),
    ("RANK", re.compile(r"^(nguyên|cựu|tân)\s", re.I), "`nguyên`/`cựu`/`tân` stay out of the RANK"),
    ("RANK", re.compile(r"^(đại biểu|cán bộ|lãnh đạo|phóng viên|thành viên|báo cáo viên)$", re.I), "generic role, not a RANK"),
    ("OFFICIAL", re.compile(r"^(ông|bà|đồng chí|anh|chị)\s|(TS|ThS|GS|PGS|BS)\.", re.I), "honorific or degree inside an OFFICIAL"),
    ("EVENT", re.compile(r"^(hội nghị|đại hội|buổi lễ|lễ|phiên họp|kỳ họp|hội thảo|tọa đàm)( này| đó)?$"), "bare lower-case event word"),
    ("DIRECTIVE", re.compile(r"^\D*$"), "DIRECTIVE without a number or code"),
    ("DATE", re.compile(r"^(hôm nay|năm nay|thời gian qua)|\bnay\b", re.I), "relative date words"),
]
EDGE = re.compile(r"^[\s,.;:()\"“”'-]|[\s,.;:()\"“”'-]$")


def spec_findings(records: list[dict]) -> list[tuple[str, str, str, str]]:
    """Spans whose form the spec rules out: ``(doc id, label, span text, reason)``."""
    found = []
    for rec in records:
        for ent in rec["entities"]:
            text = rec["text"][ent["start"]:ent["end"]]
            if EDGE.search(text):
                found.append((rec["id"], ent["label"], text, "span edged with space or punctuation"))
            for label, pattern, reason in SPEC_RULES:
                if ent["label"] == label and pattern.search(text):
                    found.append((rec["id"], label, text, reason))
    return found


def consistency_findings(records: list[dict], min_len: int = 3) -> dict[str, list]:
    """For each annotated string, the occurrences annotated differently elsewhere.

    Returns:
        ``{string: [(doc id, start, how), ...]}`` where ``how`` is ``"unannotated"``,
        ``"label X"`` or ``"crosses X 'span'"``; occurrences inside a longer span are not
        listed. Keys are ``"string [majority label ×count]"``.
    """
    labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rec in records:
        for ent in rec["entities"]:
            labels[rec["text"][ent["start"]:ent["end"]]][ent["label"]] += 1
    out: dict[str, list] = {}
    for string, counts in labels.items():
        if len(string) < min_len:
            continue
        label = max(counts, key=counts.get)
        pattern = re.compile(r"(?<!\w)" + re.escape(string) + r"(?!\w)")
        odd = []
        for rec in records:
            spans = [(e["start"], e["end"], e["label"]) for e in rec["entities"]]
            for m in pattern.finditer(rec["text"]):
                s, e = m.span()
                if (s, e, label) in spans:
                    continue
                over = [sp for sp in spans if sp[0] < e and s < sp[1]]
                if not over:
                    how = "unannotated"
                elif any(sp[:2] == (s, e) for sp in over):
                    how = "label " + next(sp[2] for sp in over if sp[:2] == (s, e))
                elif any(sp[0] <= s and e <= sp[1] for sp in over):
                    continue  # part of a longer name: spans are flat, so that is no inconsistency
                else:
                    sp = over[0]
                    how = f"crosses {sp[2]} '{rec['text'][sp[0]:sp[1]]}'"
                odd.append((rec["id"], s, how))
        if odd:
            out[f"{string} [{label} ×{counts[label]}]"] = odd
    return out


def model_findings(records: list[dict], predicted: list[dict]) -> list[dict]:
    """Where ``predicted`` (matched by document id) disagrees with the annotation; documents
    with no prediction are left out.

    Returns:
        One dict per disagreement: ``{"doc", "kind", "annotated", "predicted"}``. Entity kinds
        are the error categories of :func:`vnpolicy_nlp.evaluate.attribute_errors` (``missed``:
        annotated, not predicted; ``spurious``: predicted, not annotated; ``boundary``,
        ``label``, ``label_boundary``), with spans as ``{"start", "end", "label", "text"}``;
        ``relation`` disagreements carry ``(head text, label, tail text)`` on one side, and
        are listed only between spans both sides have (others follow from a span finding).
    """
    from ..evaluate import relation_keys, attribute_errors

    by_id = {str(p["id"]): p for p in predicted}
    records = [r for r in records if str(r["id"]) in by_id]
    found = [{"doc": e["doc"], "kind": e["category"], "annotated": e["gold"], "predicted": e["pred"]}
             for e in attribute_errors(records, predicted)["errors"]]
    for rec in records:
        pred = by_id[str(rec["id"])]
        sides = [relation_keys(rec)[0], relation_keys(pred)[0]]
        both = ({(e["start"], e["end"], e["label"]) for e in rec["entities"]}
                & {(e["start"], e["end"], e["label"]) for e in pred["entities"]})
        for mine, side in ((0, "annotated"), (1, "predicted")):
            for head, tail, label in sorted(sides[mine] - sides[1 - mine]):
                if head in both and tail in both:
                    found.append({"doc": str(rec["id"]), "kind": "relation", "annotated": None, "predicted": None,
                                  side: (rec["text"][head[0]:head[1]], label, rec["text"][tail[0]:tail[1]])})
    return found


def context(rec: dict, start: int, end: int, width: int = 50) -> str:
    """``left[[span]]right`` on one line."""
    left = rec["text"][max(0, start - width):start].replace("\n", " ")
    right = rec["text"][end:end + width].replace("\n", " ")
    return f"{left}[[{rec['text'][start:end]}]]{right}"


def describe(rec: dict, finding: dict) -> str:
    """One model finding of :func:`model_findings` on one line, spans in their context."""
    if finding["kind"] == "relation":
        side = "annotated" if finding["annotated"] else "predicted"
        head, label, tail = finding[side]
        return f"relation {side} only: {head!r} {label} {tail!r}"

    def span(s: dict | None) -> str:
        return "nothing" if s is None else f"{s['label']} {context(rec, s['start'], s['end'], width=30)}"

    return f"{finding['kind']}: annotated {span(finding['annotated'])} | model {span(finding['predicted'])}"


def format_audit(records: list[dict], predicted: list[dict] | None = None) -> str:
    """The findings as Markdown, each occurrence with its context; model findings only with
    ``predicted`` (out-of-fold predictions of the same documents)."""
    by_id = {r["id"]: r for r in records}
    lines = [f"# Annotation audit ({len(records)} documents)", "", "## Spec form checks", ""]
    lines += [f"- {doc} {label} `{text}`: {reason}" for doc, label, text, reason in spec_findings(records)]
    lines += ["", "## Same string, annotated differently", ""]
    for key, odd in sorted(consistency_findings(records).items()):
        string = key.rsplit(" [", 1)[0]
        lines.append(f"### {key}")
        lines += [f"- {doc} @{start} {how}: {context(by_id[doc], start, start + len(string))}"
                  for doc, start, how in odd]
        lines.append("")
    if predicted is not None:
        lines += ["## Where a model that did not learn the document disagrees", ""]
        lines += [f"- {f['doc']} {describe(by_id[f['doc']], f)}" for f in model_findings(records, predicted)]
    return "\n".join(lines) + "\n"
