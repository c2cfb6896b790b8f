"""A real JupyterLab server (started by ``ann-course lab``) and a real headless Chromium.

One server and one browser for the whole session. The server's root is a temporary folder with
``release/<lesson>/`` (the course as released) and ``filled/<lesson>/`` (the release with the
solutions typed in, as a student would); screenshots go to ``test-artifacts/browser/``.

Without a browser the tests are skipped, except under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.release.sample_class import submission
from autograder.settings import REPO
from tests.processes import descendants, survivors

ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic"]


def course_lessons():
    """Every lesson folder of course/ that holds a notebook."""
    return sorted(p.name for p in (REPO / "course").iterdir()
                  if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))


def _unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path():
    for candidate in (os.environ.get("ANN_COURSE_CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        _unavailable("no Chromium found (apt-get install chromium, or set ANN_COURSE_CHROMIUM)")
    return path


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, url, token, root):
        self.url, self.token, self.root = url, token, root

    def notebook_url(self, rel):
        return f"{self.url}/lab/tree/{rel}?token={self.token}&reset"


@pytest.fixture(scope="session")
def lab_server(chromium, tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    for lesson in course_lessons():
        for kind in ("release", "filled"):
            shutil.copytree(REPO / "course" / lesson, root / kind / lesson,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for path in sorted((REPO / "course" / lesson).glob("*.ipynb")):
            notebooks.write(submission(lesson, path.name), root / "filled" / lesson / path.name)
    settings = base / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell stays in the page (no virtual scrolling), so that every output can be inspected
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = base / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')  # no news toast
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"), JUPYTER_RUNTIME_DIR=str(base / "rt"))
    env.pop("NBGRADER_EXECUTION", None)
    port, token = _free_port(), os.urandom(16).hex()
    cmd = [sys.executable, "-m", "autograder", "lab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           # a kernel whose page was closed is stopped once idle, not kept (with ~200 MB) until
           # the last browser test is done; a kernel with a page open is never stopped
           "--MappingKernelManager.cull_idle_timeout=240", "--MappingKernelManager.cull_interval=60"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with served(cmd, port, token, base / "lab.log", "ann-course lab", cwd=REPO, env=env) as url:
        yield Lab(url, token, root)


@contextlib.contextmanager
def served(cmd, port, token, log_path, what, **popen):
    """Run the Jupyter server ``cmd`` (on ``port``) for the block; yield its URL.

    Fails the test if it does not answer within 2 minutes, or if stopping it (SIGTERM) leaves a
    process it started behind; its log is copied to test-artifacts/browser/.
    """
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **popen)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                pytest.fail(f"{what} did not start:\n" + Path(log_path).read_text()[-3000:])
            time.sleep(0.3)
    try:
        yield url
    finally:
        tree = descendants(proc.pid)  # the kernels the tests started
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / Path(log_path).name)
    left = survivors(tree)
    assert left == [], f"stopping {what} left these processes running: {left}"


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="ann-course-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(60_000)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()
