"""Train the NER (spaCy) and the relation classifier (scikit-learn), and save one pipeline.

One call of :func:`train` gives a folder that ``pipeline.load`` (and ``spacy.load``) reads:
tokenizer, ``tok2vec`` + ``ner``, the pattern rules in ``fill`` mode where the dev split says
they help, the relation classifier, and the directive normaliser. The pattern labels, the
relation threshold and the number of training steps are chosen on the dev split; with
``vnpolicy.refit_on_all`` the weights are then trained again on train + dev with those choices.
Beside the weights it writes the training config, spaCy's training log, ``metrics.json`` and a
model card. The folder appears atomically.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import spacy
from spacy import util
from spacy.tokens import DocBin

from .annfile import is_own_text
from .errors import Errors, VnpolicyError
from .corpus import split_by_document
from .evaluate import score
from .ner import PATTERN_COMPONENT
from .records import doc_to_record, record_to_doc
from .relations import ensure_extensions
from .relations.component import COMPONENT as REL_COMPONENT
from .relations.model import RelationClassifier, gold_examples

logger = logging.getLogger(__name__)

DEFAULT_CONFIG = Path(__file__).parent / "configs" / "default.cfg"
GOLD_MARKERS = ("annotations/gold", "source-articles")


def parse_overrides(items: list[str]) -> dict:
    """``["training.max_steps=200", ...]`` → ``{"training.max_steps": 200}`` (values as JSON when
    possible, else strings); raises E204 for an item without ``=``."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise VnpolicyError(Errors.E204.format(item=item))
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def load_annotations(path: str | Path, corpus: str | Path | None = None) -> tuple[list[dict], list]:
    """Read training records from a Label Studio export (file or folder, plain or stand-off).

    Returns:
        ``(records, problems)``; invalid tasks are skipped and listed in ``problems``.
    """
    from .labelstudio.convert import load_export

    return load_export(path, corpus=corpus)


def _refuse_gold(paths: list[Path], records: list[dict]) -> None:
    """The gold set is never training data: stop if a training input comes from it."""
    for p in paths:
        if any(m in p.resolve().as_posix() for m in GOLD_MARKERS):
            raise VnpolicyError(Errors.E202.format(path=p))
    for rec in records:
        if (rec.get("meta") or {}).get("source_file"):
            raise VnpolicyError(Errors.E202.format(path=rec["id"]))


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    util.fix_random_seed(seed)


def _predict(nlp, records: list[dict]) -> list[dict]:
    return [doc_to_record(doc, r["id"]) for doc, r in zip(nlp.pipe(r["text"] for r in records), records)]


def _micro_f(result: dict, kind: str) -> float:
    if kind == "entities":
        return result["entities"]["strict"]["micro"]["f"]
    return result["relations"]["micro"]["f"]


def train(
    train_path: str | Path,
    output: str | Path,
    dev_path: str | Path | None = None,
    config_path: str | Path = DEFAULT_CONFIG,
    seed: int = 0,
    overrides: dict | None = None,
    corpus: str | Path | None = None,
    records: list[dict] | None = None,
    dev_records: list[dict] | None = None,
    allow_gold: bool = False,
) -> dict:
    """Train a pipeline and write it to ``output``.

    Args:
        train_path: Label Studio export(s) with the training annotations.
        output: the model folder to write (replaced atomically if it exists).
        dev_path: a dev export; default: a seeded split of the training documents.
        config_path: the ``.cfg`` file with every hyperparameter.
        seed: the random seed; the same seed gives the same metrics.
        overrides: config overrides such as ``{"training.max_steps": 200}``.
        corpus: the corpus file that stand-off annotations take their text from.
        records, dev_records: records given directly instead of read from the paths.
        allow_gold: let gold records in (only for cross-validation over the gold set, whose
            models are never shipped).

    Returns:
        The metrics written to ``metrics.json``.
    """
    from spacy.cli.train import train as spacy_train

    ensure_extensions()
    started = time.time()
    overrides = dict(overrides or {})
    overrides.update({"system.seed": seed, "training.seed": seed})
    cfg = util.load_config(config_path, overrides=overrides, interpolate=False)
    vn = cfg.interpolate()["vnpolicy"]

    paths = [Path(train_path)] + ([Path(dev_path)] if dev_path else [])
    problems: list = []
    if records is None:
        records, problems = load_annotations(train_path, corpus)
    if dev_records is None and dev_path:
        dev_records, dev_problems = load_annotations(dev_path, corpus)
        problems += dev_problems
    if not allow_gold:
        _refuse_gold(paths, records + (dev_records or []))
    if dev_records is None:
        # the choices made on dev are for news: texts written for training stay in train
        own = [r for r in records if is_own_text(r)]
        records, dev_records = split_by_document([r for r in records if not is_own_text(r)], vn["dev_fraction"], seed)
        records += own
    if not records or not dev_records:
        raise VnpolicyError(Errors.E203.format(n_train=len(records), n_dev=len(dev_records or [])))

    _seed_everything(seed)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        base = util.load_model_from_config(cfg, auto_fill=True)
        train_docs = [record_to_doc(base, r) for r in records]
        dev_docs = [record_to_doc(base, r) for r in dev_records]
        for name, docs in (("train", train_docs), ("dev", dev_docs)):
            DocBin(docs=docs).to_disk(work / f"{name}.spacy")
        ner_dir = work / "ner"
        log_path = work / "train_log.jsonl"
        spacy_train(
            config_path,
            output_path=ner_dir,
            overrides={**overrides, "paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
                       "training.logger.output_file": str(log_path)},
        )
        _seed_everything(seed)
        nlp = spacy.load(ner_dir / "model-best")

        # patterns: keep them only for the labels where the dev split says they help
        nlp.add_pipe(PATTERN_COMPONENT, config={"mode": "off", "relations": False})
        ner_only = score(dev_records, _predict(nlp, dev_records))
        mode, fill_labels, override_labels = vn["patterns_mode"], None, None
        if mode == "auto":
            mode, fill_labels, override_labels = _choose_pattern_labels(nlp, dev_records, _micro_f(ner_only, "entities"))
        pattern_cfg = {"mode": mode, "relations": False, "labels": fill_labels, "override": override_labels}
        _set_patterns(nlp, pattern_cfg)

        rel_cfg = vn["relations"]
        clf = _fit_relations(train_docs, rel_cfg, seed)
        # rules beside the classifier, and the probability threshold: chosen on the dev split
        best = None
        rule_options = (False, True) if rel_cfg["use_rules"] == "auto" else (bool(rel_cfg["use_rules"]),)
        thresholds = rel_cfg["thresholds"] if rel_cfg["threshold"] == "auto" else [rel_cfg["threshold"]]
        for use_rules in rule_options:
            for threshold in thresholds:
                _set_relations(nlp, clf, rel_cfg, use_rules, threshold)
                f = _micro_f(score(dev_records, _predict(nlp, dev_records)), "relations")
                if best is None or f > best[0]:
                    best = (f, use_rules, threshold)
        _, use_rules, threshold = best
        _set_relations(nlp, clf, rel_cfg, use_rules, threshold)
        nlp.add_pipe("vnpolicy_directives")
        final = score(dev_records, _predict(nlp, dev_records))
        best_step = _best_step(log_path)

        if vn["refit_on_all"]:
            # the dev figures above stay the held-out estimate; the shipped weights see all documents
            DocBin(docs=train_docs + dev_docs).to_disk(work / "all.spacy")
            refit_dir = work / "ner_all"
            spacy_train(
                config_path,
                output_path=refit_dir,
                overrides={**overrides, "paths.train": str(work / "all.spacy"), "paths.dev": str(work / "dev.spacy"),
                           "training.max_steps": best_step, "training.patience": 0,
                           "training.eval_frequency": best_step},
            )
            _seed_everything(seed)
            held_out = nlp.meta.get("performance")
            nlp = spacy.load(refit_dir / "model-last")
            nlp.meta["performance"] = held_out
            _set_patterns(nlp, pattern_cfg)
            _set_relations(nlp, _fit_relations(train_docs + dev_docs, rel_cfg, seed), rel_cfg, use_rules, threshold)
            nlp.add_pipe("vnpolicy_directives")

        model_dir = work / "model"
        nlp.meta.update({"name": "vnpolicy_default", "version": "0.1.0",
                         "description": "NER and relations for Vietnamese policy news"})
        nlp.to_disk(model_dir)
        cfg.to_disk(model_dir / "training.cfg")
        shutil.copy(log_path, model_dir / "train_log.jsonl")
        metrics = {
            "seed": seed,
            "n_train_docs": len(records),
            "n_dev_docs": len(dev_records),
            "n_own_text_docs": sum(is_own_text(r) for r in records),
            "n_train_entities": sum(len(r["entities"]) for r in records),
            "n_train_relations": sum(len(r["relations"]) for r in records),
            "skipped_tasks": len(problems),
            "patterns_mode": mode,
            "pattern_labels": fill_labels,
            "pattern_override_labels": override_labels,
            "relation_rules": bool(use_rules),
            "relation_threshold": threshold,
            "best_step": best_step,
            "refit_on_all": bool(vn["refit_on_all"]),
            "dev": {"ner_only_f": _micro_f(ner_only, "entities"),
                    "entities": final["entities"], "relations": final["relations"]},
            "train_seconds": round(time.time() - started, 1),
        }
        (model_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
        write_model_card(model_dir, metrics)
        _replace_dir(model_dir, output)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return metrics


def _table(per_label: dict) -> list[str]:
    rows = ["| label | P | R | F1 | gold |", "|---|---:|---:|---:|---:|"]
    for label, v in per_label.items():
        rows.append(f"| {label} | {v['p']:.3f} | {v['r']:.3f} | {v['f']:.3f} | {v.get('n_gold', '')} |")
    return rows


def write_model_card(model_dir: Path, metrics: dict) -> None:
    """Write ``README.md`` beside the weights: data, metrics per label, intended use, limits.

    Sections filled in later by scripts (gold-set evaluation, benchmarks) are read from
    ``metrics.json`` keys ``gold`` and ``benchmarks`` when present.
    """
    dev = metrics["dev"]
    n_final = metrics["n_train_docs"] + (metrics["n_dev_docs"] if metrics.get("refit_on_all") else 0)
    n_own = metrics.get("n_own_text_docs", 0)
    n_news = metrics["n_train_docs"] + metrics["n_dev_docs"] - n_own
    lines = [
        "# vnpolicy default model",
        "",
        "Named entities (OFFICIAL, RANK, AGENCY, DIRECTIVE, EVENT, LOCATION, DATE) and their",
        "relations in Vietnamese policy and government news, as defined by annotation spec v1.1.",
        "",
        "## Pipeline",
        "underthesea word segmentation mapped back to the exact input → spaCy tok2vec + NER →",
        "spec-form clean-up of its spans (edge punctuation, honorifics and degrees before a name,",
        "DIRECTIVEs with no number or code) and",
        f"pattern rules (mode `{metrics['patterns_mode']}`; fill {metrics.get('pattern_labels') or '-'}, override {metrics.get('pattern_override_labels') or '-'}; chosen on the dev split) → scikit-learn",
        f"relation classifier over candidate pairs (form rules added: {metrics['relation_rules']}) →",
        "directive code normaliser.",
        "",
        "## Data",
        f"- {n_news} hand-corrected documents of the policy-news pool, annotations in",
        "  `annotations/train/` (stand-off; texts are resolved from the pool file), split by document",
        f"  (seed {metrics['seed']}) into {metrics['n_train_docs'] - n_own} for training and {metrics['n_dev_docs']} for dev.",
        *([f"- {n_own} texts written for training and annotated by hand (`annotations/synthetic/`), all in",
           "  the training part: the dev split, and every choice made on it, is news only."] if n_own else []),
        f"- Training part: {metrics['n_train_docs']} documents, {metrics['n_train_entities']} entities,"
        f" {metrics['n_train_relations']} relations.",
        *([f"- The pattern labels, relation threshold and number of steps ({metrics['best_step']}) were chosen on",
           "  the dev split; the shipped weights were then trained again with those choices on all",
           f"  {n_final} documents, so the dev figures below are those of the first, held-out fit."]
          if metrics.get("refit_on_all") else []),
        "- The gold set (`annotations/gold/`, the five source articles) is never used for training.",
        "",
        "## Dev metrics (strict)",
        f"Entities micro F1 {dev['entities']['strict']['micro']['f']:.3f}; relations micro F1 {dev['relations']['micro']['f']:.3f}.",
        "",
        *_table(dev["entities"]["strict"]["per_label"]),
        "",
    ]
    if "gold" in metrics:
        gold = metrics["gold"]
        lines += ["## Gold-set metrics (strict)",
                  f"Entities micro F1 {gold['entities']['strict']['micro']['f']:.3f}; relations micro F1 {gold['relations']['micro']['f']:.3f}.", "",
                  *_table(gold["entities"]["strict"]["per_label"]), ""]
    if "benchmarks" in metrics:
        lines += ["## Cost (this 2-core CPU machine)", *[f"- {k}: {v}" for k, v in metrics["benchmarks"].items()], ""]
    lines += [
        "## Intended use",
        "Tagging Vietnamese policy, government, party and diplomatic news; pre-annotation for Label",
        "Studio. Output offsets are code-point offsets into the exact input text.",
        "",
        "## Known limits",
        f"- Trained on {n_news} short news excerpts"
        + (f" and {n_own} texts written for training" if n_own else "") + ". Long agency and event",
        "  names (boundaries) are the weakest; other genres (legal texts, social media) are untested.",
        *(["- The written texts (fictional people, real bodies and places) may carry their writers'",
           "  habits; every choice about them was measured on news (`annotations/synthetic/`)."] if n_own else []),
        "- Entity boundaries that fall inside an underthesea word can only be found where the",
        "  tokenizer's case rules split that word.",
        "- Relations are only predicted within one sentence, between label pairs the spec allows.",
        "",
    ]
    lines += ["Learning curve and leave-one-article-out cross-validation, where computed:",
              "`learning_curve.md` (`scripts/learning_curve.py`) and `cross_validation.md`",
              "(`scripts/cross_validate.py`) beside this card.", ""]
    (Path(model_dir) / "README.md").write_text("\n".join(lines), encoding="utf-8")


def _choose_pattern_labels(nlp, dev_records: list[dict], base_f: float) -> tuple[str, list | None, list | None]:
    """Greedily choose, label by label, how the pattern rules join the NER: not at all, ``fill``
    (rule spans added where the NER found nothing) or ``override`` (rule spans replace the NER
    spans they overlap), keeping a choice only if it raises strict micro F1 on the dev split.

    Returns:
        ``(mode, fill_labels, override_labels)``; ``("off", None, None)`` when nothing helps.
    """
    from .schema import ENTITY_LABELS

    pipe = nlp.get_pipe(PATTERN_COMPONENT)
    pipe.mode, fill, override, best = "fill", [], [], base_f
    for label in ENTITY_LABELS:
        options = {"fill": (fill + [label], override), "override": (fill, override + [label])}
        choice = None
        for name, (f_labels, o_labels) in options.items():
            pipe.only_labels, pipe.override = set(f_labels), set(o_labels)
            f = _micro_f(score(dev_records, _predict(nlp, dev_records)), "entities")
            if f > best:
                choice, best = (f_labels, o_labels), f
        if choice:
            fill, override = choice
    pipe.mode, pipe.only_labels, pipe.override = "off", None, set()
    if not fill and not override:
        return "off", None, None
    return "fill", fill, override


def _set_patterns(nlp, pattern_cfg: dict) -> None:
    """(Re-)add the pattern component, so the chosen setting is the one written in the saved config."""
    if PATTERN_COMPONENT in nlp.pipe_names:
        nlp.remove_pipe(PATTERN_COMPONENT)
    nlp.add_pipe(PATTERN_COMPONENT, config=pattern_cfg)


def _fit_relations(docs: list, rel_cfg: dict, seed: int) -> RelationClassifier:
    X, y = gold_examples(docs, rel_cfg["max_tokens"])
    return RelationClassifier(C=rel_cfg["C"], max_iter=rel_cfg["max_iter"],
                              class_weight=rel_cfg["class_weight"], seed=seed).fit(X, y)


def _set_relations(nlp, clf: RelationClassifier, rel_cfg: dict, use_rules: bool, threshold: float) -> None:
    if REL_COMPONENT in nlp.pipe_names:
        nlp.remove_pipe(REL_COMPONENT)
    rel = nlp.add_pipe(REL_COMPONENT, config={"threshold": threshold, "max_tokens": rel_cfg["max_tokens"],
                                              "use_rules": use_rules})
    rel.model = clf


def _best_step(log_path: Path) -> int:
    """The step with the best dev score in a spaCy training log, each score averaged with its
    neighbouring evaluations: on a small dev split one lucky evaluation should not set the length
    of the final training. The later step wins a tie."""
    rows = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    scores = [r["score"] for r in rows]
    smooth = [statistics.mean(scores[max(0, i - 1):i + 2]) for i in range(len(scores))]
    best = max(range(len(rows)), key=lambda i: (smooth[i], rows[i]["step"]))
    return max(int(rows[best]["step"]), 1)


def _replace_dir(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst``, replacing an existing ``dst`` with no moment where neither exists
    complete."""
    old = None
    if dst.exists():
        old = dst.with_name(f".{dst.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        dst.rename(old)
    src.rename(dst)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
