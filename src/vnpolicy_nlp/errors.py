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


class Warnings:
    """Warning messages, aggregated by the caller rather than repeated in loops."""

    W001 = "W001 {count} task(s) skipped as invalid: {summary}"


class VnpolicyError(Exception):
    """An error whose message carries one of the codes in :class:`Errors`."""
