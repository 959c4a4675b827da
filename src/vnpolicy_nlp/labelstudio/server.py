"""Run a local Label Studio for annotators: one command, no prompts, a known API token.

:func:`serve` starts the ``label-studio`` executable (installed apart from the project, see
``scripts/install_studio.sh``) with its data (SQLite database, media, exports) inside a
workspace folder, creates the admin user with a legacy API token that the SDK accepts
(``Authorization: Token …``), waits for ``/health`` and returns the URL and token. The
credentials are kept in ``<workspace>/credentials.json`` (mode 0600) so the next start, and
``vnpolicy studio push/pull``, reuse them.

What Label Studio 1.23.2 really reads (checked by experiment and in its ``server.py``):
``label-studio start --no-browser --internal-host H --port P --data-dir D`` (``--host`` is the
public URL used in links, not the address to bind), and from the environment
``LABEL_STUDIO_USERNAME``, ``LABEL_STUDIO_PASSWORD``, ``LABEL_STUDIO_USER_TOKEN`` (applied
only when the user is created, so on the first start of a workspace),
``LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true`` (applied when the organisation is created;
without it legacy tokens get 401), ``LABEL_STUDIO_BASE_DATA_DIR``, ``DJANGO_DB=sqlite``.
If the port is busy Label Studio silently takes the next free one, so the port is checked
here first.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Errors, VnpolicyError
from ..paths import repo_root

logger = logging.getLogger(__name__)

BIN_ENV = "VNPOLICY_LABEL_STUDIO_BIN"
DEFAULT_USERNAME = "admin@vnpolicy.local"
CREDENTIALS = "credentials.json"
#: Variables a parent shell may set that would point Label Studio elsewhere.
_CLEARED_ENV = ("HOST", "LABEL_STUDIO_HOST", "HEARTEX_HOST", "DATABASE_NAME", "LABEL_STUDIO_DATABASE_NAME",
                "HEARTEX_DATABASE_NAME", "DJANGO_DB", "HEARTEX_DJANGO_DB", "LABEL_STUDIO_PORT", "PORT")


@dataclass
class StudioServer:
    """A running Label Studio started by :func:`serve`.

    Attributes:
        url: where it answers, e.g. ``http://127.0.0.1:8080``.
        token: the admin's legacy API token.
        username, password: the admin's login for the web interface.
        workspace: the folder holding its data, log and credentials.
        process: the ``label-studio`` process.
    """

    url: str
    token: str
    username: str
    password: str
    workspace: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.workspace / "label-studio.log"

    def running(self) -> bool:
        """Tell whether the process is still alive."""
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server (SIGTERM to its own process group, then SIGKILL after ``timeout``)."""
        if not self.running():
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)
        except ProcessLookupError:
            pass

    def __enter__(self) -> StudioServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def find_executable() -> Path:
    """Find ``label-studio``: ``$VNPOLICY_LABEL_STUDIO_BIN``, else on ``PATH``, else
    ``<repo>/.venv-studio/bin/label-studio``.

    Raises:
        VnpolicyError: E125 when none of them exists.
    """
    default = repo_root() / ".venv-studio" / "bin" / "label-studio"
    for candidate in (os.environ.get(BIN_ENV), shutil.which("label-studio"), default):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise VnpolicyError(Errors.E125.format(default=default))


def load_credentials(workspace: str | Path) -> dict:
    """Return the credentials stored in ``<workspace>/credentials.json``, or ``{}``."""
    path = Path(workspace) / CREDENTIALS
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_credentials(workspace: Path, creds: dict) -> None:
    path = workspace / CREDENTIALS
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(creds, f, indent=2)
    os.chmod(path, 0o600)  # also when the file already existed with wider permissions


def _credentials(workspace: Path, username: str | None, password: str | None, token: str | None) -> tuple[dict, str]:
    """Merge arguments, environment, stored and generated credentials; say where the token came from."""
    stored = load_credentials(workspace)
    env = os.environ
    token_source = "the argument" if token else "LABEL_STUDIO_USER_TOKEN" if env.get("LABEL_STUDIO_USER_TOKEN") \
        else str(workspace / CREDENTIALS) if stored.get("token") else "a new token"
    creds = {
        "username": username or env.get("LABEL_STUDIO_USERNAME") or stored.get("username") or DEFAULT_USERNAME,
        "password": password or env.get("LABEL_STUDIO_PASSWORD") or stored.get("password") or secrets.token_urlsafe(12),
        "token": token or env.get("LABEL_STUDIO_USER_TOKEN") or stored.get("token") or secrets.token_hex(20),
    }
    if not 6 <= len(creds["token"]) <= 40:
        raise VnpolicyError(Errors.E130.format(length=len(creds["token"])))
    return creds, token_source


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # as the server will: a port left in TIME_WAIT by a stopped server is free
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    # Label Studio checks "localhost" too before it binds, and moves on silently if it is taken
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("localhost", port)) != 0


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on ``host`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None, timeout: float = 5.0) -> int:
    """GET ``url`` and return the HTTP status (0 when nothing answers)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return 0


def serve(
    workspace: str | Path,
    host: str = "127.0.0.1",
    port: int = 8080,
    username: str | None = None,
    password: str | None = None,
    token: str | None = None,
    timeout: float = 300.0,
) -> StudioServer:
    """Start Label Studio with its data in ``workspace`` and wait until it answers.

    Credentials come from the arguments, else ``LABEL_STUDIO_USERNAME`` /
    ``LABEL_STUDIO_PASSWORD`` / ``LABEL_STUDIO_USER_TOKEN``, else the workspace's
    ``credentials.json``, else are generated; they are saved there (mode 0600).

    Args:
        workspace: the folder for the database, media, log and credentials (created).
        host: the address to listen on.
        port: the port; it must be free.
        username, password, token: the admin's email, password and legacy API token
            (6 to 40 characters).
        timeout: seconds to wait for ``/health`` (the first start runs migrations, ~1 min).

    Returns:
        The running :class:`StudioServer`; call ``stop()`` (or use it as a context manager).

    Raises:
        VnpolicyError: E125 no executable, E127 port busy, E126 not healthy in time (the
            process is stopped), E128 the workspace already has another token, E130 bad token.
    """
    workspace = Path(workspace).resolve()
    workspace.mkdir(parents=True, exist_ok=True)
    executable = find_executable()
    creds, token_source = _credentials(workspace, username, password, token)
    if not _port_free(host, port):
        raise VnpolicyError(Errors.E127.format(host=host, port=port))
    url = f"http://{host}:{port}"
    if not load_credentials(workspace):
        # before the first start, so a token Label Studio is about to adopt is never lost
        _save_credentials(workspace, {**creds, "url": url})
    data_dir = workspace / "data"
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED_ENV}
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_DJANGO_DB": "sqlite",
        "LABEL_STUDIO_USERNAME": creds["username"],
        "LABEL_STUDIO_PASSWORD": creds["password"],
        "LABEL_STUDIO_USER_TOKEN": creds["token"],
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        # no calls home: the texts are unpublished annotation work, and the machine may be offline
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
    })
    cmd = [str(executable), "start", "--no-browser", "--internal-host", host, "--port", str(port),
           "--data-dir", str(data_dir), "--log-level", "WARNING"]
    log_path = workspace / "label-studio.log"
    with open(log_path, "ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(cmd)}\n".encode())
        log.flush()
        process = subprocess.Popen(cmd, cwd=workspace, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = StudioServer(url=url, token=creds["token"], username=creds["username"], password=creds["password"],
                          workspace=workspace, process=process)
    logger.info("Starting Label Studio at %s (log: %s)", url, log_path)
    deadline = time.monotonic() + timeout
    while _get(f"{url}/health") != 200:
        if not server.running() or time.monotonic() > deadline:
            exited = f" (it exited with code {process.returncode})" if not server.running() else ""
            server.stop()
            raise VnpolicyError(Errors.E126.format(url=url, timeout=int(timeout), exited=exited, log=log_path))
        time.sleep(0.5)
    if _get(f"{url}/api/current-user/whoami", creds["token"]) != 200:
        server.stop()
        raise VnpolicyError(Errors.E128.format(workspace=workspace, source=token_source))
    _save_credentials(workspace, {**creds, "url": url})
    return server
