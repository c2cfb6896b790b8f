"""Which gradebook ``ann-course grade`` writes: the course's for its own submitted/, else a private one."""

from __future__ import annotations

import shutil

from autograder.course_gradebook import course_of
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
