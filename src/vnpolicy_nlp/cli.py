"""The ``vnpolicy`` command line: thin Typer wrappers over the library functions.

Only this module prints. Each command parses its arguments, calls one library function and
turns :class:`~vnpolicy_nlp.errors.VnpolicyError` into a message on stderr and a non-zero exit.
"""

from __future__ import annotations

import sys

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
studio_app = typer.Typer(no_args_is_help=True, help="Run and talk to a local Label Studio.")
data_app = typer.Typer(no_args_is_help=True, help="Validate, convert and compare annotations.")
app.add_typer(studio_app, name="studio")
app.add_typer(data_app, name="data")


def fail(message: str, code: int = 1) -> None:
    """Print ``message`` on stderr and exit with ``code``."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


# --- predict -----------------------------------------------------------------------------


@app.command()
def predict(
    paths: list[str] = typer.Argument(..., help=".txt, .html, .jsonl files, folders, globs, or - for stdin"),
    model: str = typer.Option(None, "--model", "-m", help="model folder, or 'patterns'; default: the shipped model"),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl, json, conll, label-studio or html"),
    output: str = typer.Option(None, "--output", "-o", help="output file (default: stdout)"),
    n_process: int = typer.Option(1, "--n-process", help="worker processes"),
) -> None:
    """Tag articles: entities, relations and normalised directive codes."""
    from .clean import read_inputs
    from .errors import VnpolicyError
    from .output import FORMATS, format_output, write_atomic
    from .pipeline import load, tag_inputs

    if fmt not in FORMATS:
        fail(f"Unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}", 2)
    try:
        nlp = load(model)
    except (VnpolicyError, OSError) as e:
        fail(str(e))
    inputs = list(read_inputs(paths))
    n_docs = sum(not isinstance(i, Exception) for i in inputs)
    if n_docs > 20:
        with typer.progressbar(length=n_docs, label="Tagging", file=sys.stderr) as bar:
            done = [0]

            def step(i: int) -> None:
                bar.update(i - done[0])
                done[0] = i

            records, docs, errors = tag_inputs(nlp, inputs, n_process=n_process, progress=step)
    else:
        records, docs, errors = tag_inputs(nlp, inputs, n_process=n_process)
    for err in errors:
        typer.echo(str(err), err=True)
    if records:
        try:
            write_atomic(output, format_output(records, docs, fmt))
        except VnpolicyError as e:
            fail(str(e))
    if errors:
        raise typer.Exit(1)


# --- studio (serve, push, pull) -------------------------------------------------------------


class _Warnings:
    """Collect the library's warnings inside a ``with`` block and print each once on stderr."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings(record=True)
        self._caught = self._ctx.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc) -> None:
        self._ctx.__exit__(*exc)
        for message in dict.fromkeys(str(w.message) for w in self._caught):
            typer.echo(message, err=True)


@studio_app.command("serve")
def studio_serve(
    workspace: str = typer.Option(None, "--workspace", "-w", help="data folder; default <repo>/workspace/label-studio"),
    port: int = typer.Option(8080, "--port", help="port to listen on"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    timeout: float = typer.Option(300, "--timeout", help="seconds to wait for the server to answer"),
) -> None:
    """Start Label Studio (SQLite, admin user, legacy API token) and keep it running until Ctrl-C."""
    from .errors import VnpolicyError
    from .paths import default_workspace
    from .labelstudio.server import serve

    typer.echo("Starting Label Studio (the first start of a workspace takes about a minute)...", err=True)
    try:
        server = serve(workspace or default_workspace(), host=host, port=port, timeout=timeout)
    except VnpolicyError as e:
        fail(str(e))
    typer.echo(f"Label Studio is running at {server.url}\n"
               f"  login:    {server.username} / {server.password}\n"
               f"  token:    {server.token}\n"
               f"  saved in: {server.workspace / 'credentials.json'} (push and pull read it)\n"
               f"  log:      {server.log_path}\n"
               f"Press Ctrl-C to stop.")
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    # also when started in the background (SIGINT ignored) or closed with the terminal or kill
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
    try:
        code = server.process.wait()
    except KeyboardInterrupt:
        server.stop()
        typer.echo("Stopped.", err=True)
        return
    fail(f"Label Studio exited with code {code}; see {server.log_path}")


@studio_app.command("push")
def studio_push(
    paths: list[str] = typer.Argument(..., help=".txt, .html or .jsonl files or folders (records or corpus lines)"),
    project: str = typer.Option(..., "--project", "-p", help="project title (created if missing)"),
    url: str = typer.Option(None, "--url", help="server URL; default VNPOLICY_LS_URL or the served workspace's"),
    token: str = typer.Option(None, "--token", help="legacy API token; default VNPOLICY_LS_TOKEN / LABEL_STUDIO_API_KEY"),
    model: str = typer.Option(None, "--model", "-m", help="model folder for pre-annotation; default the shipped model"),
    preannotate: bool = typer.Option(True, "--preannotate/--no-preannotate", help="tag documents without entities"),
    split_paragraphs: bool = typer.Option(True, "--split-paragraphs/--no-split", help="split long documents by paragraph"),
    max_chars: int = typer.Option(2000, "--max-chars", help="split documents longer than this"),
    as_annotations: bool = typer.Option(False, "--as-annotations", help="import entities as annotations, not predictions"),
    skip_existing: bool = typer.Option(True, "--skip-existing/--allow-duplicates", help="skip documents already there"),
) -> None:
    """Send documents to a Label Studio project, pre-annotated (entities, relations, scores)."""
    from .errors import VnpolicyError
    from .labelstudio.sync import push

    try:
        with _Warnings():
            result = push(paths, project, url=url, token=token, model=model, pre_annotate=preannotate,
                          split_paragraphs=split_paragraphs, max_chars=max_chars, as_annotations=as_annotations,
                          skip_existing=skip_existing)
    except VnpolicyError as e:
        fail(str(e))
    for err in result.errors:
        typer.echo(err, err=True)
    typer.echo(f"{len(result.task_ids)} task(s) from {result.documents} document(s) imported into "
               f"{result.project.title!r} (id {result.project.id}) at {result.url}; "
               f"{result.preannotated} with predictions, {result.skipped_existing} already there")
    if result.errors:
        raise typer.Exit(1)


@studio_app.command("pull")
def studio_pull(
    project: str = typer.Option(..., "--project", "-p", help="project title"),
    output: str = typer.Option(..., "--output", "-o", help="JSONL file, or a folder (file named after the project)"),
    url: str = typer.Option(None, "--url", help="server URL; default VNPOLICY_LS_URL or the served workspace's"),
    token: str = typer.Option(None, "--token", help="legacy API token; default VNPOLICY_LS_TOKEN / LABEL_STUDIO_API_KEY"),
    corpus: str = typer.Option(None, "--corpus", help="corpus JSONL of outside texts; default ../shared/corpus/pool.jsonl"),
    raw: str = typer.Option(None, "--raw", help="also save the export as downloaded to this file"),
) -> None:
    """Export a project's annotations as records (texts from the corpus are stored stand-off)."""
    from .errors import VnpolicyError
    from .labelstudio.sync import pull

    try:
        with _Warnings():
            result = pull(project, output, url=url, token=token, corpus=corpus, raw=raw)
    except VnpolicyError as e:
        fail(str(e))
    for problem in result.problems:
        typer.echo(problem.message, err=True)
    skipped = f"; {len(result.problems)} problem(s) above, those tasks left out" if result.problems else ""
    typer.echo(f"{result.records} document(s) ({result.standoff} stand-off) from {result.tasks} annotated task(s) "
               f"of {result.project.title!r} written to {result.path}{skipped}")


# --- data (validate, convert, agree, audit) ---------------------------------------------------


@data_app.command("validate")
def data_validate(
    path: str = typer.Argument(..., help="Label Studio export, records or stand-off JSON/JSONL file, or a folder"),
    corpus: str = typer.Option(None, "--corpus", help="corpus JSONL for stand-off records"),
    predictions: bool = typer.Option(False, "--predictions", help="check the tasks' predictions, not annotations"),
) -> None:
    """List every problem (with its task id) that would keep a task out of training; exit 1 if any."""
    from .errors import VnpolicyError
    from .labelstudio.convert import load_export

    try:
        records, problems = load_export(path, corpus=corpus, source="predictions" if predictions else "annotations")
    except VnpolicyError as e:
        fail(str(e))
    for problem in problems:
        typer.echo(problem.message)
    typer.echo(f"{len(records)} document(s) valid, {len(problems)} problem(s)", err=True)
    if problems:
        raise typer.Exit(1)


@data_app.command("convert")
def data_convert(
    path: str = typer.Argument(..., help="Label Studio export, records or stand-off JSON/JSONL file, or a folder"),
    to: str = typer.Option(..., "--to", help="docbin, datasets, conll or jsonl"),
    output: str = typer.Option(..., "--output", "-o", help="file (docbin, conll, jsonl) or folder (datasets)"),
    corpus: str = typer.Option(None, "--corpus", help="corpus JSONL for stand-off records"),
    dev_fraction: float = typer.Option(None, "--dev-fraction",
                                       help="share of documents held out as dev: datasets 0.2 by default; "
                                            "docbin then writes a folder with train.spacy and dev.spacy"),
    seed: int = typer.Option(0, "--seed", help="seed of the train/dev split by document"),
) -> None:
    """Convert annotations to a spaCy DocBin, a HuggingFace DatasetDict, CoNLL or records JSONL."""
    from .corpus import FORMATS, convert
    from .errors import Errors, VnpolicyError
    from .labelstudio.convert import load_export

    if to not in FORMATS:
        fail(Errors.E007.format(fmt=to, choices=", ".join(FORMATS)), 2)
    try:
        records, problems = load_export(path, corpus=corpus)
        for problem in problems:
            typer.echo(problem.message, err=True)
        if not records:
            raise VnpolicyError(Errors.E134.format(path=path))
        split = (0.2 if to == "datasets" else 0.0) if dev_fraction is None else dev_fraction
        split = split if to in ("datasets", "docbin") else 0.0
        written = convert(records, to, output, dev_fraction=split, seed=seed)
    except VnpolicyError as e:
        fail(str(e))
    skipped = f" ({len(problems)} problem(s) above, those tasks left out)" if problems else ""
    typer.echo(f"{len(records)} document(s) written to {', '.join(map(str, written))}{skipped}")


@data_app.command("agree")
def data_agree(
    a: str = typer.Argument(..., help="annotator A's export (the reference)"),
    b: str = typer.Argument(..., help="annotator B's export of the same documents"),
    corpus: str = typer.Option(None, "--corpus", help="corpus JSONL for stand-off records"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Span (strict, partial) and relation agreement of B against A, per label and micro."""
    import json

    from .errors import VnpolicyError
    from .labelstudio.agree import agree, format_agreement

    try:
        report, problems = agree(a, b, corpus=corpus)
    except VnpolicyError as e:
        fail(str(e))
    for problem in problems:
        typer.echo(problem.message, err=True)
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_agreement(report))


@data_app.command("audit")
def data_audit(
    path: str = typer.Argument(..., help="Label Studio export, records or stand-off JSON/JSONL file, or a folder"),
    corpus: str = typer.Option(None, "--corpus", help="corpus JSONL for stand-off records"),
    output: str = typer.Option(None, "--output", "-o", help="write the Markdown report here instead of stdout"),
    predictions: str = typer.Option(None, "--predictions", help="records JSONL of out-of-fold predictions "
                                    "(scripts/cv_train.py --predictions): also list where they disagree"),
) -> None:
    """List leads for a review pass: strings annotated differently in different places, span
    forms the annotation spec rules out and, with --predictions, where a model that did not learn
    a document disagrees with it. Nothing is changed."""
    from .errors import VnpolicyError
    from .labelstudio.audit import format_audit
    from .labelstudio.convert import load_export
    from .output import write_atomic

    loaded, problems = [], []
    for source in [path] + ([predictions] if predictions else []):
        try:
            records, bad = load_export(source, corpus=corpus)
        except VnpolicyError as e:
            fail(str(e))
        for problem in bad:
            typer.echo(problem.message, err=True)
        loaded.append(records)
        problems += bad
    write_atomic(output, format_audit(loaded[0], loaded[1] if predictions else None))
    if problems:
        raise typer.Exit(1)


# --- train ---------------------------------------------------------------------------------


@app.command()
def train(
    train_path: str = typer.Option(..., "--train", help="Label Studio export file or folder (annotations/train/)"),
    output: str = typer.Option(..., "--output", "-o", help="model folder to write"),
    dev_path: str = typer.Option(None, "--dev", help="dev export; default: a seeded split of --train"),
    config: str = typer.Option(None, "--config", "-c", help="training .cfg (default: the package's default.cfg)"),
    seed: int = typer.Option(0, "--seed", help="random seed"),
    corpus: str = typer.Option(None, "--corpus", help="corpus that stand-off annotations take their text from"),
    overrides: list[str] = typer.Option([], "--set", help="config override KEY=VALUE (repeatable)"),
) -> None:
    """Train the NER and relation model and write it, with metrics and a model card."""
    from .errors import VnpolicyError
    from .train import DEFAULT_CONFIG, parse_overrides
    from .train import train as train_model

    try:
        settings = parse_overrides(overrides)
    except VnpolicyError as e:
        fail(str(e), 2)
    try:
        metrics = train_model(train_path, output, dev_path=dev_path, config_path=config or DEFAULT_CONFIG,
                              seed=seed, overrides=settings, corpus=corpus)
    except (VnpolicyError, OSError) as e:
        fail(str(e))
    dev = metrics["dev"]
    refit = f", then again on train + dev ({metrics['best_step']} steps)" if metrics["refit_on_all"] else ""
    typer.echo(
        f"Trained on {metrics['n_train_docs']} documents{refit} in {metrics['train_seconds']} s; held-out dev "
        f"entities F1 {dev['entities']['strict']['micro']['f']:.3f}, relations F1 {dev['relations']['micro']['f']:.3f}; "
        f"model in {output}"
    )


# --- evaluate ------------------------------------------------------------------------------


@app.command("evaluate")
def evaluate(
    model: str = typer.Option(None, "--model", help="Model folder, or 'patterns'; default: the shipped model."),
    gold: str = typer.Option(None, "--gold", help="Gold Label Studio export (file or folder); default annotations/gold/."),
    output_json: str = typer.Option(None, "--output-json", help="Write the full scores as JSON here."),
    report_dir: str = typer.Option(None, "--report-dir", help="Write report.md, report.json, plots and HTML here."),
    no_baselines: bool = typer.Option(False, "--no-baselines", help="Skip the pattern and underthesea baselines."),
    corpus: str = typer.Option(None, "--corpus", help="Corpus JSONL to resolve gold texts referenced by id."),
) -> None:
    """Score a model against the gold set (strict, overlap and boundary entity F1, strict relations)."""
    import logging

    from .errors import VnpolicyError
    from .evaluate import ENTITY_MODES, evaluate_model

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        result = evaluate_model(model, gold, output_json=output_json, report_dir=report_dir,
                                baselines=not no_baselines, corpus=corpus)
    except VnpolicyError as e:
        fail(str(e))
        return
    typer.echo(f"gold: {result['gold']}: {result['n_docs']} docs, {result['n_entities']} entities, "
               f"{result['n_relations']} relations; {result['skipped']['count']} invalid task(s) skipped")
    typer.echo(f"{'system':<14}" + "".join(f"{m + ' F':>12}" for m in ENTITY_MODES) + f"{'rel F':>10}")
    for name, s in result["systems"].items():
        ents = s["entities"]
        typer.echo(f"{name:<14}" + "".join(f"{ents[m]['micro']['f']:>12.3f}" for m in ENTITY_MODES)
                   + f"{s['relations']['micro']['f']:>10.3f}")
    for name, message in result["baseline_errors"].items():
        typer.echo(f"baseline {name} failed: {message}", err=True)
    if report_dir:
        typer.echo(f"report: {report_dir}/report.md")
    if output_json:
        typer.echo(f"scores: {output_json}")


if __name__ == "__main__":
    app()
