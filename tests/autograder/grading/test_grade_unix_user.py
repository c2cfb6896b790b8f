"""``ann-course grade`` run by an ordinary Unix user (an instructor's account), sandboxed.

As root, the test creates a real Unix user, the instructor, with a copy of the course in their
home (lesson 01: its solutions, the two packages, ``nbgrader_config.py``) and a collected class
in its ``submitted/`` folder (one complete submission with nbgrader's ``timestamp.txt``), then
runs ``python -m autograder grade submitted --out out`` as that user in that folder, as the
instructor of the JupyterHub test does: the grader imports the course folder's own
``autograder`` (not the installed one), grades into the course's gradebook, and runs each
kernel in a bubblewrap sandbox of its own, in that user's namespaces.

Without root (or bubblewrap) it is skipped, except under CI (``CI`` set), where it fails.
It took 35 s to 1 minute on a loaded 2-core machine (the user's Python, then one notebook graded).
"""

from __future__ import annotations

import csv
import os
import pwd
import shutil

import pytest

from autograder import notebooks
from autograder.release.sample_class import submission
from autograder.sandbox import bubblewrap as sandbox
from autograder.settings import REPO
from tests.unix_users import add_user, remove_user, require_root, run, shared_folder, unavailable, users_venv

LESSON, NOTEBOOK = "01_neuron", "01_neuron.ipynb"
STUDENT = "stud1"
_PACKAGE_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


@pytest.fixture(scope="module")
def instructor():
    """A Unix user with a course folder of their own and a collected class in it."""
    require_root()
    if sandbox.bwrap_path() is None:
        unavailable("needs bubblewrap (installed by .ci/run)")
    base = shared_folder("ann-grade-user-")
    user = f"ann_g{os.getpid() % 100000}"
    try:
        (base / "home").mkdir(mode=0o755)
        add_user(user, home=base / "home" / user)
        course = base / "home" / user / "ann-course"
        for package in ("ann_lib", "autograder"):
            shutil.copytree(REPO / package, course / package, ignore=_PACKAGE_IGNORE)
        shutil.copytree(REPO / "solutions" / LESSON, course / "solutions" / LESSON)
        shutil.copy2(REPO / "nbgrader_config.py", course)
        handed_in = course / "submitted" / STUDENT / LESSON
        notebooks.write(submission(LESSON, NOTEBOOK), handed_in / NOTEBOOK)
        (handed_in / "timestamp.txt").write_text("2026-11-28 12:00:00.000000 UTC\n")
        pw = pwd.getpwnam(user)
        run(["chown", "-R", f"{user}:{pw.pw_gid}", str(course)])
        python, jupyter_env, _ = users_venv(base / "venv", user)
        env = {"PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "MPLBACKEND": "Agg", **jupyter_env}
        yield {"user": user, "course": course, "python": python, "env": env}
    finally:
        remove_user(user)
        shutil.rmtree(base, ignore_errors=True)


def test_an_instructor_user_grades_the_courses_submitted_folder_sandboxed_with_full_marks(instructor):
    course = instructor["course"]
    graded = run([str(instructor["python"]), "-m", "autograder", "grade", "submitted", "--out", "out",
                  "--jobs", "1"], user=instructor["user"], cwd=course, env=instructor["env"])
    assert "is the course's submitted folder" in graded.stderr  # the course's own gradebook
    assert "every notebook ran in a sandbox of its own" in graded.stderr
    rows = list(csv.DictReader((course / "out" / "grades.csv").open()))
    solution = notebooks.read(REPO / "solutions" / LESSON / NOTEBOOK)
    assert sorted(r["exercise"] for r in rows) == sorted(g for g, _ in notebooks.test_cells(solution))
    wrong = [(r["exercise"], r["score"], r["max_score"], r["status"]) for r in rows
             if r["status"] != "ok" or r["score"] != r["max_score"]]
    assert wrong == [], graded.stderr[-3000:]
    assert sum(float(r["score"]) for r in rows) == sum(p for _, p in notebooks.test_cells(solution))
    assert (course / "feedback" / STUDENT / LESSON / NOTEBOOK.replace(".ipynb", ".html")).is_file()
