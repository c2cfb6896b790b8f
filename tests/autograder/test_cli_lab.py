"""``ann-course lab`` is the JupyterLab server itself: stopping it stops the server and its kernels."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.settings import REPO
from tests.processes import cmdline, descendants, survivors


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url, token, method="GET"):
    req = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None,
                                 headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _ann_course():
    script = Path(sys.executable).parent / "ann-course"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "autograder"]


def test_sigterm_to_ann_course_lab_stops_the_server_and_its_kernel(tmp_path):
    port, token = _free_port(), os.urandom(16).hex()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"))
    cmd = [*_ann_course(), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={tmp_path}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _request(f"{url}/api/status", token)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.3)
        started = cmdline(proc.pid)
        kernel = _request(f"{url}/api/kernels", token, method="POST")
        assert [k["id"] for k in _request(f"{url}/api/kernels", token)] == [kernel["id"]]
        tree = descendants(proc.pid)
        assert any("ipykernel" in cmdline(pid) for pid in tree), [cmdline(p) for p in tree]
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    left = survivors(tree)
    for pid in tree:  # a failing run leaves nothing behind either
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert left == [], "the server or its kernel outlived ann-course lab"
    assert "jupyterlab" in started  # the process started was the server itself (exec)
    with pytest.raises(OSError):
        _request(f"{url}/api/status", token)
