"""The JupyterLab that ``ann-course lab`` opens is a student's (autograder/student_lab.py): in a real
Chromium, nbgrader's menu has the Assignment List and the notebook its Validate button, and
there is no Formgrader, Course List, Create Assignment or news announcement; the formgrader
server extension does not answer. The same configuration, installed into an environment by
``ann-course student-config``, is what JupyterLab's own page-config reader sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

from autograder.release.student_lab import DISABLED

from .conftest import ARTIFACTS, course_lessons

LESSON = course_lessons()[0]


def test_a_students_lab_has_the_assignment_list_and_validate_and_no_instructor_tools(
        lab_server, page):
    page.goto(lab_server.notebook_url(f"release/{LESSON}/{LESSON}.ipynb"))
    page.locator(".jp-Toolbar-item", has_text="Validate").first.wait_for()
    config = page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent)")
    assert set(DISABLED) <= set(config["disabledExtensions"]), config["disabledExtensions"]
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    menu = page.locator(".lm-Menu-content").first
    menu.wait_for()
    items = menu.inner_text()
    page.screenshot(path=str(ARTIFACTS / "student-lab-menu.png"))
    assert "Assignment List" in items, items
    assert "Formgrader" not in items and "Course List" not in items, items
    page.keyboard.press("Escape")
    labels = page.evaluate("""() => [...document.querySelectorAll('[title], [aria-label]')]
        .map(e => (e.getAttribute('title') || '') + ' ' + (e.getAttribute('aria-label') || ''))""")
    assert not [t for t in labels if "Create Assignment" in t or "Formgrader" in t], labels
    assert "Would you like to receive official Jupyter news" not in page.inner_text("body")
    try:
        status = urllib.request.urlopen(f"{lab_server.url}/formgrader?token={lab_server.token}",
                                        timeout=30).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 404


def test_student_config_installs_into_an_environment_what_jupyterlab_reads(tmp_path):
    prefix = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "autograder", "student-config", "--prefix", str(prefix)],
                   check=True, capture_output=True)
    code = ("from jupyterlab_server.config import get_static_page_config; import json; "
            "print(json.dumps(get_static_page_config(level='all')))")
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter")}
    seen = json.loads(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                     capture_output=True, text=True).stdout)
    assert {name for name, off in seen["disabledExtensions"].items() if off} >= set(DISABLED)
    assert "@jupyter/nbgrader:assignment-list" not in seen["disabledExtensions"]
    assert "@jupyter/nbgrader:validate-assignment" not in seen["disabledExtensions"]
