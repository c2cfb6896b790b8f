"""grading/grade.py: ``grade()`` returns a typed :class:`RunSummary`: its rows, what it graded or
reused, and the seconds of each stage; an unchanged submission is not graded again.

One student, one lesson, one real sandboxed kernel (the first run); the second run starts none.
The command's printing, the Dask cluster and the CSVs are in ``test_grade_run.py``.
"""

from __future__ import annotations

import dataclasses

import nbformat
import pytest

from autograder.grading.grade import RunSummary, StageTimes, grade
from autograder.grading.staging import expected_cells
from autograder.limits import Limits
from autograder.release.sample_class import submission
from autograder.settings import REPO

L, NB = "02_standardizing", "02_standardizing.ipynb"
JOB_STAGES = ("staging", "kernel", "cells", "judge", "autograde", "feedback")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("grade")
    folder = root / "submitted" / "dora" / L
    folder.mkdir(parents=True)
    nbformat.write(submission(L, NB), folder / NB)
    out = root / "out"
    first = grade(root / "submitted", out, limits=Limits(timeout=60), jobs=1, report=False)
    second = grade(root / "submitted", out, limits=Limits(timeout=60), jobs=1, report=False)
    return first, second


def test_a_complete_submission_gets_every_points_as_typed_rows(two_runs):
    first, _ = two_runs
    assert isinstance(first, RunSummary) and isinstance(first.seconds, StageTimes)
    assert (first.graded, first.reused, first.failed, first.sandboxed) == (1, 0, 0, True)
    expected = expected_cells(REPO, L)[NB]
    assert [(r.student_id, r.exercise, r.score, r.max_score, r.status) for r in first.rows] == [
        ("dora", gid, points, points, "ok") for gid, points in expected]


def test_each_stage_of_a_graded_run_is_timed_and_the_jobs_fit_in_the_run(two_runs):
    spent = dataclasses.asdict(two_runs[0].seconds)
    assert all(spent[s] > 0 for s in (*JOB_STAGES, "job", "register", "merge", "csv")), spent
    assert spent["report"] == spent["similarity"] == 0.0  # report=False: not written
    assert spent["job"] >= sum(spent[s] for s in JOB_STAGES)
    assert spent["total"] >= spent["job"] + spent["register"] + spent["csv"]


def test_an_unchanged_submission_is_reused_without_a_kernel(two_runs):
    first, second = two_runs
    assert (second.graded, second.reused, second.failed) == (0, 1, 0)
    assert second.rows == first.rows
    spent = second.seconds
    assert spent.job == spent.kernel == spent.cells == spent.register == 0.0
    assert spent.csv > 0 and spent.total > 0  # the CSVs are written again from the gradebook
