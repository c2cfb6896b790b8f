"""The grader judges what the kernel computed: in-process here (``compute.run`` on a namespace),
through real kernels in test_redteam_scores.py."""

import numpy as np
import pytest

from autograder.checks import judge
from autograder.checks.core import Exercise, Mistake, Property, case
from autograder.inkernel import compute
from autograder.lessons import checks_of
from tests.autograder.checks.test_checks import _solution_namespace
from tests.conftest import LESSONS

CHECKS = [(lesson, name) for lesson in LESSONS for name in checks_of(lesson)]


def _judge(check, namespace, seed=1):
    rounds = []

    def ask(request):
        rounds.append(request)
        return compute.run(namespace, request)

    return judge.judge(check, check.function, seed, ask), len(rounds)


@pytest.mark.parametrize(("lesson", "name"), CHECKS)
def test_judged_from_the_kernels_results_the_solution_passes_and_mistakes_are_named(lesson, name):
    check = checks_of(lesson)[name]
    ns = _solution_namespace(lesson)
    verdict, rounds = _judge(check, ns, seed=int.from_bytes(np.random.bytes(4), "little"))
    assert verdict is None
    for mistake in check.all_mistakes():
        verdict, _ = _judge(check, {**ns, check.function: mistake.wrong})
        assert verdict is not None and mistake.message in verdict, (mistake.key, verdict)
        assert (verdict.kind, verdict.mistake) in {("mistake", mistake.key),  # the typed key
                                                   ("unstable", mistake.key)}, verdict.kind


def test_an_exercise_needs_one_round_trip_to_the_kernel():
    check = checks_of("01_neuron")["weighted_sum"]
    verdict, rounds = _judge(check, _solution_namespace("01_neuron"))
    assert (verdict, rounds) == (None, 1)


def _double_check():
    return Exercise("double", lambda x: 2 * x,
                    lambda rng: [case(np.array([1.0, 2.0])), case(rng.normal(size=3))])


def test_an_object_that_claims_to_be_the_answer_is_not_plain_data_and_fails():
    class Agreeable(np.ndarray):
        def __eq__(self, other):
            return True

    class Anything:
        def __eq__(self, other):
            return True

        def __array__(self, dtype=None, copy=None):
            return np.array([2.0, 4.0])

        def __float__(self):
            return 2.0

    for answer in (lambda x: Anything(), lambda x: (2 * x).view(Agreeable)):
        verdict, _ = _judge(_double_check(), {"double": answer})
        assert "not plain data" in verdict, verdict


def test_a_crash_keeps_its_type_and_message_and_the_inputs():
    def crashes(x):
        raise KeyError("boom")

    verdict, _ = _judge(_double_check(), {"double": crashes})
    assert verdict.startswith("double([1., 2.]) raised KeyError: 'boom'"), verdict


def test_missing_and_non_function_answers_are_named():
    assert _judge(_double_check(), {})[0] == "`double` is not defined: run its answer cell first."
    assert _judge(_double_check(), {"double": 3})[0] == (
        "`double` should be a function, but it is a value of type int.")


def test_fresh_seeds_draw_fresh_cases():
    seen = []

    def spy(x):
        seen.append(x.copy())
        return 2 * x

    _judge(_double_check(), {"double": spy}, seed=1)
    _judge(_double_check(), {"double": spy}, seed=2)
    assert len(seen) == 4 and not np.array_equal(seen[1], seen[3])


def test_inputs_changed_in_place_and_rng_draws_are_seen_by_the_check():
    def judge_in_place(student):
        x = np.array([1.0, 2.0])
        rng = np.random.default_rng(3)
        student(x, rng)
        if not np.array_equal(x, [1.0, 2.0]):
            return "changed x"
        if rng.random() != np.random.default_rng(3).random():
            return "used the rng"
        return None

    check = Property("p", judge_in_place, mistakes=[Mistake(lambda x, rng: None, "m")])

    def changes_x(x, rng):
        x[0] = 9.0

    def draws(x, rng):
        rng.random()

    assert _judge(check, {"p": changes_x})[0] == "changed x"
    assert _judge(check, {"p": draws})[0] == "used the rng"
    assert _judge(check, {"p": lambda x, rng: None})[0] is None


_KEPT = {"X": np.arange(6.0).reshape(3, 2), "rows": [np.ones(2), np.zeros(2)]}


def test_what_a_kernel_changed_in_the_checks_arguments_is_put_back_after_the_verdict():
    """Data a check keeps between jobs (a cached data set, a module's example) passed to an answer
    that changes every argument: the verdict sees the change, the next job sees the data intact."""
    seen = []

    def judge_kept(student):
        student(_KEPT["X"], _KEPT["rows"])
        seen.append((_KEPT["X"].copy(), [r.copy() for r in _KEPT["rows"]]))
        return None

    def spoils(X, rows):
        X[...] = 7.0
        rows[0][...] = 7.0
        rows.reverse()

    before = (_KEPT["X"].copy(), [r.copy() for r in _KEPT["rows"]])
    check = Property("p", judge_kept, mistakes=[Mistake(lambda X, rows: None, "m")])
    assert _judge(check, {"p": spoils})[0] is None
    X_seen, rows_seen = seen[-1]
    assert np.all(X_seen == 7.0) and np.all(rows_seen[1] == 7.0)  # as the kernel left them
    assert np.array_equal(_KEPT["X"], before[0])
    assert [r.tolist() for r in _KEPT["rows"]] == [r.tolist() for r in before[1]]


def test_a_reply_that_is_not_plain_data_is_refused():
    j = judge.Judgement(_double_check(), "double", 1)
    j.step()
    with pytest.raises(judge.KernelAnswerError, match="not plain data"):
        j.take("AAAA")


def test_an_answer_that_raises_or_breaks_a_property_check_fails_it_with_a_message():
    def judge_pair(student):
        w, b = student()
        return None if w == b else "not equal"

    check = Property("pair", judge_pair, mistakes=[Mistake(lambda: (1, 2), "m")])

    def raises():
        raise ValueError("nothing to see")

    assert _judge(check, {"pair": raises})[0] == "`pair` raised ValueError: nothing to see"
    assert "checking what it returned failed with ValueError" in _judge(
        check, {"pair": lambda: (1, 2, 3)})[0]
    assert _judge(check, {"pair": lambda: (1, 1)})[0] is None


def test_a_judged_tuple_mistake_names_the_item_and_its_shapes():
    from autograder.lessons.backprop import dense_db_kept_dims

    verdict, _ = _judge(checks_of("06_backprop")["dense_backward"],
                        {"dense_backward": dense_db_kept_dims})
    # its first case has n_out = 2: db must be (2,), keepdims=True makes it (1, 2)
    assert "db is wrong: expected shape (2,), got shape (1, 2)" in verdict, verdict


def test_a_judged_elementwise_mistake_carries_the_kernels_values_for_its_picture():
    def wrong_sign(z):
        return 1 / (1 + np.exp(z))

    verdict, _ = _judge(checks_of("04_activations")["sigmoid_values"], {"sigmoid": wrong_sign})
    x = np.array(verdict.plot["x"])
    assert x.size > 20 and np.all(np.diff(x) >= 0)
    np.testing.assert_allclose(verdict.plot["expected"], 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(verdict.plot["got"], 1 / (1 + np.exp(x)))


def test_a_wrong_and_gate_is_judged_with_a_picture_of_its_decision_boundary():
    from autograder.checks.figures import png
    from autograder.lessons import neuron

    check = checks_of("01_neuron")["and_gate"]
    verdict, _ = _judge(check, {**_solution_namespace("01_neuron"), "and_gate": neuron.and_gate_is_or})
    assert verdict is not None and "That is OR" in verdict
    plot = verdict.plot
    assert plot["kind"] == "boundary"
    assert plot["wanted"] == [0.0, 0.0, 0.0, 1.0]
    assert plot["got"] == [0.0, 1.0, 1.0, 1.0]  # OR fires on (0, 1) and (1, 0) too
    assert (plot["w"], plot["b"]) == ([1.0, 1.0], -0.5)
    image = png(plot)
    assert image.startswith(b"\x89PNG") and len(image) > 1000


def test_the_kernel_reports_which_of_the_watched_helpers_an_answer_called():
    check = checks_of("03_forward")["forward"]
    ns = _solution_namespace("03_forward")
    dense = ns["dense"]
    report = judge.judged(check, "forward", 1, lambda r: compute.run(ns, r))
    assert report == (None, {"dense"})
    assert ns["dense"] is dense, "the helper is put back after the calls"

    def forward(X, params, hidden_activation, output_activation):  # the same, without the helper
        A = X
        for i, (W, b) in enumerate(params):
            A = (output_activation if i == len(params) - 1 else hidden_activation)(A @ W + b)
        return A

    ns["forward"] = forward
    assert judge.judged(check, "forward", 1, lambda r: compute.run(ns, r)) == (None, set())


def test_an_answer_that_changes_its_input_is_seen_doing_so_through_the_kernel():
    def reference(theta, grad):
        return theta - grad

    def in_place(theta, grad):
        theta -= grad
        return theta

    ex = Exercise("step", reference, lambda rng: [case(np.array([1.0, 2.0]), np.array([0.5, 0.5]))],
                  in_place=Mistake(in_place, "theta was changed in place."))
    assert ex.verdict(reference) is None
    verdict, _ = _judge(ex, {"step": in_place})
    assert verdict.startswith("`step` is not right yet: theta was changed in place.")
    assert "changed `theta[0]` from 1.0 to 0.5" in verdict
    assert _judge(ex, {"step": reference})[0] is None


def test_an_error_a_catalogued_mistake_also_raises_is_named():
    def reference(X, b):
        return X + b[:, np.newaxis]

    def no_axis(X, b):
        return X + b

    ex = Exercise("f", reference, lambda rng: [case(np.zeros((3, 2)), np.ones(3))],
                  mistakes=[Mistake(no_axis, "b needs its new axis.")])
    verdict, _ = _judge(ex, {"f": no_axis})
    assert verdict.startswith("`f` is not right yet: b needs its new axis. For example, f(")
    assert ("raised ValueError from an element-wise operation on shapes (3,2) and (3,), which do "
            "not broadcast") in verdict, verdict


def test_a_kernel_that_answers_with_a_reference_function_is_not_believed():
    from ann_lib import activations
    from autograder.checks import plain

    check = checks_of("04_activations")["relu"]
    j = judge.Judgement(check, "relu", 1)
    what, _ = j.step()
    assert what == "ask"
    n = len(j.pending)
    reply = plain.encode({"answer": "function", "results": [{"return": activations.relu}] * n},
                         extras=("rng", "ref"))
    j.take(reply)
    what, verdict = j.step()
    assert what == "done" and verdict and "not right yet" in verdict, verdict


def _matmul_check():
    return Exercise(name="product", reference=lambda A, B: A @ B,
                    cases=lambda rng: [case(np.arange(6.0).reshape(2, 3), np.ones((3, 4)))])


def test_a_shape_error_in_the_kernel_is_a_valueerror_here_told_with_the_shapes_not_the_values():
    verdict, _ = _judge(_matmul_check(), {"product": lambda A, B: A @ B.T})
    assert verdict == ("product(<array of shape (2, 3)>, <array of shape (3, 4)>) raised "
                       "ValueError from an @ product: the left factor's last size is 3 but the "
                       "right factor's first size is 4; in A @ B they must be equal "
                       "((n, k) @ (k, m) gives (n, m))"), verdict
    assert isinstance(judge._exception("ValueError", "x"), ValueError)
    assert type(judge._exception("SystemExit", "x")).__mro__[1] is Exception
    assert not isinstance(judge._exception("StopIteration", "x"), StopIteration)
