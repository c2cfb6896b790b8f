"""``ann-course grade`` pointed at a folder that is not nbgrader's submitted layout says so and fails.

The two usual mistakes (the exchange's inbound folder, one student's folder) exit non-zero with
what was expected, what was found and which files were ignored; a normal folder with a stray file
is still graded (exit 0), the stray file named in a warning.
"""

from __future__ import annotations

import contextlib
import io
import shutil

from autograder.cli import main
from autograder.settings import REPO

L = "01_neuron"
RELEASE = REPO / "course" / L / f"{L}.ipynb"


def _grade(submitted, out):
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["grade", str(submitted), "--out", str(out), "--jobs", "1", "--timeout", "30"])
    return code, stdout.getvalue(), stderr.getvalue()


def test_the_exchange_inbound_folder_is_refused_with_what_was_expected_and_ignored(tmp_path):
    inbound = tmp_path / "exchange" / "ann-course" / "inbound"
    for student in ("ann_s1", "ann_s2"):
        sub = inbound / f"{student}+{L}+2026-11-28 21:00:00.000000 UTC"
        sub.mkdir(parents=True)
        shutil.copy(RELEASE, sub / f"{L}.ipynb")
        (sub / "timestamp.txt").write_text("2026-11-28 21:00:00.000000 UTC")
    code, stdout, stderr = _grade(inbound, tmp_path / "out")
    assert code != 0
    assert "nothing to grade" in stderr
    assert "expected SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb" in stderr
    assert f"ann_s1+{L}+2026-11-28 21:00:00.000000 UTC/{L}.ipynb" in stderr  # ignored, by name
    assert f"ann_s2+{L}+2026-11-28 21:00:00.000000 UTC/{L}.ipynb" in stderr
    assert "exchange inbound folder" in stderr and "nbgrader collect" in stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_a_student_folder_with_notebooks_directly_inside_is_refused(tmp_path):
    student = tmp_path / "ann_s1"
    student.mkdir()
    shutil.copy(RELEASE, student / f"{L}.ipynb")
    code, _, stderr = _grade(student, tmp_path / "out")
    assert code != 0
    assert "nothing to grade" in stderr
    assert "0 notebook(s) in that layout, 1 elsewhere" in stderr
    assert f"ignored: {L}.ipynb" in stderr
    assert "directly inside" in stderr


def test_one_students_folder_is_refused_and_the_parent_is_suggested(tmp_path):
    student = tmp_path / "ann_s1"
    (student / L).mkdir(parents=True)
    shutil.copy(RELEASE, student / L / f"{L}.ipynb")
    code, _, stderr = _grade(student, tmp_path / "out")
    assert code != 0
    assert f"ignored: {L}/{L}.ipynb" in stderr
    assert "one student's folder" in stderr


def test_a_normal_folder_is_graded_and_a_stray_notebook_is_named(tmp_path):
    submitted = tmp_path / "submitted"
    (submitted / "ann_s1" / L).mkdir(parents=True)
    shutil.copy(RELEASE, submitted / "ann_s1" / L / f"{L}.ipynb")
    shutil.copy(RELEASE, submitted / "stray.ipynb")
    code, stdout, stderr = _grade(submitted, tmp_path / "out")
    assert code == 0, stderr
    assert "graded 1 submission(s)" in stderr
    assert "warning" in stderr and "ignored: stray.ipynb" in stderr
    assert "ann_s1" in stdout
    assert (tmp_path / "out" / "grades.csv").read_text().count("ann_s1") >= 1
