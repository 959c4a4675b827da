"""Starting a local Label Studio: executable lookup, credentials, port checks, a real start."""

from __future__ import annotations

import json
import os
import socket
import stat
import urllib.request

import pytest

from vnpolicy_nlp.errors import VnpolicyError
from vnpolicy_nlp.labelstudio import server as server_mod
from vnpolicy_nlp.labelstudio.server import find_executable, free_port, load_credentials, serve


def test_server_executable_from_env(tmp_path, monkeypatch):
    exe = tmp_path / "label-studio"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("VNPOLICY_LABEL_STUDIO_BIN", str(exe))
    assert find_executable() == exe


def test_server_missing_executable_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("VNPOLICY_LABEL_STUDIO_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(server_mod, "repo_root", lambda: tmp_path)
    with pytest.raises(VnpolicyError, match=r"^E125 .*scripts/install_studio.sh"):
        find_executable()


def test_server_busy_port_is_refused(tmp_path, monkeypatch):
    exe = tmp_path / "label-studio"
    exe.write_text("#!/bin/sh\nexit 3\n")
    exe.chmod(0o755)
    monkeypatch.setenv("VNPOLICY_LABEL_STUDIO_BIN", str(exe))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(VnpolicyError, match=f"^E127 Port {port}"):
            serve(tmp_path / "ws", port=port)


def test_server_exit_before_health_is_reported_with_log(tmp_path, monkeypatch):
    exe = tmp_path / "label-studio"
    exe.write_text("#!/bin/sh\necho 'cannot start' >&2\nexit 3\n")
    exe.chmod(0o755)
    monkeypatch.setenv("VNPOLICY_LABEL_STUDIO_BIN", str(exe))
    with pytest.raises(VnpolicyError, match=r"^E126 .*exited with code 3.*label-studio.log"):
        serve(tmp_path / "ws", port=free_port(), timeout=20)
    assert "cannot start" in (tmp_path / "ws" / "label-studio.log").read_text()


def test_server_token_length_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("VNPOLICY_LABEL_STUDIO_BIN", "/bin/true")
    with pytest.raises(VnpolicyError, match="^E130"):
        serve(tmp_path, port=free_port(), token="abc")


@pytest.mark.integration
def test_server_starts_with_private_credentials_and_legacy_token(label_studio):
    creds_path = label_studio.workspace / "credentials.json"
    assert stat.S_IMODE(os.stat(creds_path).st_mode) == 0o600
    creds = load_credentials(label_studio.workspace)
    assert creds["token"] == label_studio.token and creds["url"] == label_studio.url
    assert (label_studio.workspace / "data" / "label_studio.sqlite3").is_file()
    request = urllib.request.Request(f"{label_studio.url}/api/current-user/whoami",
                                     headers={"Authorization": f"Token {label_studio.token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["email"] == label_studio.username
