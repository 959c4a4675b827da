"""Benchmark: tokens/s of the whole predict pipeline against underthesea on the same text.

Usage: python scripts/bench_predict.py [--model DIR] [--corpus FILE] [--repeat N]
Tokens are counted as underthesea.word_tokenize words, the same count for every system.
Prints a Markdown table and writes it as JSON with --json.
"""

import argparse
import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

from vnpolicy_nlp.paths import default_corpus_path


def _texts(corpus: Path, repeat: int) -> list[str]:
    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    texts += [p.read_text(encoding="utf-8") for p in sorted((corpus.parent.parent / "source-articles").glob("*.txt"))]
    return texts * repeat


def _word_tokenize(texts):
    from underthesea import word_tokenize

    for t in texts:
        word_tokenize(t)


def _ner(texts):
    from underthesea import ner

    for t in texts:
        for line in t.split("\n"):
            if line.strip():
                ner(line)


def _predict(texts, model, n_process):
    from vnpolicy_nlp.pipeline import load, process
    from vnpolicy_nlp.records import doc_to_record

    nlp = load(model)
    for doc in process(nlp, texts, n_process=n_process):
        doc_to_record(doc)


def _chunked(fn, texts, n_process, *extra):
    if n_process == 1:
        fn(texts, *extra)
        return
    chunks = [texts[i::n_process] for i in range(n_process)]
    with mp.get_context("spawn").Pool(n_process) as pool:
        pool.starmap(fn, [(c, *extra) for c in chunks])


def timed(label, fn, *args):
    start = time.perf_counter()
    fn(*args)
    return label, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None, help="model folder or 'patterns' (default: the shipped model)")
    parser.add_argument("--corpus", type=Path, default=default_corpus_path())
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--ner-sample", type=int, default=40, help="documents for the slow underthesea.ner run")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from underthesea import word_tokenize

    texts = _texts(args.corpus, args.repeat)
    n_tokens = sum(len(word_tokenize(t)) for t in texts)
    sample = texts[: args.ner_sample]
    n_sample = sum(len(word_tokenize(t)) for t in sample)
    _predict(texts[:3], args.model, 1)  # warm-up: imports, model load
    rows = []
    for n in (1, 2):
        for label, fn, data, n_tok, extra in (
            ("underthesea.word_tokenize", _word_tokenize, texts, n_tokens, ()),
            ("vnpolicy predict", None, texts, n_tokens, ()),
            ("underthesea.ner", _ner, sample, n_sample, ()),
        ):
            start = time.perf_counter()
            if fn is None:
                _predict(data, args.model, n)
            else:
                _chunked(fn, data, n)
            secs = time.perf_counter() - start
            rows.append({"system": label, "processes": n, "tokens": n_tok, "seconds": round(secs, 2),
                         "tokens_per_s": round(n_tok / secs)})
    by = {(r["system"], r["processes"]): r["tokens_per_s"] for r in rows}
    print("| system | processes | tokens | seconds | tokens/s |\n|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['system']} | {r['processes']} | {r['tokens']} | {r['seconds']} | {r['tokens_per_s']} |")
    for n in (1, 2):
        p, w, u = by[("vnpolicy predict", n)], by[("underthesea.word_tokenize", n)], by[("underthesea.ner", n)]
        print(f"\n{n} process(es): predict / word_tokenize = {p / w:.2f}x; predict / ner = {p / u:.1f}x")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
