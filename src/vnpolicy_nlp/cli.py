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


# --- data (validate, convert, agree) -------------------------------------------------------


# --- train ---------------------------------------------------------------------------------


def _parse_overrides(items: list[str]) -> dict:
    """``["training.max_steps=200", ...]`` → ``{"training.max_steps": 200}`` (values as JSON when possible)."""
    import json

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--set takes KEY=VALUE, got {item!r}", 2)
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


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
    from .train import DEFAULT_CONFIG
    from .train import train as train_model

    try:
        metrics = train_model(train_path, output, dev_path=dev_path, config_path=config or DEFAULT_CONFIG,
                              seed=seed, overrides=_parse_overrides(overrides), corpus=corpus)
    except (VnpolicyError, OSError) as e:
        fail(str(e))
    dev = metrics["dev"]
    typer.echo(
        f"Trained on {metrics['n_train_docs']} documents in {metrics['train_seconds']} s; dev entities "
        f"F1 {dev['entities']['strict']['micro']['f']:.3f}, relations F1 {dev['relations']['micro']['f']:.3f}; "
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
