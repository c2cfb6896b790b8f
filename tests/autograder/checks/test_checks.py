"""The checks themselves, in-process: right answers pass, every catalogued mistake is named."""

import numpy as np
import pytest

from autograder import notebooks
from autograder.checks.core import CheckFailed, Exercise, Mistake, case, expect, number_answer
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


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_answer_has_at_least_two_catalogued_mistakes(lesson):
    per_answer = {}
    for check in checks_of(lesson).values():
        per_answer.setdefault(check.function, set()).update(m.key for m in check.all_mistakes())
    few = {answer: len(keys) for answer, keys in per_answer.items() if len(keys) < 2}
    assert not few, f"answers with fewer than two catalogued mistakes: {few}"


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
    with pytest.raises(CheckFailed, match=r"expected shape \(3,\), got shape \(1, 3\)"):
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


# --- messages: which item of a tuple is wrong, arrays that read well, answers built on others ---

def test_a_wrong_item_of_a_tuple_result_is_named_with_both_shapes():
    from autograder.lessons.backprop import dense_db_kept_dims

    verdict = checks_of("06_backprop")["dense_backward"].verdict(dense_db_kept_dims)
    # its first case has n_out = 2: db must be (2,), keepdims=True makes it (1, 2)
    assert "db is wrong: expected shape (2,), got shape (1, 2)" in verdict, verdict


def test_an_item_without_a_name_is_named_by_its_position():
    ex = Exercise("pair", lambda x: (x, (2 * x, 3 * x)), lambda rng: [case(np.array([1.0, 2.0]))])
    assert "result[1][0] is wrong: expected shape (2,), got shape (1,)" in ex.verdict(
        lambda x: (x, (2 * x[:1], 3 * x)))
    assert "result[0] is wrong: expected [1., 2.], got [1., 3.]" in ex.verdict(
        lambda x: (x + [0.0, 1.0], (2 * x, 3 * x)))
    assert "the result should have 2 values, but it has 1" in ex.verdict(lambda x: (x,))
    assert "should be a tuple of 2 values, but it is None. Did you forget the `return`" in ex.verdict(
        lambda x: None)


def test_expect_names_the_wrong_item_of_a_tuple():
    expected = (np.zeros((4, 3)), np.zeros((3, 2)))
    with pytest.raises(CheckFailed, match=r"^g\(\): dW is wrong: expected shape \(3, 2\), got "
                                          r"shape \(2, 3\)\.$"):
        expect((np.zeros((4, 3)), np.zeros((2, 3))), expected, "g()", names=("dX", "dW"))


def _local(lesson, ns):
    from autograder.checks.testcells import local_verdicts
    from autograder.lessons import checks_module, hidden_tests

    module = checks_module(lesson)
    return dict(local_verdicts(module, ns, hidden_tests(REPO, module.__name__)))


def test_a_failing_answer_that_builds_on_a_failing_one_says_so_first():
    forward = checks_of("03_forward")
    assert "dense" in forward["forward"].uses
    ns = _solution_namespace("03_forward")
    ns["dense"] = forward["dense"].mistakes[0].wrong  # the solution's forward calls it
    verdicts = _local("03_forward", ns)
    assert verdicts["forward"][0].startswith(
        "This exercise builds on your `dense`, which is not right yet: fix it first"), verdicts
    assert "`forward` is not right yet" in verdicts["forward"][0]
    assert verdicts["dense"][0].startswith("`dense` is not right yet"), verdicts["dense"]


def test_builds_on_is_said_only_when_the_answer_calls_the_failing_one():
    forward = checks_of("03_forward")
    ns = _solution_namespace("03_forward")
    ns["dense"] = forward["dense"].mistakes[0].wrong
    wrong = forward["forward"].mistakes[0]
    # a wrong forward written without calling dense: its own mistake, not dense's
    exec(wrong.source("forward"), ns)  # noqa: S102 - the catalogue's own code
    verdicts = _local("03_forward", ns)
    assert verdicts["dense"]
    assert verdicts["forward"], verdicts
    assert not any("builds on" in v for v in verdicts["forward"]), verdicts["forward"]
    assert wrong.message in verdicts["forward"][0]


def test_self_check_shows_the_table_and_returns_nothing(capsys):
    from autograder.lessons import checks_module

    ns = _solution_namespace("01_neuron")
    assert checks_module("01_neuron").self_check(ns) is None
    n = sum(notebooks.is_test(c) for c in notebooks.read(
        REPO / "solutions" / "01_neuron" / "01_neuron.ipynb").cells)
    assert f"{n} of {n} tests pass." in capsys.readouterr().out


def test_a_failing_elementwise_answer_comes_with_the_points_that_disagree():
    ex = Exercise("relu", lambda z: np.maximum(z, 0.0),
                  lambda rng: [case(np.array([-2.0, -1.0, 0.0, 1.0, 2.0])), case(np.array([[3.0]]))],
                  plot="elementwise")
    verdict = ex.verdict(np.abs)
    assert verdict.plot["x"] == [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
    assert verdict.plot["expected"] == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]
    assert verdict.plot["got"] == [2.0, 1.0, 0.0, 1.0, 2.0, 3.0]
    assert ex.verdict(lambda z: np.maximum(z, 0.0)) is None
    assert Exercise("f", np.abs, lambda rng: [case(1.0)]).verdict(np.negative).plot is None
    with pytest.raises(ValueError, match="plot must be one of"):
        Exercise("f", np.abs, lambda rng: [case(1.0)], plot="scatter")


def test_the_picture_of_a_mistake_is_a_png_wide_enough_to_read():
    from autograder.checks.figures import disagreement_png

    png = disagreement_png({"title": "relu(z)", "xlabel": "z", "x": [-1.0, 0.0, 1.0],
                            "expected": [0.0, 0.0, 1.0], "got": [1.0, 0.0, float("inf")]})
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width >= 600 and 350 <= height <= width, (width, height)


def test_a_number_answer_is_taken_as_a_float_and_anything_else_is_named():
    assert number_answer(lambda: 3, "guess") == (3.0, None)
    assert number_answer(lambda: np.float64(0.5), "guess") == (0.5, None)
    value, message = number_answer(lambda: "three", "guess", "a whole number")
    assert value is None
    assert message == "`guess` should return a whole number, but it returned 'three'."
