"""The one module that talks to a Label Studio server (through ``label_studio_sdk``).

Everything here turns network and API failures into coded :class:`VnpolicyError` messages
that say what to do: E120 unreachable, E121 token refused, E122 unknown project, E129 any
other refusal. The SDK is imported lazily, with an install hint (E124).
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import Errors, VnpolicyError

logger = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8080"
TOKEN_ENV = ("VNPOLICY_LS_TOKEN", "LABEL_STUDIO_API_KEY")
URL_ENV = ("VNPOLICY_LS_URL", "LABEL_STUDIO_URL")
IMPORT_BATCH = 500


@dataclass
class Connection:
    """A checked connection: the server URL, the token, and the SDK client."""

    url: str
    token: str
    client: Any


@dataclass(frozen=True)
class Project:
    """A Label Studio project: its id and title."""

    id: int
    title: str


def _sdk():
    try:
        import httpx
        from label_studio_sdk import LabelStudio
        from label_studio_sdk.core.api_error import ApiError
    except ImportError as e:
        raise VnpolicyError(Errors.E124.format(reason=e)) from e
    return LabelStudio, ApiError, httpx


def env_url() -> str | None:
    """Return the server URL from ``VNPOLICY_LS_URL`` or ``LABEL_STUDIO_URL``, if set."""
    return next((os.environ[k] for k in URL_ENV if os.environ.get(k)), None)


def env_token() -> str | None:
    """Return the API token from ``VNPOLICY_LS_TOKEN`` or ``LABEL_STUDIO_API_KEY``, if set."""
    return next((os.environ[k] for k in TOKEN_ENV if os.environ.get(k)), None)


def _detail(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        return str(body.get("validation_errors") or body.get("detail") or body)
    return str(body or error)


@contextmanager
def api_errors(url: str, action: str):
    """Turn SDK and network failures inside the block into coded errors (E120, E121, E129)."""
    _, ApiError, httpx = _sdk()
    try:
        yield
    except httpx.TransportError as e:
        reason = e.__class__.__name__ + (f": {e}" if str(e) else "")
        raise VnpolicyError(Errors.E120.format(url=url, reason=reason)) from e
    except ApiError as e:
        if e.status_code in (401, 403):
            raise VnpolicyError(Errors.E121.format(url=url, status=e.status_code)) from e
        raise VnpolicyError(Errors.E129.format(url=url, status=e.status_code, action=action, detail=_detail(e))) from e


def connect(url: str | None = None, token: str | None = None, timeout: float = 60.0) -> Connection:
    """Connect to a Label Studio server and check the token.

    Args:
        url: the server, e.g. ``http://127.0.0.1:8080``; default ``VNPOLICY_LS_URL``,
            ``LABEL_STUDIO_URL``, else :data:`DEFAULT_URL`.
        token: a legacy API token (sent as ``Authorization: Token …``); default
            ``VNPOLICY_LS_TOKEN`` or ``LABEL_STUDIO_API_KEY``.
        timeout: seconds per request.

    Returns:
        A :class:`Connection`.

    Raises:
        VnpolicyError: E123 without a token, E120 when the server cannot be reached, E121
            when it refuses the token, E124 without the SDK.
    """
    LabelStudio, _, _ = _sdk()
    url = (url or env_url() or DEFAULT_URL).rstrip("/")
    token = token or env_token()
    if not token:
        from ..paths import default_workspace

        raise VnpolicyError(Errors.E123.format(credentials=default_workspace() / "credentials.json"))
    with api_errors(url, "a token check"):
        client = LabelStudio(base_url=url, api_key=token, timeout=timeout)
        client.users.whoami(request_options={"max_retries": 0})
    return Connection(url=url, token=token, client=client)


def list_projects(conn: Connection) -> list[Project]:
    """Return every project the token can see, oldest first."""
    with api_errors(conn.url, "listing projects"):
        return sorted((Project(p.id, p.title) for p in conn.client.projects.list()), key=lambda p: p.id)


def find_project(conn: Connection, title: str) -> Project:
    """Return the project with exactly this title (the oldest, if several have it).

    Raises:
        VnpolicyError: E122 when there is none, naming the projects there are.
    """
    projects = list_projects(conn)
    same = [p for p in projects if p.title == title]
    if not same:
        available = ", ".join(repr(p.title) for p in projects) or "none"
        raise VnpolicyError(Errors.E122.format(title=title, url=conn.url, available=available))
    if len(same) > 1:
        logger.warning("%d projects are titled %r; using the oldest (id %d)", len(same), title, same[0].id)
    return same[0]


def create_or_update_project(conn: Connection, title: str, label_config: str | None = None) -> Project:
    """Return the project titled ``title``, creating it, or updating its labeling config.

    Args:
        conn: a connection.
        title: the project title.
        label_config: the labeling config XML; default the one generated from the schema.

    Raises:
        VnpolicyError: E129 when the server rejects the config (for example because existing
            annotations use a label the new config lacks).
    """
    from .label_config import label_config as make_config

    label_config = label_config or make_config()
    try:
        project = find_project(conn, title)
    except VnpolicyError as e:
        if not str(e).startswith("E122"):
            raise
        with api_errors(conn.url, f"creating project {title!r}"):
            created = conn.client.projects.create(title=title, label_config=label_config)
        return Project(created.id, created.title)
    with api_errors(conn.url, f"reading project {title!r}"):
        current = conn.client.projects.get(project.id).label_config
    if (current or "").strip() != label_config.strip():
        with api_errors(conn.url, f"updating the labeling config of {title!r}"):
            conn.client.projects.update(project.id, label_config=label_config)
    return project


def import_tasks(conn: Connection, project: Project, tasks: list[dict]) -> list[int]:
    """Import tasks (with their ``annotations`` or ``predictions``) into a project.

    Returns:
        The new task ids, in order.
    """
    ids: list[int] = []
    for start in range(0, len(tasks), IMPORT_BATCH):
        batch = tasks[start:start + IMPORT_BATCH]
        with api_errors(conn.url, f"importing tasks into {project.title!r}"):
            response = conn.client.projects.import_tasks(project.id, request=batch, return_task_ids=True)
        ids += list(response.task_ids or [])
    return ids


def task_keys(conn: Connection, project: Project) -> dict[tuple[str, int], int]:
    """Return ``{(doc_id, offset): task id}`` for the project's tasks that carry a ``doc_id``."""
    keys = {}
    with api_errors(conn.url, f"listing the tasks of {project.title!r}"):
        for task in conn.client.tasks.list(project=project.id, fields="task_only"):
            data = task.data or {}
            if data.get("doc_id") is not None:
                keys[(str(data["doc_id"]), int(data.get("offset", 0)))] = task.id
    return keys


def export_tasks(conn: Connection, project: Project, only_annotated: bool = True,
                 with_predictions: bool = False, timeout: float = 300.0) -> list[dict]:
    """Export a project's tasks as Label Studio JSON (a list of task dicts).

    Args:
        conn: a connection.
        project: the project.
        only_annotated: leave out tasks nobody has annotated.
        with_predictions: include the tasks' predictions in full (not only their ids).
        timeout: seconds to wait for the export snapshot.

    Returns:
        The tasks, each with ``data``, ``annotations`` and (if asked) ``predictions``.
    """
    import json

    options = {"annotations__completed_by": {"only_id": True}, "drafts": {"only_id": True},
               "predictions": {"only_id": not with_predictions}}
    with api_errors(conn.url, f"exporting {project.title!r}"):
        snapshot = conn.client.projects.exports.create(
            project.id, title="vnpolicy pull", serialization_options=options,
            task_filter_options={"only_with_annotations": only_annotated})
        deadline = time.monotonic() + timeout
        while snapshot.status not in ("completed", "failed"):
            if time.monotonic() > deadline:
                raise VnpolicyError(Errors.E129.format(url=conn.url, status="-", action=f"exporting {project.title!r}",
                                                       detail=f"export {snapshot.id} not ready after {timeout} s"))
            time.sleep(0.5)
            snapshot = conn.client.projects.exports.get(project.id, snapshot.id)
        if snapshot.status == "failed":
            raise VnpolicyError(Errors.E129.format(url=conn.url, status="-", action=f"exporting {project.title!r}",
                                                   detail=f"export {snapshot.id} failed"))
        data = b"".join(conn.client.projects.exports.download(project.id, snapshot.id, export_type="JSON"))
        conn.client.projects.exports.delete(project.id, snapshot.id)
    return json.loads(data)


def export_annotations(conn: Connection, project: Project) -> list[dict]:
    """Export every annotated task of a project as Label Studio JSON (annotations only)."""
    return export_tasks(conn, project, only_annotated=True, with_predictions=False)
