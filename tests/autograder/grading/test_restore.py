"""Restoring a submission's cells from the release (outside any kernel): what a student deleted or
edited of the locked cells comes back, her answers stay hers, nothing else changes."""

import copy

from autograder import notebooks
from autograder.grading.restore import restore_cells
from autograder.release.sample_class import submission
from autograder.settings import REPO

L, NB = "01_neuron", "01_neuron.ipynb"
RELEASE = notebooks.read(REPO / "course" / L / NB)


def _test_cells(nb):
    return {notebooks.nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if notebooks.is_test(c)}


def test_an_untouched_submission_is_returned_as_it_is():
    nb = submission(L, NB)
    restored, notes = restore_cells(nb, RELEASE)
    assert notes == [] and restored is nb


def test_edited_and_deleted_test_cells_come_back_and_answers_stay():
    nb = copy.deepcopy(submission(L, NB))
    tests = [c for c in nb.cells if notebooks.is_test(c)]
    edited, deleted = tests[0], tests[1]
    edited_id = notebooks.nbgrader_meta(edited)["grade_id"]
    deleted_id = notebooks.nbgrader_meta(deleted)["grade_id"]
    edited.source = "pass  # no tests here"
    nb.cells.remove(deleted)
    answers = {notebooks.nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if notebooks.is_answer(c)}
    restored, notes = restore_cells(nb, RELEASE)
    assert f"cell {edited_id} restored" in notes and f"deleted cell {deleted_id} put back" in notes
    assert _test_cells(restored) == _test_cells(RELEASE)
    assert {notebooks.nbgrader_meta(c)["grade_id"]: c.source for c in restored.cells
            if notebooks.is_answer(c)} == answers
    assert len({c.get("id") for c in restored.cells}) == len(restored.cells)  # ids stay unique


def test_nbgrader_metadata_on_a_cell_the_release_does_not_know_is_removed():
    nb = copy.deepcopy(submission(L, NB))
    fake = copy.deepcopy([c for c in nb.cells if notebooks.is_test(c)][0])
    fake["id"] = "forged"
    fake.metadata["nbgrader"]["grade_id"] = "forged_points"
    nb.cells.append(fake)
    restored, notes = restore_cells(nb, RELEASE)
    assert any("unknown cell forged" in n for n in notes)
    assert "forged_points" not in _test_cells(restored)
