"""grading/runner.py: every job gets graded or reported, whatever one of them does.

Real forked workers grading real jobs (:func:`autograder.grading.job.grade_job`); the cheap ones
need no kernel (nothing submitted), the budget test kills a worker whose kernel is starting.
"""

from __future__ import annotations

import dataclasses

import pytest

from autograder import notebooks
from autograder.grading import runner
from autograder.grading.grade import Grader
from autograder.grading.records import JobResult
from autograder.grading.runner import Task
from autograder.limits import Limits
from autograder.release.sample_class import submission

L, NB = "01_neuron", "01_neuron.ipynb"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """ann submitted lesson 01 complete; bob and cy nothing."""
    base = tmp_path_factory.mktemp("runner")
    folder = base / "submitted" / "ann" / L
    folder.mkdir(parents=True)
    notebooks.write(submission(L, NB), folder / NB)
    for name in ("bob", "cy"):
        (base / "submitted" / name).mkdir()
    grader = Grader(base / "submitted", base / "out")
    grader.register([L])
    return grader.run()


def grade(run, pairs, workers=2):
    results: list[JobResult] = []
    runner.run_local(run, pairs, workers, results.append)
    return results


def test_every_job_gets_exactly_one_final_result(run):
    results = grade(run, [("bob", L), ("cy", L)])
    assert sorted((r.student, r.assignment) for r in results) == [("bob", L), ("cy", L)]
    assert all(isinstance(r, JobResult) and not r.failed for r in results)
    assert {r.status for res in results for r in res.rows} == {"not submitted"}


def test_a_job_that_raises_is_graded_twice_then_reported_with_the_error(run):
    broken = dataclasses.replace(run, template=run.template.with_name("no-such-gradebook.db"))
    (result,) = grade(broken, [("bob", L)], workers=1)
    assert result.failed and result.scores == {}
    statuses = {r.status for r in result.rows}
    assert len(statuses) == 1
    (status,) = statuses
    assert status.startswith("grader error: FileNotFoundError") and "no-such-gradebook.db" in status
    assert status.endswith(f"(graded {runner.ATTEMPTS} times)")
    assert "; then " not in status  # the same error twice is said once


def test_a_job_past_its_budget_is_stopped_and_reported_not_retried(run, capfd):
    hurried = dataclasses.replace(run, limits=Limits(budget=1))
    results = grade(hurried, [("ann", L), ("bob", L)])
    # before it is killed, the worker says where it was waiting (for a bug report)
    err = capfd.readouterr().err
    assert f"ann-course: ann/{L} ran past its budget; where its grading worker" in err, err[-2000:]
    assert "most recent call first" in err and "grade_job" in err, err[-2000:]
    by = {r.student: r for r in results}
    assert sorted(by) == ["ann", "bob"]
    assert by["ann"].failed
    assert {r.status for r in by["ann"].rows} == {
        "timeout: the notebook ran past its whole 1 s budget (stopped)"}
    assert not by["bob"].failed  # the other job of the run is not touched


def test_a_dead_kernel_is_graded_once_more_then_kept_as_it_came():
    died = JobResult("ann", L, (), kernel_died=True)
    task = Task("ann", L, attempts=1)
    assert runner._outcome(task, "ok", died, None) == (died, True)
    task.attempts = runner.ATTEMPTS
    assert runner._outcome(task, "ok", died, None) == (died, False)


def test_two_different_errors_are_both_told(run):
    task = Task("bob", L, attempts=1)
    assert runner._outcome(task, "error", "the grading worker died (killed by SIGKILL)", run) == (
        None, True)
    task.attempts = 2
    result, retry = runner._outcome(task, "error", "OSError: disk full", run)
    assert retry is False and result.failed
    assert {r.status for r in result.rows} == {
        "grader error: the grading worker died (killed by SIGKILL); then OSError: disk full "
        "(graded 2 times)"}
