"""Which gradebook ``ann-course grade`` writes: the course's for its own submitted/, else a private one."""

from __future__ import annotations

import shutil

from autograder.grading.course_gradebook import course_of
from autograder.settings import REPO


def _course(tmp_path, extra=""):
    root = tmp_path / "ann-course"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    if extra:
        with (root / "nbgrader_config.py").open("a") as f:
            f.write(extra)
    (root / "submitted").mkdir()
    return root


def test_the_courses_submitted_folder_is_graded_into_the_courses_gradebook(tmp_path):
    root = _course(tmp_path)
    course = course_of(root / "submitted")
    assert course is not None
    assert course.db_url == f"sqlite:///{root / 'gradebook.db'}"
    assert course.feedback == root / "feedback"
    assert course.autograded == root / "autograded"
    assert course.late == {}


def test_the_courses_late_policy_is_read_from_its_nbgrader_config(tmp_path):
    root = _course(tmp_path, '\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    assert course_of(root / "submitted").late == {"LateSubmissionPlugin": {"penalty_method": "zero"}}


def test_the_sample_class_and_other_folders_keep_a_private_gradebook(tmp_path):
    assert course_of(REPO / "examples" / "submitted") is None  # make demo
    root = _course(tmp_path)
    (root / "elsewhere").mkdir()
    assert course_of(root / "elsewhere") is None
    assert course_of(tmp_path) is None


def test_a_course_that_collects_elsewhere_is_followed(tmp_path):
    root = _course(tmp_path, '\nc.CourseDirectory.submitted_directory = "collected"\n')
    (root / "collected").mkdir()
    assert course_of(root / "submitted") is None
    assert course_of(root / "collected") is not None


def test_grading_the_courses_submitted_folder_fills_its_gradebook_and_feedback_again_and_again(
        tmp_path):
    import contextlib
    import csv
    import io

    from nbgrader.api import Gradebook

    from autograder.cli import main
    from autograder.release.sample_class import write_sample_class

    lesson = "01_neuron"
    root = _course(tmp_path)
    write_sample_class(root / "submitted", [lesson])
    out = tmp_path / "out"
    for extra in ([], ["--force"]):  # the second run finds submissions in the course's gradebook
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(["grade", str(root / "submitted"), "--out", str(out), "--jobs", "2",
                         "--timeout", "30", *extra])
        assert code == 0
    assert not (out / ".nbgrader" / "gradebook.db").exists()
    csv_scores = {}
    for row in csv.DictReader((out / "grades.csv").open()):
        csv_scores[row["student_id"]] = csv_scores.get(row["student_id"], 0) + float(row["score"])
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "ann-course") as gb:
        db_scores = {s.student.id: s.score for s in gb.assignment_submissions(lesson)}
    assert db_scores == csv_scores and len(db_scores) == 3
    for student in db_scores:
        assert (root / "feedback" / student / lesson / f"{lesson}.html").is_file()
        assert (root / "autograded" / student / lesson / f"{lesson}.ipynb").is_file()
