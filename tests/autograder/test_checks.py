"""The checks themselves, in-process: right answers pass, every catalogued mistake is named."""

import numpy as np
import pytest

from autograder import notebooks
from autograder.core import CheckFailed, Exercise, Mistake, case, expect
from autograder.lessons import checks_of
from autograder.settings import REPO
from tests.conftest import LESSONS


def _solution_namespace(lesson):
    """Run a solution notebook's import cell and answer cells; return its namespace."""
    ns = {}
    for path in sorted((REPO / "solutions" / lesson).glob("*.ipynb")):
        nb = notebooks.read(path)
        for cell in nb.cells:
            meta = notebooks.nbgrader_meta(cell)
            if meta.get("grade_id") == "imports" or notebooks.is_answer(cell):
                exec(notebooks.student_answer(cell.source), ns)  # noqa: S102 - our own notebooks
    return ns


CHECKS = [(lesson, name) for lesson in LESSONS for name in checks_of(lesson)]


@pytest.mark.parametrize(("lesson", "name"), CHECKS)
def test_the_solution_passes_its_check(lesson, name):
    ns = _solution_namespace(lesson)
    function = checks_of(lesson)[name].function
    assert function in ns, f"{lesson}: no answer cell defines {function}"
    assert checks_of(lesson)[name].verdict(ns[function]) is None


@pytest.mark.parametrize(("lesson", "name"), CHECKS)
def test_every_catalogued_mistake_fails_with_its_own_message(lesson, name):
    check = checks_of(lesson)[name]
    assert check.all_mistakes(), f"{lesson}.{name} recognises no mistakes"
    for mistake in check.all_mistakes():
        verdict = check.verdict(mistake.wrong)
        assert verdict is not None, f"{mistake.key} passes the check"
        assert mistake.message in verdict, (mistake.key, verdict)


@pytest.mark.parametrize(("lesson", "name"), CHECKS)
def test_a_stub_is_reported_as_not_implemented(lesson, name):
    def stub(*args, **kwargs):
        raise NotImplementedError("not implemented yet: replace this line with your code")

    assert "not implemented yet" in checks_of(lesson)[name].verdict(stub)


def test_diagnoses_are_distinct_across_the_course():
    mistakes = {(m.message, m.wrong) for lesson in LESSONS for c in checks_of(lesson).values()
                for m in c.all_mistakes()}  # two checks of one answer may share a mistake
    messages = [message for message, _ in mistakes]
    assert len(messages) == len(set(messages)), "two mistakes share a message"


def test_expect_names_the_call_the_expected_and_the_returned_value():
    with pytest.raises(CheckFailed, match=r"f\(2\): expected 4, got 5"):
        expect(5.0, 4.0, "f(2)")
    with pytest.raises(CheckFailed, match="forget the `return`"):
        expect(None, 4.0, "f(2)")
    with pytest.raises(CheckFailed, match=r"expected \(3,\), got \(1, 3\)"):
        expect(np.ones((1, 3)), np.ones(3), "g()")
    assert expect(np.ones(3) + 1e-12, np.ones(3), "g()") is None


def test_exercise_reports_a_crash_with_the_inputs_that_caused_it():
    def reference(x):
        return x * 2

    def crashes(x):
        raise KeyError("boom")

    ex = Exercise("double", reference, lambda rng: [case(np.array([1.0, 2.0]))])
    verdict = ex.verdict(crashes)
    assert "double([1., 2.]) raised KeyError" in verdict


def test_exercise_does_not_let_a_student_change_the_inputs_the_reference_sees():
    def reference(x):
        return x.sum()

    def mutates(x):
        total = x.sum()
        x[:] = 0
        return total

    ex = Exercise("total", reference, lambda rng: [case(np.array([1.0, 2.0]))])
    assert ex.verdict(mutates) is None


def test_exercise_names_a_mistake_only_when_it_explains_every_case():
    def reference(x):
        return x + 1

    def off_by_two(x):
        return x + 2

    def sometimes_wrong(x):
        return x + 1 if x.size > 1 else x + 2

    ex = Exercise("inc", reference,
                  lambda rng: [case(np.array([1.0])), case(np.array([1.0, 2.0]))],
                  mistakes=[Mistake(off_by_two, "you added 2")])
    assert "you added 2" in ex.verdict(off_by_two)
    assert "you added 2" not in ex.verdict(sometimes_wrong)


def test_two_checks_with_one_name_are_refused(monkeypatch):
    import sys
    import types

    module = types.ModuleType("autograder.lessons.twice")
    ex = Exercise("twice", lambda x: 2 * x, lambda rng: [case(1.0)])
    module.first, module.second = ex, Exercise("twice", lambda x: x + x, lambda rng: [case(1.0)])
    monkeypatch.setitem(sys.modules, "autograder.lessons.twice", module)
    with pytest.raises(ValueError, match="two checks are named 'twice'"):
        checks_of("99_twice")
