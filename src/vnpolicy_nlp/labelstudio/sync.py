"""Push documents to a Label Studio project and pull its annotations back as records.

These are the library functions behind ``vnpolicy studio push`` and ``vnpolicy studio pull``;
the network calls go through :mod:`.client`, the conversions through :mod:`.convert`.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import VnpolicyError, Warnings
from .client import Connection, Project, connect, create_or_update_project, env_token, env_url, export_annotations, \
    find_project, import_tasks, task_keys
from .convert import DEFAULT_MAX_CHARS, corpus_fields, default_model_version, load_corpus, records_to_jsonl, \
    records_to_tasks, resolve_standoff, tasks_to_records, to_standoff
from ..paths import default_workspace
from .server import load_credentials
from .validate import Problem


@dataclass
class PushResult:
    """What :func:`push` did."""

    url: str
    project: Project
    task_ids: list[int]
    documents: int
    preannotated: int
    skipped_existing: int
    errors: list[str] = field(default_factory=list)


@dataclass
class PullResult:
    """What :func:`pull` wrote."""

    url: str
    project: Project
    path: Path
    records: int
    standoff: int
    tasks: int
    problems: list[Problem] = field(default_factory=list)


def resolve_connection(url: str | None = None, token: str | None = None, workspace: str | Path | None = None,
                       timeout: float = 60.0) -> Connection:
    """Connect with the given URL and token, else the environment, else the credentials that
    ``vnpolicy studio serve`` saved in the workspace (default ``<repo>/workspace/label-studio``)."""
    saved = load_credentials(workspace or default_workspace())
    url = url or env_url() or saved.get("url")
    token = token or env_token() or saved.get("token")
    return connect(url, token, timeout=timeout)


def read_documents(paths: list[str]) -> tuple[list[dict], list[str]]:
    """Read documents to push: ``.txt``/``.html`` files, and ``.jsonl`` records or corpus lines.

    A JSONL line with ``entities`` keeps them (and its ``relations``); other keys go to
    ``meta`` (a corpus line's ``source_url`` marks its text as coming from that corpus).

    Returns:
        ``(records, errors)``; a bad input is an error message, not an exception.
    """
    from ..clean import read_inputs

    records, errors = [], []
    for item in read_inputs(paths):
        if isinstance(item, Exception):
            errors.append(str(item))
            continue
        meta = dict(item.meta)
        rec = {"id": item.id, "text": item.text}
        if "entities" in meta:
            rec["entities"] = meta.pop("entities")
            rec["relations"] = meta.pop("relations", [])
        nested = meta.pop("meta", None)
        if isinstance(nested, dict):
            meta = {**nested, **meta}
        if meta:
            rec["meta"] = meta
        records.append(rec)
    return records, errors


def preannotate(records: list[dict], model: str | None = None) -> tuple[list[dict], str | None]:
    """Tag the records that have no ``entities`` yet with ``pipeline.load(model)``.

    Returns:
        ``(records, model_version)``; ``model_version`` is None when nothing was tagged.
        Without ``model``, a pipeline that cannot be loaded gives a W102 warning and the
        records unchanged; with ``model``, the error is raised.
    """
    todo = [i for i, r in enumerate(records) if "entities" not in r]
    if not todo:
        return records, None
    try:
        from .. import pipeline
        from ..records import doc_to_record

        nlp = pipeline.load(model)
        resolved = pipeline.resolve_model(model)
    except (ImportError, OSError, ValueError, VnpolicyError) as e:
        if model is not None:
            raise
        warnings.warn(Warnings.W102.format(reason=e), stacklevel=2)
        return records, None
    from ..ner import entity_confidence
    from ..relations import ent_key

    out = list(records)
    for i, doc in zip(todo, nlp.pipe(records[i]["text"] for i in todo)):
        tagged = doc_to_record(doc, records[i]["id"])
        # per-entity confidence, so the task score sorts tasks by how sure the model is
        confidence = entity_confidence(nlp, doc)
        for ent in tagged["entities"]:
            if ent_key(ent["start"], ent["end"]) in confidence:
                ent["score"] = confidence[ent_key(ent["start"], ent["end"])]
        out[i] = {**records[i], "entities": tagged["entities"], "relations": tagged["relations"]}
    return out, f"{default_model_version()}+{Path(str(resolved)).name}"


def push(
    paths: list[str],
    project: str,
    url: str | None = None,
    token: str | None = None,
    model: str | None = None,
    pre_annotate: bool = True,
    split_paragraphs: bool = True,
    max_chars: int = DEFAULT_MAX_CHARS,
    as_annotations: bool = False,
    skip_existing: bool = True,
) -> PushResult:
    """Send documents to a project (created if needed, with the schema's labeling config).

    Args:
        paths: files or folders (see :func:`read_documents`).
        project: the project title.
        url, token: the server (see :func:`resolve_connection`).
        model: the model folder for pre-annotation; default the shipped model.
        pre_annotate: tag documents that have no entities yet.
        split_paragraphs: split documents longer than ``max_chars`` into tasks of whole paragraphs.
        max_chars: the split threshold.
        as_annotations: import the entities as annotations instead of predictions.
        skip_existing: leave out tasks whose ``(doc_id, offset)`` the project already has.

    Returns:
        A :class:`PushResult`.
    """
    records, errors = read_documents(paths)
    model_version = None
    if pre_annotate:
        records, model_version = preannotate(records, model)
    conn = resolve_connection(url, token)
    proj = create_or_update_project(conn, project)
    tasks = records_to_tasks(records, as_predictions=not as_annotations, model_version=model_version,
                             split_paragraphs=split_paragraphs, max_chars=max_chars)
    skipped = []
    if skip_existing and tasks:
        existing = task_keys(conn, proj)
        keep = [t for t in tasks if (t["data"]["doc_id"], t["data"]["offset"]) not in existing]
        skipped = [t["data"]["doc_id"] for t in tasks if t not in keep]
        tasks = keep
    if skipped:
        warnings.warn(Warnings.W103.format(count=len(skipped), title=project,
                                           summary=", ".join(sorted(set(skipped))[:10])), stacklevel=2)
    ids = import_tasks(conn, proj, tasks) if tasks else []
    return PushResult(url=conn.url, project=proj, task_ids=ids, documents=len(records),
                      preannotated=sum(1 for t in tasks if "predictions" in t), skipped_existing=len(skipped),
                      errors=errors)


def _output_file(output: str | Path, title: str) -> Path:
    as_folder = str(output).endswith(("/", "\\"))
    output = Path(output)
    if output.is_dir() or as_folder:
        slug = re.sub(r"[^\w.-]+", "-", title, flags=re.UNICODE).strip("-") or "project"
        return output / f"{slug}.jsonl"
    return output


def pull(
    project: str,
    output: str | Path,
    url: str | None = None,
    token: str | None = None,
    corpus: str | Path | None = None,
    raw: str | Path | None = None,
) -> PullResult:
    """Export a project's annotations and write them as records (JSONL).

    Documents whose task data names an outside corpus (``corpus_id`` / ``source_url``) are
    written stand-off, without their text, after checking that the corpus gives back the
    exact text (a document that would not resolve is left out as a problem).

    Args:
        project: the project title.
        output: the JSONL file, or a folder (the file is then named after the project).
        url, token: the server (see :func:`resolve_connection`).
        corpus: the corpus JSONL; default ``../shared/corpus/pool.jsonl``.
        raw: also save the export as downloaded to this file (keep it out of the folders
            that training reads, or its documents are read twice).

    Returns:
        A :class:`PullResult`; ``problems`` lists the tasks and documents left out.

    Raises:
        VnpolicyError: E120/E121/E122 for an unreachable server, a refused token or an
            unknown project.
    """
    from ..output import write_atomic

    conn = resolve_connection(url, token)
    proj = find_project(conn, project)
    tasks = export_annotations(conn, proj)
    if raw is not None:
        write_atomic(raw, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    records, problems = tasks_to_records(tasks)
    kept = []
    standoff = [r for r in records if corpus_fields(r)]
    corpus_data = None
    if standoff:
        try:
            corpus_data = load_corpus(corpus)
        except VnpolicyError as e:
            warnings.warn(Warnings.W104.format(reason=e), stacklevel=2)
    for rec in records:
        if corpus_data is not None and corpus_fields(rec):
            try:
                resolve_standoff(to_standoff(rec), corpus_data)
            except VnpolicyError as e:
                problems.append(Problem(rec["id"], str(e).split(" ", 1)[0], str(e)))
                continue
        kept.append(rec)
    path = _output_file(output, project)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, records_to_jsonl(kept, standoff=True))
    return PullResult(url=conn.url, project=proj, path=path, records=len(kept),
                      standoff=sum(1 for r in kept if corpus_fields(r)), tasks=len(tasks), problems=problems)
