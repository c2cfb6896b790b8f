"""The lessons' graded cells (package data for ``ann-course check``): up to date, complete, no solutions."""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder import notebooks
from autograder.lessons import module_name
from autograder.release import release_data
from autograder.release.build import build, lessons
from autograder.settings import REPO

LESSONS = lessons()


def test_the_committed_graded_cells_are_exactly_what_build_writes(tmp_path):
    build(dest=tmp_path / "course", data=tmp_path / "data")
    ours = sorted(p.name for p in release_data.DATA_DIR.glob("*.json"))
    assert ours == [f"{lesson}.json" for lesson in LESSONS]
    for name in ours:
        assert json.loads((release_data.DATA_DIR / name).read_text()) == json.loads(
            (tmp_path / "data" / name).read_text()), f"{name} is out of date: run `ann-course build`"


@pytest.mark.parametrize("lesson", LESSONS)
def test_graded_cells_hold_the_hidden_tests_and_the_release_answers(lesson):
    known = {(le, name): nb for le, name, nb in release_data.available()}
    for sol_path in sorted((REPO / "solutions" / lesson).glob("*.ipynb")):
        graded = known[(lesson, sol_path.name)]
        sol = notebooks.read(sol_path)
        release = notebooks.read(REPO / "course" / lesson / sol_path.name)
        tests = {notebooks.nbgrader_meta(c)["grade_id"]: c.source for c in graded.cells
                 if notebooks.is_test(c)}
        assert tests == {notebooks.nbgrader_meta(c)["grade_id"]: c.source for c in sol.cells
                         if notebooks.is_test(c)}
        assert any(notebooks.BEGIN_HIDDEN in s for s in tests.values())
        answers = [c.source for c in graded.cells if notebooks.is_answer(c)]
        assert answers == [c.source for c in release.cells if notebooks.is_answer(c)]
        assert not any(notebooks.BEGIN_SOLUTION in c.source for c in graded.cells)


def _tiny(test_source):
    nb = nbformat.v4.new_notebook()
    meta = {"grade": True, "grade_id": "test_f", "locked": True, "points": 1, "solution": False,
            "schema_version": 3}
    nb.cells = [nbformat.v4.new_code_cell(test_source, metadata={"nbgrader": meta})]
    return nb


def test_a_test_cell_with_a_solution_region_is_refused():
    sol = _tiny("### BEGIN SOLUTION\nsecret_answer = 42\n### END SOLUTION\nassert f() == 1")
    with pytest.raises(release_data.ReleaseDataError, match="test_f holds a solution region"):
        release_data.graded_cells(sol, _tiny("assert f() == 1"))


def test_a_damaged_data_file_names_itself(tmp_path):
    (tmp_path / "01_neuron.json").write_text("{not json")
    with pytest.raises(release_data.ReleaseDataError, match="01_neuron.json is damaged"):
        release_data.available(tmp_path)


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_release_data_marks_exactly_the_teaching_cells_solutions_define(lesson, tmp_path):
    module = f"autograder.lessons.{module_name(lesson)}"
    from_solutions = release_data.teaching_of(REPO, module)
    from_release = release_data.teaching_of(tmp_path, module)  # a wheel: no solutions/ there
    assert from_solutions.cells and any("teaching." in s for s in from_solutions.cells)
    assert from_release == from_solutions
    assert len(from_release.imports) == 1 and "from ann_lib import" in from_release.imports[0]


def test_check_without_solutions_skips_the_teaching_cells_it_recognises_from_the_release(tmp_path):
    """``ann-course check`` as in a student's wheel (a root without solutions/): the lesson's
    figures are the release's marked cells, skipped, never run against her empty stubs."""
    from autograder.grading import check_notebook
    from autograder.grading.execution import SKIPPED

    lesson, name = "01_neuron", "01_neuron.ipynb"
    student = notebooks.read(REPO / "course" / lesson / name)  # blank: every answer a stub
    _, graded = check_notebook.identify(student, tmp_path / name, tmp_path)
    nb = check_notebook.execute(check_notebook.restore(student, graded), REPO / "course" / lesson,
                                lesson, root=tmp_path)
    marked = [c for c in nb.cells if c.cell_type == "code"
              and c.source.strip() in release_data.teaching_sources(tmp_path, "autograder.lessons.neuron")]
    assert marked and all(c.outputs[0].get("text") == SKIPPED for c in marked)
    assert not any(o.get("output_type") == "error" for c in marked for o in c.outputs)
