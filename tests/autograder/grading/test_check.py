"""``ann-course check`` and the lessons' self-check cell, run in real kernels.

Every lesson present in both ``solutions/`` and ``course/`` is covered: a complete submission
passes with full points, a blank one says "not implemented yet" for each exercise, a catalogued
mistake is named, the hidden tests never show, and a correct notebook stays correct whatever the
order in which its cells are run, re-run, or the kernel restarted.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import nbformat
import pytest

from autograder import notebooks
from autograder.cli import main
from autograder.grading.check_notebook import check, exercise_of
from autograder.grading.kernel_channels import PromptNotebookClient
from autograder.lessons import checks_module, checks_of
from autograder.release.build import lessons
from autograder.release.sample_class import submission
from autograder.settings import REPO

NOTEBOOKS = [(lesson, p.name) for lesson in lessons()
             for p in sorted((REPO / "course" / lesson).glob("*.ipynb"))
             if (REPO / "solutions" / lesson / p.name).exists()]
IDS = [f"{lesson}/{name}" for lesson, name in NOTEBOOKS]


def n_checks(lesson):
    """How many rows the self-check prints: one per test cell, as ``ann-course check``."""
    from autograder.lessons import hidden_tests

    return len(hidden_tests(REPO, checks_module(lesson).__name__))


def _write(nb, tmp_path, lesson, name):
    path = tmp_path / lesson / name
    notebooks.write(nb, path)
    return path


def _run_cli(capsys, *args):
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def _hidden_lines(lesson, name):
    """Every non-trivial line of the solution's hidden-test regions."""
    sol = notebooks.read(REPO / "solutions" / lesson / name)
    return [ln.strip() for c in sol.cells if notebooks.is_test(c)
            for ln in notebooks.region(c.source, notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN)
            if ln.strip() and not ln.strip().startswith("#")]


def _exercises(lesson, name):
    sol = notebooks.read(REPO / "solutions" / lesson / name)
    answers = [notebooks.nbgrader_meta(c)["grade_id"] for c in sol.cells if notebooks.is_answer(c)]
    tests = notebooks.test_cells(sol)
    return answers, tests


def _assert_nothing_hidden(text, lesson, name):
    for line in _hidden_lines(lesson, name):
        assert line not in text, f"hidden test source printed: {line!r}"
    assert "Traceback" not in text and "BEGIN HIDDEN" not in text


@pytest.mark.parametrize(("lesson", "name"), NOTEBOOKS, ids=IDS)
def test_complete_submission_passes_with_every_point(lesson, name, tmp_path, capsys):
    path = _write(submission(lesson, name), tmp_path, lesson, name)
    code, out, _ = _run_cli(capsys, path)
    assert code == 0
    answers, tests = _exercises(lesson, name)
    total = sum(points for _, points in tests)
    assert "FAIL" not in out
    for test_id, points in tests:
        exercise = exercise_of(test_id, answers)
        assert re.search(rf"^PASS  {re.escape(exercise)}\b.*\s{points:g} / {points:g}$", out, re.M), out
    assert f"{len(tests)} of {len(tests)} tests pass: {total:g} of {total:g} points." in out
    _assert_nothing_hidden(out, lesson, name)


@pytest.mark.parametrize(("lesson", "name"), NOTEBOOKS, ids=IDS)
def test_blank_release_says_not_implemented_for_each_exercise(lesson, name, tmp_path, capsys):
    path = _write(notebooks.read(REPO / "course" / lesson / name), tmp_path, lesson, name)
    code, out, _ = _run_cli(capsys, path)
    assert code == 0
    answers, tests = _exercises(lesson, name)
    assert "PASS" not in out
    for test_id, points in tests:
        exercise = exercise_of(test_id, answers)
        assert re.search(rf"^FAIL  {re.escape(exercise)}\b.*\s0 / {points:g}$", out, re.M), out
        assert f"`{exercise}` is not implemented yet." in out
    _assert_nothing_hidden(out, lesson, name)


@pytest.mark.parametrize(("lesson", "name"), NOTEBOOKS, ids=IDS)
def test_a_catalogued_mistake_is_named(lesson, name, tmp_path):
    answers, _ = _exercises(lesson, name)
    catalogue = checks_of(lesson)
    exercise = next(a for a in answers if a in catalogue and catalogue[a].all_mistakes())
    mistake = catalogue[exercise].all_mistakes()[0]
    nb = submission(lesson, name, {exercise: mistake.source(exercise)})
    report = check(_write(nb, tmp_path, lesson, name))
    failing = {r.exercise: r for r in report.results if not r.passed}
    assert exercise in failing, report.lines()
    assert mistake.message in failing[exercise].message
    assert failing[exercise].score == 0
    # other exercises may fail with it only when their answers call the wrong one (a cascade)
    callers = {n for n, c in catalogue.items() if exercise in getattr(c, "uses", ())}
    assert set(failing) - {exercise} <= callers, report.lines()
    text = "\n".join(report.lines())
    assert mistake.message in text
    _assert_nothing_hidden(text, lesson, name)


@pytest.mark.parametrize(("lesson", "name"), NOTEBOOKS[:1], ids=IDS[:1])
def test_edited_or_deleted_test_cells_are_restored_like_the_grader_does(lesson, name, tmp_path):
    nb = notebooks.read(REPO / "course" / lesson / name)
    tests = [c for c in nb.cells if notebooks.is_test(c)]
    tests[0].source = "pass  # the student emptied this test"
    nb.cells.remove(tests[-1])
    report = check(_write(nb, tmp_path, lesson, name))
    ids = [r.grade_id for r in report.results]
    assert ids == [gid for gid, _ in notebooks.test_cells(
        notebooks.read(REPO / "solutions" / lesson / name))]
    assert [(r.passed, r.score) for r in report.results] == [(False, 0)] * len(ids)
    assert all("not implemented yet" in r.message for r in report.results), report.lines()


def test_not_a_course_notebook_exits_2_with_a_clear_message(tmp_path):
    text = tmp_path / "essay.ipynb"
    text.write_text("this is not a notebook\n")
    other_json = tmp_path / "data.json"
    other_json.write_text(json.dumps({"cells": "no", "x": 1}))
    plain = tmp_path / "plain.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(nb, str(plain))
    foreign = tmp_path / "foreign.ipynb"
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "someone_elses_test", "points": 1,
                                 "solution": False, "locked": True, "schema_version": 3}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(foreign))
    expected = {text: "not JSON", other_json: "not a Jupyter notebook", plain: "no nbgrader cells",
                foreign: "none matches a lesson", tmp_path / "missing.ipynb": "no such file"}
    for path, message in expected.items():
        # the installed command, as a learner runs it
        proc = subprocess.run([sys.executable, "-m", "autograder", "check", str(path)],
                              capture_output=True, text=True, cwd=tmp_path)
        assert proc.returncode == 2, (path, proc.stdout, proc.stderr)
        assert "ann-course check: error:" in proc.stderr and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


# -- the self-check cell, and running cells out of order -----------------------------------------

def _code_indices(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def _errors(nb, indices):
    out = {}
    for i in indices:
        for o in nb.cells[i].get("outputs", []):
            if o.get("output_type") == "error":
                out[nb.cells[i].get("id", i)] = f"{o.get('ename')}: {o.get('evalue')}"
    return out


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def _scramble(nb, seed):
    """Run ``nb``'s cells as a restless learner would; return the test cells' errors.

    The imports first, then the answers in random order, then every other cell in random order;
    then everything again in another random order, the answers re-run and the tests backwards.
    (A restart followed by Run All is what grading does: the graded-class tests cover it.)
    The self-check cell runs after each round.
    """
    rng = random.Random(seed)
    code = _code_indices(nb)
    imports = [i for i in code if notebooks.nbgrader_meta(nb.cells[i]).get("grade_id") == "imports"]
    answers = [i for i in code if notebooks.is_answer(nb.cells[i])]
    tests = [i for i in code if notebooks.is_test(nb.cells[i])]
    selfcheck = [i for i in code if "self_check(" in nb.cells[i].source]
    others = [i for i in code if i not in imports + answers]
    errors, summaries = {}, []

    def run(client, order):
        for i in order:
            nb.cells[i].outputs = []
            client.execute_cell(nb.cells[i], i)
        errors.update(_errors(nb, [i for i in order if i in tests]))

    def shuffled(xs):
        xs = list(xs)
        rng.shuffle(xs)
        return xs

    client = PromptNotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3",
                                  resources={"metadata": {"path": str(REPO / "course")}})
    with client.setup_kernel():
        run(client, imports + shuffled(answers) + shuffled(others) + selfcheck)
        summaries.append(_stdout(nb.cells[selfcheck[0]]))
        run(client, shuffled(code) + shuffled(answers) + tests[::-1] + selfcheck)
        summaries.append(_stdout(nb.cells[selfcheck[0]]))
    return errors, summaries


@pytest.mark.parametrize(("lesson", "name"), NOTEBOOKS, ids=IDS)
def test_correct_answers_pass_their_visible_tests_in_any_order_and_after_restarts(lesson, name):
    nb = submission(lesson, name)
    assert any("self_check(globals())" in c.source for c in nb.cells), "no self-check cell"
    n = n_checks(lesson)
    errors, summaries = _scramble(nb, seed=lesson)
    assert errors == {}
    for summary in summaries:
        assert f"{n} of {n} tests pass." in summary, summary
        assert "FAIL" not in summary


def test_the_scrambled_run_does_see_failures():
    """The order test above can fail: a blank notebook fails in every round."""
    lesson, name = NOTEBOOKS[0]
    nb = notebooks.read(REPO / "course" / lesson / name)
    errors, summaries = _scramble(nb, seed=1)
    assert len(errors) == len(notebooks.test_cells(nb))
    assert all("not implemented yet" in e for e in errors.values())
    n = n_checks(lesson)
    for summary in summaries:
        assert f"0 of {n} tests pass." in summary
        assert len(re.findall(r"  FAIL$", summary, re.M)) == n
