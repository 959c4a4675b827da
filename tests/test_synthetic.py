"""The texts written for training: hand-made `.ann` files, and the training records built from them
(`make synthetic`), which must agree."""

import json
import unicodedata

from vnpolicy_nlp.annfile import is_own_text, read_ann
from vnpolicy_nlp.paths import default_train_path, repo_root

SYNTHETIC = repo_root() / "annotations" / "synthetic"
RECORDS = default_train_path() / "synthetic.jsonl"


def test_synthetic_records_are_built_from_the_ann_files():
    built = []
    for path in sorted(SYNTHETIC.glob("*.ann")):
        records, errors, warnings = read_ann(path)
        assert errors == [] and warnings == [], path
        built += records
    stored = [json.loads(line) for line in RECORDS.read_text(encoding="utf-8").splitlines()]
    assert stored == built, "annotations/train/synthetic.jsonl is stale: run `make synthetic`"


def test_synthetic_texts_are_own_nfc_texts_with_unique_ids():
    stored = [json.loads(line) for line in RECORDS.read_text(encoding="utf-8").splitlines()]
    assert stored and all(is_own_text(r) for r in stored)
    assert len({r["id"] for r in stored}) == len(stored)
    assert all(unicodedata.is_normalized("NFC", r["text"]) for r in stored)
