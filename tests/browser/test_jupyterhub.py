"""The course on a real JupyterHub: a student works lesson 01 in Chromium, the instructor grades it.

Real parts only: JupyterHub (from PyPI) runs as root on 127.0.0.1 behind the
configurable-http-proxy (from npm), authenticates with PAM, and spawns each user's single-user
JupyterLab as that Unix user (LocalProcessSpawner) from this project's venv (nbgrader's lab
extension, the course's package). Two real Unix users (``ann_hub_t<pid>``, the instructor, and
``ann_hub_s<pid>``, the student, with passwords set by chpasswd) share an nbgrader exchange in a
temporary folder, named by a system-level ``nbgrader_config.py`` on the users' ``JUPYTER_CONFIG_PATH``.

1. The instructor (a copy of this course, owned by them) runs ``nbgrader db assignment add`` and
   ``nbgrader release_assignment 01_neuron``.
2. The student logs in to the hub in Chromium, opens *Nbgrader > Assignment List*, fetches
   01_neuron, opens it, types the answers into the answer cells, runs every cell, presses
   *Validate* and submits from the Assignment List.
3. The instructor runs ``nbgrader collect``, ``ann-course grade submitted --out out`` (sandboxed:
   each kernel in a bubblewrap sandbox of its own, in the instructor's user namespace) and
   ``nbgrader release_feedback``.
4. The student presses *Fetch Feedback* in the Assignment List and opens the feedback, which shows
   the full score.

Screenshots of each step go to ``test-artifacts/browser/hub-*.png``, the hub's log to
``test-artifacts/browser/jupyterhub.log``. It needs root, PAM, ``useradd``, the proxy, bubblewrap
and Chromium:
without one of them it is skipped, except under CI (``CI`` set), where it fails. It took 2 min 20 s
to 8 minutes on a loaded 2-core machine (set-up ~30-80 s: users, a copy of the course and of the
interpreter; then a single-user server, a kernel, nbgrader's validate and the sandboxed grading).
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.settings import REPO
from tests.unix_users import add_user, remove_user, run, shared_folder, users_venv

from .conftest import ARTIFACTS, _free_port, _unavailable

LESSON, NOTEBOOK = "01_neuron", "01_neuron.ipynb"
BIN = Path(sys.executable).parent
UI_TIMEOUT_MS = 180_000
_COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                                      "out", "demo-out", ".nbgrader", "gradebook.db", "submitted",
                                      "autograded", "feedback", "test-artifacts", ".pytest_cache",
                                      ".ruff_cache", ".hypothesis", "bench", ".mypy_cache")

ALL_DONE = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')];
  const busy = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent))
    && busy !== null && busy.dataset.status === 'idle';
}"""


def proxy_path():
    """configurable-http-proxy: $ANN_COURSE_CHP, on PATH, or in ./node_modules/.bin."""
    for candidate in (os.environ.get("ANN_COURSE_CHP"), shutil.which("configurable-http-proxy"),
                      str(REPO / "node_modules" / ".bin" / "configurable-http-proxy")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


class Hub:
    def __init__(self, url, base, teacher, student, password, env, python):
        self.url, self.base, self.teacher, self.student = url, base, teacher, student
        self.password, self.env, self.python = password, env, python
        self.course = Path(pwd.getpwnam(teacher).pw_dir) / "ann-course"

    def instructor(self, module, *args, check=True):
        """``python -m module args`` as the instructor, in their course folder."""
        return run([str(self.python), "-m", module, *args], user=self.teacher, cwd=self.course,
                   env=self.env, check=check)


def _requirements(chromium):
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        _unavailable("the JupyterHub test needs root (it creates Unix users and runs the hub)")
    for tool in ("useradd", "userdel", "chpasswd"):
        if shutil.which(tool) is None:
            _unavailable(f"no {tool} on PATH")
    try:
        import jupyterhub  # noqa: F401
        import pamela  # noqa: F401
    except ImportError as exc:
        _unavailable(f"{exc.name} is not installed (pip install -e '.[test]')")
    if shutil.which("bwrap") is None:
        _unavailable("no bubblewrap (bwrap) on PATH: the instructor grades in sandboxes")
    proxy = proxy_path()
    if proxy is None:
        _unavailable("no configurable-http-proxy (npm install -g configurable-http-proxy, or set "
                     "ANN_COURSE_CHP)")
    return proxy


def _add_user(name, password):
    add_user(name)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)


def _wait_for(url, proc, log, deadline_s=120):
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except urllib.error.HTTPError:
            return  # the hub answers (e.g. 404 or 403 on its API without a token)
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("JupyterHub did not start:\n" + Path(log).read_text()[-4000:])
            time.sleep(0.5)


@pytest.fixture(scope="module")
def hub(chromium):
    proxy = _requirements(chromium)
    tag = f"{os.getpid() % 100000}"
    teacher, student = f"ann_hub_t{tag}", f"ann_hub_s{tag}"
    password = secrets.token_urlsafe(12)
    base = shared_folder("ann_hub_")
    proc = None
    try:
        for user in (teacher, student):
            _add_user(user, password)
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o1777)
        etc = base / "etc-jupyter"  # the users' system-wide Jupyter config, as /etc/jupyter would be
        etc.mkdir()
        (etc / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            "c.CourseDirectory.course_id = 'ann-course'\n"
            f"c.Exchange.root = {str(exchange)!r}\n")
        # the instructor's clone of the course, theirs
        pw = pwd.getpwnam(teacher)
        course = Path(pw.pw_dir) / "ann-course"
        shutil.copytree(REPO, course, ignore=_COPY_IGNORE)
        run(["chown", "-R", f"{teacher}:{pw.pw_gid}", str(course)])
        settings = base / "lab-settings" / "@jupyterlab"
        # every cell stays in the page (no virtual scrolling), no news toast
        (settings / "notebook-extension").mkdir(parents=True)
        (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
            '{"windowingMode": "none"}')
        (settings / "apputils-extension").mkdir(parents=True)
        (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
            '{"fetchNews": "false"}')
        python, jupyter_env, venv_etc = users_venv(base / "venv", student)
        config_path = f"{etc}:{venv_etc}"
        env = {"PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin", "JUPYTER_CONFIG_PATH": config_path,
               "LANG": "C.UTF-8", "MPLBACKEND": "Agg", **jupyter_env}
        port, hub_port, api_port = _free_port(), _free_port(), _free_port()
        (base / "jupyterhub_config.py").write_text(f"""
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {str(base / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{base / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(base / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = {{{student!r}, {teacher!r}}}
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{str(python)!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {{**{env!r},
                          "JUPYTERLAB_SETTINGS_DIR": {str(base / "lab-settings")!r}}}
c.Spawner.args = ["--LabApp.news_url=None",
                  "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
""")
        log_path = base / "jupyterhub.log"
        log = open(log_path, "w")  # noqa: SIM115 - closed below
        proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(base / "jupyterhub_config.py")],
                                cwd=base, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"})
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}/hub/api/", proc, log_path)
        yield Hub(url, base, teacher, student, password, env, python)
    finally:
        if proc is not None:
            proc.terminate()  # the hub stops the servers it spawned and its proxy
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(base / "jupyterhub.log", ARTIFACTS / "jupyterhub.log")
        for user in (teacher, student):
            remove_user(user)  # and only this run's users' processes
        shutil.rmtree(base, ignore_errors=True)


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"hub-{name}.png"))


def _log_in(page, hub):
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", hub.student)
    page.fill("#password_input", hub.password)
    _shot(page, "01-login")
    page.click("#login_submit")
    page.wait_for_selector("#jp-main-dock-panel", timeout=UI_TIMEOUT_MS)
    page.wait_for_selector(".lm-MenuBar-item >> text=Nbgrader", timeout=UI_TIMEOUT_MS)


def _assignment_list(page):
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    page.locator('li[data-command="nbgrader:open-assignment-list"]').click()
    page.wait_for_selector("#released_assignments_list", timeout=UI_TIMEOUT_MS)


def _list_rows(page, name):
    for state in ("loading", "placeholder", "error"):
        page.locator(f"#{name}_assignments_list_{state}").wait_for(state="hidden", timeout=UI_TIMEOUT_MS)
    return page.locator(f"#{name}_assignments_list > .list_item")


def _type_answers(page, answers):
    """Replace each answer cell's text with the answer, typed into its editor."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    nb = notebooks.read(REPO / "course" / LESSON / NOTEBOOK)
    for i, cell in enumerate(nb.cells):
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if not (notebooks.is_answer(cell) and gid in answers):
            continue
        editor = cells.nth(i).locator(".cm-content")
        editor.scroll_into_view_if_needed()
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(answers[gid])
        page.wait_for_function(
            "([i, n]) => document.querySelectorAll('.jp-Notebook .jp-Cell')[i]"
            ".querySelector('.cm-content').innerText.length >= n",
            arg=[i, len(answers[gid].strip()) // 2])


def _wait_until_all_ran(page):
    """Wait until every code cell ran; else fail with the prompts and what the cells printed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(ALL_DONE, timeout=UI_TIMEOUT_MS)
    except PlaywrightTimeout:
        prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        errors = page.locator(".jp-Notebook .jp-OutputArea-output[data-mime-type="
                              "'application/vnd.jupyter.stderr']").all_inner_texts()
        pytest.fail(f"the notebook did not run to the end: prompts {prompts}\n"
                    + "\n".join(e[-1500:] for e in errors))


def test_student_on_jupyterhub_fetches_works_validates_submits_and_gets_feedback(hub, browser):
    # 1. the instructor releases lesson 01 to the exchange
    hub.instructor("nbgrader", "db", "assignment", "add", LESSON)
    hub.instructor("nbgrader", "release_assignment", LESSON)

    page = browser.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    try:
        # 2. the student: log in, fetch, work, validate, submit
        _log_in(page, hub)
        _assignment_list(page)
        released = _list_rows(page, "released")
        released.filter(has_text=LESSON).first.wait_for()
        _shot(page, "02-assignment-list")
        released.filter(has_text=LESSON).locator(".item_status button", has_text="Fetch").click()
        fetched = _list_rows(page, "fetched").filter(has_text=LESSON)
        fetched.first.wait_for()
        fetched.locator("a", has_text=LESSON).first.click()  # expand the notebooks
        page.locator(".list_item a", has_text=NOTEBOOK.removesuffix(".ipynb")).last.click()
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]')

        solution = notebooks.read(REPO / "solutions" / LESSON / NOTEBOOK)
        _type_answers(page, notebooks.answers(solution))
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
        _wait_until_all_ran(page)
        page.keyboard.press("Control+S")
        page.wait_for_selector(".jp-mod-current .jp-DocumentWidget:not(.jp-mod-dirty), "
                               ".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)")
        _shot(page, "03-answered-and-run")

        page.locator(".jp-Toolbar-item", has_text="Validate").first.click()
        dialog = page.locator(".jp-Dialog")
        dialog.wait_for()
        page.wait_for_function(
            "() => !/Validating/.test(document.querySelector('.jp-Dialog').innerText)")
        text = dialog.inner_text()
        _shot(page, "04-validate")
        assert "Success" in text and "passes all the tests" in text, text
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")

        _assignment_list(page)
        fetched = _list_rows(page, "fetched").filter(has_text=LESSON)
        fetched.locator(".item_status button", has_text="Submit").first.click()
        _list_rows(page, "submitted").filter(has_text=LESSON).first.wait_for()
        _shot(page, "05-submitted")

        # 3. the instructor collects, grades and releases the feedback
        hub.instructor("nbgrader", "collect", LESSON)
        submitted = hub.course / "submitted" / hub.student / LESSON / NOTEBOOK
        assert submitted.is_file(), f"nbgrader collect did not bring {submitted}"
        # sandboxed, as any class is graded: each kernel in a bubblewrap sandbox of its own
        graded = hub.instructor("autograder", "grade", "submitted", "--out", "out")
        assert "every notebook ran in a sandbox of its own" in graded.stderr, graded.stderr[-3000:]
        released = hub.instructor("nbgrader", "release_feedback", LESSON)
        in_exchange = sorted((hub.base / "exchange").rglob("feedback/*.html"))
        grades = hub.course / "out" / "grades.csv"
        assert in_exchange, (f"release_feedback put no feedback in the exchange\n{graded.stdout}"
                             f"\n{graded.stderr[-3000:]}\n"
                             f"{grades.read_text() if grades.exists() else 'no grades.csv'}"
                             f"\n{released.stdout}\n{released.stderr}\nfeedback: "
                             f"{sorted(map(str, (hub.course / 'feedback').rglob('*')))}")

        # 4. the student fetches the feedback and sees the full score
        _assignment_list(page)
        page.locator("#refresh_assignments_list").click()
        submitted_rows = _list_rows(page, "submitted").filter(has_text=LESSON)
        submitted_rows.locator("button", has_text="Fetch Feedback").first.click()
        view = page.locator("#submitted_assignments_list a", has_text="view feedback")
        view.first.wait_for(timeout=60_000)
        _shot(page, "06-feedback-fetched")
        home = Path(pwd.getpwnam(hub.student).pw_dir)
        feedback = sorted(home.glob(f"{LESSON}/feedback/*/{LESSON}.html"))
        assert feedback, f"no feedback under {home / LESSON / 'feedback'}"
        rel = feedback[-1].relative_to(home)
        page.goto(f"{hub.url}/user/{hub.student}/files/{rel}")
        score = page.locator("body").inner_text()
        _shot(page, "07-feedback")
        total = sum(p for _, p in notebooks.test_cells(solution))
        assert re.search(rf"Score:\s*{total:g}(\.0+)?\s*/\s*{total:g}(\.0+)?", score), score[:2000]
        assert "BEGIN HIDDEN TESTS" not in score
    finally:
        _shot(page, "99-last")
        page.close()
