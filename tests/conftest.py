"""Shared fixtures (the project's one conftest: add yours below, in your own section)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


# --- Label Studio ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    """A real Label Studio on 127.0.0.1 and a free port, started once per session (the first
    start runs its migrations, 30-60 s) with its data in a temporary workspace, and stopped at
    the end. Fails when the server is not installed (``make studio``): integration tests are
    deselected with ``-m "not integration"``, never skipped."""
    from vnpolicy_nlp.errors import VnpolicyError
    from vnpolicy_nlp.labelstudio.server import find_executable, free_port, serve

    try:
        find_executable()
    except VnpolicyError as e:
        pytest.fail(str(e))
    server = serve(tmp_path_factory.mktemp("label-studio"), host="127.0.0.1", port=free_port(), timeout=300)
    try:
        yield server
    finally:
        server.stop()
