"""Checks for lesson 11, regularisation: the L2 penalty and its gradient, inverted dropout's
forward pass (training and evaluation, the mask drawn from the generator passed in) and its
backward pass. A wrong ``l2_penalty_grad`` comes with a picture of its dW against the weights
(the reference is the line lam / n * w).

``dropout_forward`` draws random numbers, so its check seeds the generator it passes and
compares the answer with the reference drawing from the same seed, and it looks at the
generator after the call (copied back from the kernel while grading): a mask that did not come
from that generator leaves it untouched.
"""

import numpy as np

from ann_lib import regularization
from autograder.checks import core, variants
from autograder.checks.core import Exercise, Mistake, Property, Verdict, case, expect
from autograder.checks.messages import difference
from autograder.checks.reach import Reach
from autograder.lessons import _nested, self_check_for

__all__ = ["expect", "self_check", "l2_penalty", "l2_penalty_grad", "dropout_forward",
           "dropout_backward"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


def _network(rng, sizes):
    return [(rng.normal(size=(n_in, n_out)), rng.normal(scale=2.0, size=n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _l2_cases(rng):
    example = [(np.array([[1.0, -2.0]]), np.array([100.0, 100.0])),
               (np.array([[3.0], [0.0]]), np.array([-7.0]))]
    cases = [case(example, 0.5, 5)]
    for sizes, lam, n in (([3, 4, 2], 0.1, 10), ([2, 5, 5, 3], 2.0, 7), ([4, 1], 1.0, 1),
                          ([3, 3, 3], 0.0, 4)):
        cases.append(case(_network(rng, sizes), lam, n))
    return cases


def _describe_l2(name, args):
    params, lam, n = args
    sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
    return f"{name}(params of layer sizes {sizes}, lam={lam:g}, n_samples={n})"


# --- the penalty ---------------------------------------------------------------------------

def l2_biases_penalised(params, lam, n_samples):
    return lam / (2 * n_samples) * sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params)


def l2_without_the_half(params, lam, n_samples):
    return lam / n_samples * sum(np.sum(W ** 2) for W, b in params)


def l2_absolute_values(params, lam, n_samples):
    return lam / (2 * n_samples) * sum(np.sum(np.abs(W)) for W, b in params)


def l2_square_of_the_sum(params, lam, n_samples):
    return lam / (2 * n_samples) * sum(np.sum(W) ** 2 for W, b in params)


l2_penalty = Exercise(
    name="l2_penalty",
    reference=regularization.l2_penalty,
    cases=_l2_cases,
    mistakes=[
        Mistake(l2_biases_penalised,
                "the biases are penalised too: L2 sums the squared weights W only (a bias shifts "
                "a unit, it does not make it more sensitive to its inputs)."),
        Mistake(l2_without_the_half,
                "the penalty is twice too large: it is lam / (2 n) times the sum of the squared "
                "weights (the 1/2 makes its gradient lam / n * W)."),
        Mistake(l2_absolute_values,
                "you summed the absolute values of the weights, the L1 penalty; L2 sums their "
                "squares, W ** 2."),
        Mistake(l2_square_of_the_sum,
                "you squared the sum of each W, np.sum(W) ** 2; ||W||^2 is the sum of the "
                "squares, np.sum(W ** 2)."),
    ],
)


# --- its gradient ----------------------------------------------------------------------------

def _l2_grad_template(params, lam, n_samples):
    grads = []
    for W, b in params:
        dW = lam / n_samples * W
        db = np.zeros_like(b)
        grads.append((dW, db))
    return grads


_l2_grad = variants.variants_of(_l2_grad_template, {"np": np})
l2_grad_biases_penalised = _l2_grad("l2_grad_biases_penalised", "db = np.zeros_like(b)",
                                    "db = lam / n_samples * b")
l2_grad_doubled = _l2_grad("l2_grad_doubled", "dW = lam / n_samples * W",
                           "dW = 2 * lam / n_samples * W")
l2_grad_halved = _l2_grad("l2_grad_halved", "dW = lam / n_samples * W",
                          "dW = lam / (2 * n_samples) * W")

_L2_GRAD_MISTAKES = [
    Mistake(l2_grad_biases_penalised,
            "db is lam / n * b, but the biases are not in the penalty: its gradient with respect "
            "to b is 0 (np.zeros_like(b))."),
    Mistake(l2_grad_doubled,
            "dW is twice too large: the derivative of lam / (2 n) * w**2 is lam / n * w (the 2 "
            "of the square cancels the 1/2)."),
    Mistake(l2_grad_halved,
            "dW is half what it should be: you kept the 1/2 of the penalty, but differentiating "
            "w**2 brings a 2 that cancels it: dW = lam / n * W."),
]


def _judge_l2_grad(student):
    cases = [c.args for c in _l2_cases(np.random.default_rng(1111))]
    verdict = _nested.verdict(student, "l2_penalty_grad", cases, regularization.l2_penalty_grad,
                              _L2_GRAD_MISTAKES, lambda a: _describe_l2("l2_penalty_grad", a))
    return verdict and Verdict(verdict, plot=_l2_grad_picture(student, cases[1]))


def _l2_grad_picture(student, args):
    """dW against W over every weight of one network: the reference is the line lam / n * W."""
    params, lam, n = args
    try:
        got = [np.asarray(dW, dtype=float) for dW, _ in student(*args)]
    except Exception:  # noqa: BLE001 - no picture for an answer that cannot draw one
        return None
    if [g.shape for g in got] != [W.shape for W, _ in params]:
        return None
    x = np.concatenate([W.ravel() for W, _ in params])
    order = np.argsort(x, kind="stable")
    expected, mine = lam / n * x, np.concatenate([g.ravel() for g in got])
    if np.allclose(mine, expected, rtol=1e-6, atol=1e-9):
        return None
    return {"title": f"dW of l2_penalty_grad(params, lam={lam:g}, n_samples={n})",
            "xlabel": "the weight w", "x": x[order].tolist(), "expected": expected[order].tolist(),
            "got": mine[order].tolist(), "rtol": 1e-6, "atol": 1e-9}


l2_penalty_grad = Property(name="l2_penalty_grad", judge=_judge_l2_grad,
                           mistakes=_L2_GRAD_MISTAKES, uses=("l2_penalty",),
                           model=regularization.l2_penalty_grad)


# --- dropout, forward ----------------------------------------------------------------------

def _dropout_cases():
    """``(A, keep_prob, seed, training)``; training None: the call leaves the default."""
    rng = np.random.default_rng(1112)
    return [(rng.normal(size=(3, 4)), 0.5, 11, None),
            (rng.normal(size=(5, 2)), 0.8, 12, True),
            (rng.normal(size=(3, 4)), 0.5, 13, False),
            (rng.normal(size=(4, 3)), 0.3, 14, True),
            (rng.normal(size=(2, 3)), 1.0, 15, True),
            (rng.normal(size=(6, 5)), 0.6, 16, False)]


def _call_dropout(fn, A, keep_prob, seed, training):
    """``(result, rng after the call)`` of ``fn`` on a fresh generator seeded ``seed``."""
    rng = np.random.default_rng(seed)
    kwargs = {} if training is None else {"training": training}
    return fn(A.copy(), keep_prob, rng, **kwargs), rng


def _describe_dropout(A, keep_prob, seed, training):
    mode = "" if training is None else f", training={training}"
    return (f"dropout_forward(A of shape {A.shape}, keep_prob={keep_prob:g}, "
            f"np.random.default_rng({seed}){mode})")


def _pair(result):
    """``(A_out, mask as floats)`` of a dropout result, or the result unchanged."""
    if isinstance(result, (tuple, list)) and len(result) == 2:
        try:
            return np.asarray(result[0], dtype=float), np.asarray(result[1], dtype=float)
        except (TypeError, ValueError):
            return tuple(result)
    return result


NOT_FROM_RNG = ("the mask was not drawn from the generator passed in (it is unchanged after the "
                "call): draw it with rng.random(A.shape), not np.random, so that a seeded run "
                "can be repeated.")
DRAWS_IN_EVALUATION = ("in evaluation (training=False) nothing may be drawn: return A unchanged "
                       "with a mask of ones, and leave the generator alone.")


def dropout_not_scaled(A, keep_prob, rng, training=True):
    if not training:
        return A, np.ones(A.shape, dtype=bool)
    mask = rng.random(A.shape) < keep_prob
    return A * mask, mask


def dropout_keeps_with_1_minus_p(A, keep_prob, rng, training=True):
    if not training:
        return A, np.ones(A.shape, dtype=bool)
    mask = rng.random(A.shape) > keep_prob
    return A * mask / keep_prob, mask


def dropout_not_from_the_rng(A, keep_prob, rng, training=True):
    if not training:
        return A, np.ones(A.shape, dtype=bool)
    mask = np.random.random(A.shape) < keep_prob
    return A * mask / keep_prob, mask


def dropout_scaled_in_evaluation(A, keep_prob, rng, training=True):
    if not training:
        return A * keep_prob, np.ones(A.shape, dtype=bool)
    mask = rng.random(A.shape) < keep_prob
    return A * mask / keep_prob, mask


def dropout_also_in_evaluation(A, keep_prob, rng, training=True):
    if keep_prob == 1:
        return A, np.ones(A.shape, dtype=bool)
    mask = rng.random(A.shape) < keep_prob
    return A * mask / keep_prob, mask


_DROPOUT_MISTAKES = [
    Mistake(dropout_not_scaled,
            "the kept units are not scaled: inverted dropout divides them by keep_prob, "
            "A * mask / keep_prob, so that each unit's expected value stays A."),
    Mistake(dropout_keeps_with_1_minus_p,
            "a unit is kept with probability 1 - keep_prob: rng.random(A.shape) > keep_prob is "
            "True with that probability; keep it where rng.random(A.shape) < keep_prob."),
    Mistake(dropout_not_from_the_rng, NOT_FROM_RNG),
    Mistake(dropout_scaled_in_evaluation,
            "in evaluation you multiplied A by keep_prob: that is the original dropout's "
            "correction; inverted dropout already scaled while training, so evaluation returns A "
            "as it is."),
    Mistake(dropout_also_in_evaluation,
            "units are dropped in evaluation too: with training=False, return A unchanged and a "
            "mask of ones; dropout only acts while training."),
]


def _judge_dropout(student):
    results = []
    for A, keep_prob, seed, training in _dropout_cases():
        call = _describe_dropout(A, keep_prob, seed, training)
        try:
            got, rng = _call_dropout(student, A, keep_prob, seed, training)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any student error becomes a message
            return f"{call} raised {type(exc).__name__}: {exc}"
        if got is None:
            return f"{call} returned None. Did you forget the `return` statement?"
        untouched = rng.bit_generator.state == np.random.default_rng(seed).bit_generator.state
        results.append(((A, keep_prob, seed, training), _pair(got), untouched))
    for (A, keep_prob, seed, training), got, untouched in results:
        call = _describe_dropout(A, keep_prob, seed, training)
        lead = "`dropout_forward` is not right yet"
        if training is not False and keep_prob < 1 and untouched:
            return f"{lead}: {NOT_FROM_RNG} For example, {call}."
        expected, _ = _call_dropout(regularization.dropout_forward, A, keep_prob, seed, training)
        found = difference(got, _pair(expected), 1e-6, 1e-9, ("A_out", "mask"))
        if found is None and training is False and not untouched:
            return f"{lead}: {DRAWS_IN_EVALUATION} For example, {call} drew from the generator."
        if found is None:
            continue
        mistake = next((m for m in _DROPOUT_MISTAKES if _reproduces(m, results)), None)
        return (f"{lead}" + (f": {mistake.message}" if mistake else ".")
                + f" For example, {call}: {core.sentence(found)}")
    return None


def _reproduces(mistake, results):
    for (A, keep_prob, seed, training), got, _ in results:
        try:
            wrong, _ = _call_dropout(mistake.wrong, A, keep_prob, seed, training)
        except Exception:  # noqa: BLE001 - this mistake cannot take these inputs
            return False
        if difference(got, _pair(wrong)) is not None:
            return False
    return True


dropout_forward = Property(name="dropout_forward", judge=_judge_dropout,
                           mistakes=_DROPOUT_MISTAKES, model=regularization.dropout_forward)


# --- dropout, backward ---------------------------------------------------------------------

def _dropout_backward_cases(rng):
    cases = [case(np.ones((2, 2)), np.array([[True, False], [False, True]]), 0.5),
             case(np.array([[1.0, -2.0, 3.0]]), np.array([[True, True, False]]), 0.8)]
    for shape, keep_prob in (((4, 3), 0.3), ((5, 6), 0.9), ((3, 2), 1.0), ((6, 4), 0.5)):
        cases.append(case(rng.normal(size=shape), rng.random(shape) < keep_prob, keep_prob))
    return cases


def _dropout_backward_template(dA, mask, keep_prob):
    local = mask / keep_prob
    return dA * local


_dropout_back = variants.variants_of(_dropout_backward_template, {"np": np})
dropout_backward_not_scaled = _dropout_back("dropout_backward_not_scaled",
                                            "local = mask / keep_prob", "local = mask")
dropout_backward_mask_ignored = _dropout_back("dropout_backward_mask_ignored",
                                              "local = mask / keep_prob", "local = 1 / keep_prob")
dropout_backward_times_keep_prob = _dropout_back("dropout_backward_times_keep_prob",
                                                 "local = mask / keep_prob",
                                                 "local = mask * keep_prob")


dropout_backward = Exercise(
    name="dropout_backward",
    reference=regularization.dropout_backward,
    cases=_dropout_backward_cases,
    uses=("dropout_forward",),
    mistakes=[
        Mistake(dropout_backward_not_scaled,
                "the gradient is not divided by keep_prob: the forward pass multiplied every kept "
                "unit by 1 / keep_prob, so its gradient is multiplied by it too."),
        Mistake(dropout_backward_mask_ignored,
                "the dropped units get a gradient: they passed nothing forward, so nothing comes "
                "back to them; multiply by the mask, dA * mask / keep_prob."),
        Mistake(dropout_backward_times_keep_prob,
                "you multiplied by keep_prob; the forward pass divided the kept units by it, so "
                "the gradient is dA * mask / keep_prob."),
    ],
)


#: While graded: the data sets and the numerical gradient; never ann_lib.regularization (this
#: lesson's reference) nor ann_lib.teaching (its train_regularized figures are skipped).
GRADED = Reach(ann_lib=("datasets", "gradcheck"))
