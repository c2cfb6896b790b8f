"""Late penalties as a course grades them (autograder/late_policy.py), with real nbgrader: a
course whose nbgrader_config.py takes 10 % of the max score per started day late, at most 50 %,
with a 48-hour extension for one student, graded by ``ann-course grade`` into its gradebook."""

from __future__ import annotations

import csv
import math
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from autograder import notebooks
from autograder.outputs.late_policy import PenaltyPerDay
from autograder.release.sample_class import submission
from autograder.settings import REPO

LESSON, NOTEBOOK = "01_neuron", "01_neuron.ipynb"
DUE = datetime(2026, 12, 1, 23, 59, tzinfo=UTC)
POLICY = """
c.AssignLatePenalties.plugin_class = "autograder.outputs.late_policy.PenaltyPerDay"
c.PenaltyPerDay.percent_per_day = 10
c.PenaltyPerDay.max_percent = 50
c.PenaltyPerDay.grace_minutes = 15
c.PenaltyPerDay.extension_hours = {"extended": 48}
"""
#: student -> hours after the due date
SUBMITTED = {"on_time": -2, "in_grace": 0.2, "a_day_and_a_half": 36, "ten_days": 240,
             "extended": 36}


def test_started_days_count_after_the_grace_period_and_the_extension():
    plugin = PenaltyPerDay(percent_per_day=10, max_percent=50, grace_minutes=15,
                           extension_hours={"x": 24})
    assert [plugin.days_late("y", s) for s in (0, 900, 901, 86400, 86401)] == [0, 0, 1, 1, 2]
    assert plugin.days_late("x", 86400 + 900) == 0 and plugin.days_late("x", 86400 + 901) == 1
    assert plugin.percent("y", 10 * 86400) == 50


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from nbgrader.api import Gradebook

    from autograder.grading.grade import grade
    from autograder.nbgrader_api import _fast_alembic

    _fast_alembic()  # a gradebook without the `alembic` script on PATH, as ann-course makes them
    root = tmp_path_factory.mktemp("late") / "course"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    with (root / "nbgrader_config.py").open("a") as f:
        f.write(POLICY)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "ann-course") as gb:
        gb.update_or_create_assignment(LESSON, duedate=DUE.replace(tzinfo=None))
    for student, hours in SUBMITTED.items():
        folder = root / "submitted" / student / LESSON
        notebooks.write(submission(LESSON, NOTEBOOK), folder / NOTEBOOK)
        stamp = DUE + timedelta(hours=hours)
        (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    out = root.parent / "out"
    grade(root / "submitted", out, jobs=2)
    rows = list(csv.DictReader((out / "grades.csv").open()))
    return root, out, rows


def test_penalties_grow_per_started_day_are_capped_and_spare_extensions_in_grades_csv(graded):
    root, out, rows = graded
    max_score = sum(float(r["max_score"]) for r in rows
                    if r["student_id"] == "on_time" and r["exercise"] != "late_submission_penalty")
    penalties = {r["student_id"]: r for r in rows if r["exercise"] == "late_submission_penalty"}
    assert sorted(penalties) == ["a_day_and_a_half", "ten_days"]
    for student, percent in (("a_day_and_a_half", 20), ("ten_days", 50)):
        row = penalties[student]
        assert float(row["score"]) == pytest.approx(-max_score * percent / 100)
        days = math.ceil(SUBMITTED[student] / 24)
        assert row["status"].startswith(f"late: {NOTEBOOK} submitted "), row["status"]
        assert (f"{days} started day(s) late x 10 % of the max score per day, at most 50 % = "
                f"{percent} %") in row["status"], row["status"]
    totals = {r["student_id"]: float(r["total"]) for r in csv.DictReader((out / "totals.csv").open())}
    assert totals["extended"] == totals["in_grace"] == totals["on_time"] == max_score
    assert totals["a_day_and_a_half"] == pytest.approx(0.8 * max_score)


def test_the_gradebook_and_the_students_feedback_show_the_penalty_and_the_rule(graded):
    from nbgrader.api import Gradebook

    from tests.conftest import html_text

    root, out, _ = graded
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "ann-course") as gb:
        scores = {s.student.id: (s.score, s.late_submission_penalty)
                  for s in gb.assignment_submissions(LESSON)}
    max_score = scores["on_time"][0]  # nbgrader's score is before the penalty (export subtracts it)
    assert scores["ten_days"] == (max_score, pytest.approx(0.5 * max_score))
    assert scores["extended"] == (max_score, 0)
    text = html_text(root / "feedback" / "a_day_and_a_half" / LESSON / "01_neuron.html")
    assert "Late submission." in text and "2 started day(s) late" in text and "= 20 %" in text
    assert f"Late submission penalty (Score: -{0.2 * max_score:.1f})" in text
    assert f"(Score: {0.8 * max_score:.1f} / {max_score:.1f})" in text
    assert "Late submission" not in html_text(root / "feedback" / "extended" / LESSON /
                                             "01_neuron.html")
