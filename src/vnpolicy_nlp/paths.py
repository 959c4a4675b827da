"""Default locations: the repository root, the shared corpus beside it, the gold set, the
shipped model and the Label Studio workspace."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """Return the repository root: the nearest parent of this package, else of the working
    directory, that holds ``pyproject.toml`` and ``src/vnpolicy_nlp``; else the working directory."""
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in (start, *start.parents):
            if (parent / "pyproject.toml").is_file() and (parent / "src" / "vnpolicy_nlp").is_dir():
                return parent
    return Path.cwd()


def default_corpus_path() -> Path:
    """Return the unlabeled pool that stand-off records take their text from:
    ``../shared/corpus/pool.jsonl`` relative to the repository root."""
    return repo_root().parent / "shared" / "corpus" / "pool.jsonl"


def default_workspace() -> Path:
    """Return the default Label Studio workspace, ``<repo>/workspace/label-studio`` (git-ignored)."""
    return repo_root() / "workspace" / "label-studio"


def default_sources_path() -> Path:
    """Return the source articles the gold set is cut from: ``../shared/source-articles``."""
    return repo_root().parent / "shared" / "source-articles"


def default_train_path() -> Path:
    """Return the training annotations, ``<repo>/annotations/train/``."""
    return repo_root() / "annotations" / "train"


def default_gold_path() -> Path:
    """Return the gold set, ``<repo>/annotations/gold/``."""
    return repo_root() / "annotations" / "gold"


def default_model_path() -> Path:
    """Return the shipped model, ``<repo>/models/default/``."""
    return repo_root() / "models" / "default"
