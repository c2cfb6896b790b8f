"""grading/job.py: one job grades one student's assignment and returns a typed JobResult.

Real nbgrader throughout: the class gradebook template is registered by the grader's own
:meth:`~autograder.grading.grade.Grader.register`; one test runs the lesson's notebook in a real
sandboxed kernel, the others need none (a job that cannot grade never starts nbgrader).
"""

from __future__ import annotations

import pytest

from autograder import notebooks
from autograder.grading import execution
from autograder.grading.grade import Grader
from autograder.grading.job import JOB_STAGES, failed_result, grade_job
from autograder.grading.records import JobResult, SubmissionFacts
from autograder.grading.staging import expected_cells
from autograder.outputs.diagnosis import Diagnosis
from autograder.outputs.grades import Row
from autograder.release.sample_class import mistake_answer, submission
from autograder.settings import REPO

L, NB = "01_neuron", "01_neuron.ipynb"
CELLS = expected_cells(REPO, L)[NB]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A grading run's shared settings: ann submitted lesson 01 complete, bob
    nothing, cy the notebook under another name, dee with the catalogue's first slip in
    weighted_sum."""
    base = tmp_path_factory.mktemp("job")
    folder = base / "submitted" / "ann" / L
    folder.mkdir(parents=True)
    notebooks.write(submission(L, NB), folder / NB)
    (base / "submitted" / "bob").mkdir()  # bob submitted no lesson 01
    renamed = base / "submitted" / "cy" / L
    renamed.mkdir(parents=True)
    notebooks.write(submission(L, NB), renamed / "01_neuron (1).ipynb")
    slip = base / "submitted" / "dee" / L
    slip.mkdir(parents=True)
    notebooks.write(submission(L, NB, {"weighted_sum": mistake_answer(L, "weighted_sum")}),
                    slip / NB)
    grader = Grader(base / "submitted", base / "out")
    grader.register([L])
    return grader.run()


def test_a_failed_job_gives_every_test_cell_zero_with_its_status(run):
    result = failed_result(run, "ann", L, "timeout: the whole job ran past 600 s")
    assert isinstance(result, JobResult)
    assert result.failed is True and result.scores == {}
    rows = result.rows
    assert [(r.exercise, r.max_score) for r in rows] == CELLS
    assert all(r.score == 0.0 and not r.graded and r.status.startswith("timeout:") for r in rows)


def test_a_student_who_submitted_nothing_is_not_graded_and_gets_no_page(run):
    result = grade_job(run, "bob", L)
    rows = result.rows
    assert [(r.exercise, r.max_score) for r in rows] == CELLS
    assert {(r.status, r.graded, r.score) for r in rows} == {("not submitted", False, 0.0)}
    assert result.scores == {}
    assert result.kernel_died is False
    assert not (run.out / "feedback" / "bob").exists()  # nothing handed in: nowhere to send it
    assert not (run.out / ".nbgrader" / "jobs" / "bob" / L / "submitted").exists()


def test_a_renamed_notebook_is_not_graded_and_its_page_says_so_under_both_names(run):
    result = grade_job(run, "cy", L)
    status = "missing notebook (found 01_neuron (1).ipynb instead; was it renamed?)"
    rows = result.rows
    assert {(r.status, r.graded, r.flags) for r in rows} == {
        (status, False, "extra notebooks: 01_neuron (1).ipynb")}
    assert result.scores == {}
    folder = run.out / "feedback" / "cy" / L
    assert sorted(p.name for p in folder.iterdir()) == ["01_neuron (1).html", "01_neuron.html"]
    assert "was it renamed?" in (folder / "01_neuron.html").read_text()


def test_a_complete_submission_scores_full_marks_from_the_jobs_gradebook(run):
    result = grade_job(run, "ann", L)
    rows = result.rows
    assert all(isinstance(r, Row) for r in rows)
    assert [(r.exercise, r.score, r.max_score) for r in rows] == [(g, p, p) for g, p in CELLS]
    assert {(r.status, r.graded, r.flags) for r in rows} == {("ok", True, "")}
    assert all(r.diagnoses == () for r in rows)
    grades = result.scores[NB].grades
    assert set(grades) == {g for g, _ in CELLS}
    assert all(auto == points for (auto, _), (_, points) in
               zip((grades[g] for g, _ in CELLS), CELLS))
    assert result.kernel_died is False
    assert result.scores[NB].late_penalty is None
    assert result.facts == SubmissionFacts()  # no timestamp.txt handed in: nothing late
    assert set(result.seconds) == set(JOB_STAGES) and result.seconds["job"] > 0
    assert result.seconds["cells"] > 0 and result.seconds["judge"] > 0  # the executor's, handed over
    assert execution._EVENTS == {}  # taken: nothing left behind in the process
    job = run.out / ".nbgrader" / "jobs" / "ann" / L
    assert not (job / "submitted").exists()  # the staged copy is gone, the gradebook stays
    assert (run.out / ".nbgrader" / "autograded" / "ann" / L / NB).is_file()
    assert (run.out / "feedback" / "ann" / L / "01_neuron.html").is_file()


def test_a_slip_reaches_its_row_as_the_judges_typed_diagnosis(run):
    result = grade_job(run, "dee", L)
    lost = [r for r in result.rows if r.score < r.max_score]
    assert [r.exercise for r in lost] == ["test_weighted_sum"]
    (found,) = lost[0].diagnoses
    assert isinstance(found, Diagnosis)
    assert found.kind != "error" and found.mistake and found.message
    assert all(r.diagnoses == () for r in result.rows if r.score == r.max_score)
