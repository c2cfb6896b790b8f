"""nbgrader failures, as the grader reports them: the line that says why, not nbgrader's closing words.

When nbgrader cannot process a notebook it ends with ``NbGraderException: Please see the the
above traceback ...``; the cause is in the traceback it logged before. Both tests make nbgrader
really fail (a gradebook that cannot be opened; a kernel that cannot start).
"""

from __future__ import annotations

import pytest

from autograder import notebooks
from autograder.grading.grade import grade
from autograder.limits import Limits
from autograder.nbgrader_api import NbgraderError, api, require
from autograder.release.sample_class import submission
from autograder.sandbox import bubblewrap as sandbox
from autograder.settings import REPO


def test_a_failed_nbgrader_step_raises_with_the_cause_first(tmp_path):
    nbg = api(tmp_path, source_directory=REPO / "solutions", release_directory=tmp_path / "release",
              db_url=f"sqlite:///{tmp_path / 'no-such-folder' / 'gradebook.db'}")
    with pytest.raises(NbgraderError) as caught:
        require(nbg.generate_assignment("01_neuron", force=True, create=True), "generate_assignment")
    assert "unable to open database file" in caught.value.cause
    assert "NbGraderException" not in caught.value.cause
    assert str(caught.value).splitlines()[0] == f"generate_assignment failed: {caught.value.cause}"


def test_a_notebook_nbgrader_cannot_run_has_the_real_cause_in_its_status_and_the_report(tmp_path):
    handed_in = tmp_path / "submitted" / "s1" / "01_neuron"
    notebooks.write(submission("01_neuron", "01_neuron.ipynb"), handed_in / "01_neuron.ipynb")
    # a 1-byte address space: the grading kernel dies before it can answer nbgrader
    rows = grade(tmp_path / "submitted", tmp_path / "out", limits=Limits(memory=1), jobs=1,
                 trust_submissions=sandbox.bwrap_path() is None).rows
    statuses = {r.status for r in rows}
    solution = notebooks.read(REPO / "solutions" / "01_neuron" / "01_neuron.ipynb")
    assert len(statuses) == 1 and len(rows) == len(notebooks.test_cells(solution)), statuses
    (status,) = statuses
    assert status.startswith("nbgrader failed: ") and "NbGraderException" not in status
    assert "Kernel died before replying to kernel_info" in status
    assert "Kernel died before replying to kernel_info" in (tmp_path / "out" / "report.html").read_text()
