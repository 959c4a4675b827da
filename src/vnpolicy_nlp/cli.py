"""The ``vnpolicy`` command line: thin Typer wrappers over the library functions.

Only this module prints. Each command parses its arguments, calls one library function and
turns :class:`~vnpolicy_nlp.errors.VnpolicyError` into a message on stderr and a non-zero exit.
"""

from __future__ import annotations

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


# --- studio (serve, push, pull) -------------------------------------------------------------


# --- data (validate, convert, agree) -------------------------------------------------------


# --- train ---------------------------------------------------------------------------------


# --- evaluate ------------------------------------------------------------------------------


if __name__ == "__main__":
    app()
