"""grading/staging.py: what of a student's folder is graded, what is put back, what is said.

No kernel: the real solutions' test cells, the real release notebooks (``course/``) and submissions
made from them. Hostile entries (links, FIFOs, devices) are in ``test_regular.py``.
"""

from __future__ import annotations

import json

import pytest

from autograder import notebooks
from autograder.grading.staging import expected_cells, stage
from autograder.release.sample_class import submission
from autograder.settings import REPO

L, NB = "01_neuron", "01_neuron.ipynb"
EXPECTED = expected_cells(REPO, L)


def release_test_cells():
    nb = notebooks.read(REPO / "course" / L / NB)
    return [notebooks.nbgrader_meta(c) for c in nb.cells if notebooks.is_test(c)]


def test_expected_cells_are_the_lessons_test_cells_with_their_points():
    assert list(EXPECTED) == [NB]
    meta = release_test_cells()
    assert EXPECTED[NB] == [(m["grade_id"], float(m["points"])) for m in meta]
    assert all(points > 0 for _, points in EXPECTED[NB])


@pytest.fixture
def student(tmp_path):
    folder = tmp_path / "submitted" / "ann" / L
    folder.mkdir(parents=True)
    return folder


def run_stage(tmp_path, folder):
    dest = tmp_path / "staged"
    problems, flags = stage(folder, dest, L, EXPECTED, REPO / "course" / L)
    return problems, flags, dest


def test_an_untouched_submission_is_staged_byte_for_byte_with_its_data_files(tmp_path, student):
    notebooks.write(submission(L, NB), student / NB)
    (student / "weights.csv").write_text("1,2\n")
    problems, flags, dest = run_stage(tmp_path, student)
    assert problems == {NB: None} and flags == {NB: []}
    assert (dest / NB).read_bytes() == (student / NB).read_bytes()
    assert (dest / "weights.csv").read_text() == "1,2\n"


def test_a_tampered_test_cell_is_restored_in_the_copy_and_the_original_is_kept(tmp_path, student):
    nb = submission(L, NB)
    test = next(c for c in nb.cells if notebooks.is_test(c))
    gid = notebooks.nbgrader_meta(test)["grade_id"]
    test.source = "pass  # all good"
    notebooks.write(nb, student / NB)
    before = (student / NB).read_bytes()
    problems, flags, dest = run_stage(tmp_path, student)
    assert problems == {NB: None}
    assert flags[NB][0].startswith("test cells tampered with, restored: ") and gid in flags[NB][0]
    assert (student / NB).read_bytes() == before
    staged = notebooks.read(dest / NB)
    released = notebooks.read(REPO / "course" / L / NB)
    source = {notebooks.nbgrader_meta(c).get("grade_id"): c.source for c in released.cells}
    restored = next(c for c in staged.cells if notebooks.nbgrader_meta(c).get("grade_id") == gid)
    assert restored.source == source[gid]


def test_a_renamed_notebook_is_missing_and_the_extra_one_is_named(tmp_path, student):
    notebooks.write(submission(L, NB), student / "01_neuron (1).ipynb")
    problems, flags, dest = run_stage(tmp_path, student)
    assert problems == {NB: "missing notebook (found 01_neuron (1).ipynb instead; was it renamed?)"}
    assert flags[NB] == ["extra notebooks: 01_neuron (1).ipynb"]
    assert not (dest / NB).exists()


def test_a_file_that_would_shadow_a_package_is_left_behind_and_flagged(tmp_path, student):
    notebooks.write(submission(L, NB), student / NB)
    (student / "numpy.py").write_text("raise SystemExit\n")
    problems, flags, dest = run_stage(tmp_path, student)
    assert problems == {NB: None}
    assert flags[NB] == ["files that would shadow packages were not used: numpy.py"]
    assert not (dest / "numpy.py").exists()


def test_a_broken_notebook_is_unreadable_with_the_first_line_of_why(tmp_path, student):
    (student / NB).write_text(json.dumps({"cells": "not a list", "nbformat": 4}))
    problems, _, dest = run_stage(tmp_path, student)
    assert problems[NB].startswith("unreadable notebook: ")
    assert "\n" not in problems[NB] and len(problems[NB]) <= len("unreadable notebook: ") + 200
    assert not (dest / NB).exists()


def test_a_missing_assignment_folder_is_not_submitted_and_a_new_stage_starts_clean(tmp_path):
    (tmp_path / "submitted" / "bob").mkdir(parents=True)
    dest = tmp_path / "staged"
    dest.mkdir()
    (dest / "left-from-before.txt").write_text("x")
    problems, flags = stage(tmp_path / "submitted" / "bob" / L, dest, L, EXPECTED,
                            REPO / "course" / L)
    assert problems == {NB: "not submitted"} and flags == {NB: []}
    assert list(dest.iterdir()) == []
