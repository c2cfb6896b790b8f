"""Every lesson, graded by real nbgrader: full marks, zero, and the right diagnosis per mistake.

The cases are generated from the notebooks and the checks' mistake catalogues, not written out
per exercise.
"""

import pytest

from autograder import notebooks
from autograder.lessons import checks_of
from autograder.settings import REPO
from tests.conftest import (
    LESSONS,
    MUTANTS,
    affected_cells,
    autograded_errors,
    hidden_tests,
    html_text,
)


def _rows(rows, student, lesson):
    return [r for r in rows if r.student_id == student and r.assignment == lesson]


@pytest.mark.parametrize("lesson", LESSONS)
def test_solutions_submitted_as_a_student_get_full_marks(graded_class, lesson):
    rows, out = graded_class
    got = _rows(rows, "complete", lesson)
    assert got, f"no rows for the complete submission of {lesson}"
    lost = [(r.exercise, r.score, r.max_score, r.status) for r in got if r.score != r.max_score]
    errors = {}
    for r in got:
        errors.update(autograded_errors(out, "complete", lesson, r.notebook))
    assert not lost, f"the solutions lost points: {lost}; errors: {errors}"
    assert all(r.status == "ok" for r in got)


@pytest.mark.parametrize("lesson", LESSONS)
def test_untouched_release_gets_zero_with_not_implemented_messages(graded_class, lesson):
    rows, out = graded_class
    got = _rows(rows, "blank", lesson)
    assert got and all(r.score == 0 for r in got), [(r.exercise, r.score) for r in got]
    assert all(r.status == "ok" for r in got), [r.status for r in got]
    errors = autograded_errors(out, "blank", lesson, got[0].notebook)
    assert all("not implemented yet" in e for e in errors.values()), errors


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m.check}--{m.mistake}")
def test_a_catalogued_mistake_loses_exactly_its_exercise_and_is_named(graded_class, mutant):
    rows, out = graded_class
    got = _rows(rows, mutant.student, mutant.lesson)
    calls = hidden_tests(mutant.lesson)
    target = [r for r in got if mutant.check in [c for c, _ in calls.get(r.exercise, [])]]
    assert target, f"no test cell calls checks.{mutant.check}"
    # every test cell of the wrong answer loses all its points: exactly its exercise's points
    assert [r.score for r in target] == [0] * len(target), [(r.exercise, r.score) for r in target]
    assert all(r.max_score > 0 for r in target)
    # the cells of no wrong answer of this submission (nor of one that uses it) keep every point
    wrong = set().union(*(affected_cells(mutant.lesson, f) for f in mutant.bundle))
    others = [r for r in got if r.exercise not in wrong]
    assert all(r.score == r.max_score for r in others), [
        (r.exercise, r.score) for r in others if r.score != r.max_score]
    errors = autograded_errors(out, mutant.student, mutant.lesson, mutant.notebook)
    failing = [errors.get(r.exercise, "") for r in target]
    assert any(mutant.message in e for e in failing), (mutant.message, failing)
    # the judge's verdict reached the grade row as a typed record with the mistake's key
    assert (mutant.check, mutant.mistake) in {(d.check, d.mistake) for r in target
                                              for d in r.diagnoses}, [r.diagnoses for r in target]
    feedback = out / "feedback" / mutant.student / mutant.lesson / mutant.notebook.replace(
        ".ipynb", ".html")
    text = html_text(feedback)
    assert mutant.message in text


def test_every_catalogued_mistake_is_graded():
    """The bundles leave no catalogued mistake out, and put two mistakes of one answer apart."""
    for lesson in LESSONS:
        graded = {(m.check, m.mistake) for m in MUTANTS if m.lesson == lesson}
        catalogued = {(name, x.key) for name, c in checks_of(lesson).items()
                      for x in c.all_mistakes()}
        assert graded == catalogued, lesson
    per_submission = {}
    for m in MUTANTS:
        per_submission.setdefault((m.student, m.lesson, m.exercise), set()).add(m.mistake)
    assert all(len(keys) == 1 for keys in per_submission.values())


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_check_is_called_by_a_hidden_test_and_every_hidden_call_is_a_check(lesson):
    checks = checks_of(lesson)
    called = [c for calls in hidden_tests(lesson).values() for c, _ in calls]
    assert sorted(set(called)) == sorted(checks), (sorted(set(called)), sorted(checks))
    assert all(hidden_tests(lesson).values()), "a test cell calls no check"


@pytest.mark.parametrize("lesson", LESSONS)
def test_feedback_never_shows_hidden_tests(graded_class, lesson):
    rows, out = graded_class
    solution = notebooks.read(next((REPO / "solutions" / lesson).glob("*.ipynb")))
    hidden = set()
    for cell in solution.cells:
        hidden |= {ln.strip() for ln in notebooks.region(cell.source, notebooks.BEGIN_HIDDEN,
                                                         notebooks.END_HIDDEN) if ln.strip()}
    assert hidden, "every lesson has hidden tests"
    for student in ("complete", "blank"):
        for page in (out / "feedback" / student / lesson).glob("*.html"):
            text = html_text(page)
            assert "HIDDEN TESTS" not in text
            leaked = [h for h in hidden if h in text]
            assert not leaked, f"{page}: {leaked}"


#: Lessons whose catalogued mistakes are each one line of the solution changed (issue #19).
ONE_LINE_MISTAKES = [lesson for lesson in ("10_multiclass", "11_regularization")
                     if lesson in LESSONS]


def _code_lines(source):
    """The statements' lines of a function: no docstring, comments or blank lines."""
    import ast

    tree = ast.parse(source)
    function = tree.body[0]
    body = function.body[1:] if (isinstance(function.body[0], ast.Expr) and isinstance(
        function.body[0].value, ast.Constant)) else function.body
    lines = source.splitlines()
    kept = [lines[function.lineno - 1]]
    for node in body:
        kept += lines[node.lineno - 1:node.end_lineno]
    return [ln.rstrip() for ln in kept if ln.strip() and not ln.strip().startswith("#")]


@pytest.mark.parametrize("lesson", ONE_LINE_MISTAKES)
def test_every_catalogued_mistake_is_one_line_of_the_solution_changed(lesson):
    import difflib

    from autograder.release.sample_class import solution_answers

    answers = solution_answers(lesson, f"{lesson}.ipynb")
    assert answers
    for check in checks_of(lesson).values():
        solution = _code_lines(answers[check.function])
        for mistake in check.all_mistakes():
            wrong = _code_lines(mistake.source(check.function))
            changed = [ln for ln in difflib.ndiff(solution, wrong) if ln[:2] in ("- ", "+ ")]
            removed = [ln for ln in changed if ln.startswith("- ")]
            added = [ln for ln in changed if ln.startswith("+ ")]
            assert len(removed) == len(added) == 1, (mistake.key, changed)
