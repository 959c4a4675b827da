"""Error and warning messages with codes and ``{placeholders}`` (in the manner of spaCy's errors.py).

Use as ``raise VnpolicyError(Errors.E001.format(path=path, reason=reason))``. Codes are never
reused; add new ones at the end of their block.
"""

from __future__ import annotations


class Errors:
    """Error messages. ``E0xx`` input, ``E1xx`` Label Studio, ``E2xx`` model and training."""

    E001 = "E001 {path}: {reason}"
    E002 = "E002 {path}: file is empty"
    E003 = "E003 {path}: binary data, not text"
    E004 = "E004 {path}: cannot decode as UTF-8 (with or without BOM) or UTF-16 with BOM: {reason}"
    E005 = "E005 {path}: no such file or folder"
    E006 = "E006 {path} line {line}: not a JSON object with 'id' and 'text': {reason}"
    E007 = "E007 Unknown output format {fmt!r}; choose one of {choices}"


    E202 = "E202 {path}: comes from the gold set, which is never training data"
    E203 = "E203 Not enough documents to train: {n_train} for training, {n_dev} for dev"
    E201 = "E201 {path} is not a model folder (no config.cfg); train one with 'vnpolicy train' or use --model patterns"
    # E3xx evaluation (evaluate.py)
    E301 = "E301 {path}: no gold set there; pass --gold with a Label Studio export file or folder"
    E302 = "E302 {path}: no valid gold task left to score ({skipped} skipped as invalid); run 'vnpolicy data validate {path}'"
    E303 = "E303 Cannot load model {model!r}: {reason}"
    E304 = "E304 The underthesea baseline needs underthesea: pip install 'underthesea>=9.5,<10' ({reason})"
    E305 = "E305 Leave-one-article-out needs at least two articles in the gold set, found {n}"
    E306 = "E306 Evaluation needs {module}, which cannot be imported: {reason}"


class Warnings:
    """Warning messages, aggregated by the caller rather than repeated in loops."""

    W001 = "W001 {count} task(s) skipped as invalid: {summary}"
    # W3xx evaluation (evaluate.py)
    W301 = "W301 {count} predicted document(s) have no gold document and were not scored: {ids}"
    W302 = "W302 Relations naming unknown entity ids were not scored: {gold} gold, {pred} predicted"
    W303 = "W303 underthesea failed on {count} line(s), left untagged in its baseline: {summary}"
    W304 = "W304 {count} prediction(s) changed the document text (first: {doc}); offsets may not match the gold"
    W305 = "W305 Baseline {name!r} failed and is left out of the report: {reason}"
    W306 = "W306 {path}: cannot read the learning curve: {reason}"


class VnpolicyError(Exception):
    """An error whose message carries one of the codes in :class:`Errors`."""
