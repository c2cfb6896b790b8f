"""Checks for lesson 10, multi-class classification: softmax, one-hot labels, the cross-entropy
from logits and its gradient, the confusion matrix, and training on the digits.

The softmax and the cross-entropy are graded by :class:`~autograder.checks.core.Exercise` s; a wrong
answer's message comes with a picture of one row's curve (the learner's values against the
reference's, as the logit of class 0 sweeps a range) drawn from extra calls of the answer
(:func:`_pictured`).
"""

import numpy as np

from ann_lib import deep, metrics, preprocessing
from ann_lib.activations import softmax
from ann_lib.losses import softmax_cross_entropy, softmax_cross_entropy_grad
from autograder.checks import variants
from autograder.checks.core import Exercise, Mistake, Property, Verdict, case, expect
from autograder.checks.reach import Reach
from autograder.lessons import _nested, self_check_for

__all__ = ["expect", "self_check", "softmax_rows", "one_hot", "softmax_cross_entropy_from_logits",
           "softmax_cross_entropy_gradient", "confusion_matrix", "train"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


def _logits(rng, n, k, scale=3.0):
    return rng.normal(scale=scale, size=(n, k))


def _labels(rng, n, k):
    return preprocessing.one_hot(rng.integers(0, k, size=n), k)


# --- pictures: one row's curve as the logit of class 0 sweeps a range ---------------------

#: 25 points: a picture of a per-row cost needs one call per point, each a round trip to a
#: graded kernel (:mod:`autograder.checks.judge`).
_SWEEP = np.linspace(-12.0, 12.0, 25)


def _sweep_rows():
    """Rows ``[z, 0, 1]`` for every z of the sweep, shape (25, 3)."""
    return np.stack([_SWEEP, np.zeros_like(_SWEEP), np.ones_like(_SWEEP)], axis=1)


def _pictured(exercise, values, title, ylabel):
    """A Property grading like ``exercise``; a failing verdict gets a picture of ``values``.

    ``values(fn) -> ndarray`` of the sweep (25 numbers) computed with ``fn`` (the learner's
    answer or the reference); no picture when the learner's call fails or agrees everywhere.
    """
    def judge(student):
        verdict = exercise.verdict(student)
        if not verdict:
            return None
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(values(student), dtype=float).reshape(-1)
        except NotImplementedError:
            raise
        except Exception:  # noqa: BLE001 - no picture for an answer that cannot draw one
            return verdict
        expected = np.asarray(values(exercise.reference), dtype=float).reshape(-1)
        if got.shape != expected.shape or np.allclose(got, expected, rtol=1e-6, atol=1e-9,
                                                       equal_nan=True):
            return verdict
        return Verdict(verdict, plot={"title": title, "xlabel": ylabel, "x": _SWEEP.tolist(),
                                      "expected": expected.tolist(), "got": got.tolist(),
                                      "rtol": 1e-6, "atol": 1e-9})

    return Property(name=exercise.name, answer=exercise.function, judge=judge,
                    mistakes=exercise.mistakes, uses=exercise.uses, model=exercise.reference)


# --- softmax ---------------------------------------------------------------------------------

def _softmax_cases(rng):
    cases = [case(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])),
             case(np.array([[2.0, 1.0], [1.0, 3.0], [-1.0, 0.5]])),
             # rows far apart: one shift for the whole batch leaves a row of zeros
             case(np.array([[0.0, 1.0, 2.0], [-800.0, -801.0, -799.0], [5.0, -5.0, 0.0]])),
             # a row whose largest logit is large: exp(1000) overflows
             case(np.array([[1000.0, 999.0, 998.0], [0.5, -0.5, 0.0]]))]
    for n, k in ((1, 4), (5, 2), (4, 10), (6, 3)):
        cases.append(case(_logits(rng, n, k)))
    return cases


def _softmax_strict(rng):
    return [case(np.array([[1000.0, 999.0, 998.0]])),
            case(np.array([[-1000.0, -999.5], [1000.0, 1000.0]]))]


def softmax_without_shift(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def softmax_one_shift_for_the_batch(Z):
    E = np.exp(Z - Z.max())
    return E / E.sum(axis=1, keepdims=True)


def softmax_over_columns(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def softmax_over_the_batch(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum()


softmax_rows = _pictured(Exercise(
    name="softmax_rows",
    answer="softmax",
    reference=softmax,
    cases=_softmax_cases,
    strict_cases=_softmax_strict,
    mistakes=[
        Mistake(softmax_without_shift,
                "np.exp(Z) overflows to inf for a logit near 1000 (and inf / inf is nan): subtract "
                "each row's largest logit first, Z - Z.max(axis=1, keepdims=True); the "
                "probabilities do not change."),
        Mistake(softmax_one_shift_for_the_batch,
                "you subtracted the largest logit of the whole batch, Z.max(); a row whose logits "
                "are all far below it underflows to zeros and 0 / 0 is nan. Shift each row by its "
                "own maximum: Z.max(axis=1, keepdims=True)."),
        Mistake(softmax_over_columns,
                "the probabilities sum to 1 down each column (over the samples, axis=0), not "
                "along each row: one sample's k probabilities are a row, so sum with axis=1."),
        Mistake(softmax_over_the_batch,
                "you divided by the sum over the whole batch, E.sum(); each sample's "
                "probabilities must sum to 1 on their own: E.sum(axis=1, keepdims=True)."),
    ],
), lambda fn: fn(_sweep_rows())[:, 0], "softmax([z, 0, 1])[0]", "z, the logit of class 0")


# --- one-hot labels --------------------------------------------------------------------------

def _one_hot_cases(rng):
    cases = [case(np.array([2, 0, 1, 2]), 4), case(np.array([1]), 2), case(np.array([0, 0, 3]), 6)]
    for n, k in ((7, 3), (5, 10), (12, 4)):
        cases.append(case(rng.integers(0, k, size=n), k))
    return cases


def one_hot_whole_columns(y, n_classes):
    Y = np.zeros((len(y), n_classes))
    Y[:, y] = 1.0
    return Y


def one_hot_width_from_the_labels(y, n_classes):
    Y = np.zeros((len(y), np.max(y) + 1))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def one_hot_counts_from_1(y, n_classes):
    Y = np.zeros((len(y), n_classes))
    Y[np.arange(len(y)), y - 1] = 1.0
    return Y


one_hot = Exercise(
    name="one_hot",
    reference=preprocessing.one_hot,
    cases=_one_hot_cases,
    mistakes=[
        Mistake(one_hot_whole_columns,
                "Y[:, y] = 1 sets whole columns: every sample gets a 1 for every class that occurs "
                "in y. Pair each row with its own label: Y[np.arange(len(y)), y] = 1."),
        Mistake(one_hot_width_from_the_labels,
                "the width comes from the labels (np.max(y) + 1), so a batch without the last "
                "classes gets too few columns; the width is n_classes, given."),
        Mistake(one_hot_counts_from_1,
                "you put the 1 of label c in column c - 1: the classes are numbered from 0, so "
                "label c goes in column c (and label 0 wrapped round to the last column)."),
    ],
)


# --- the cross-entropy from logits -------------------------------------------------------------

def _cross_entropy_cases(rng):
    cases = [case(np.array([[np.log(2.0), 0.0, 0.0], [0.0, 0.0, 0.0]]),
                  np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])),
             # class 1's probability underflows to 0 here, but its loss is finite (800)
             case(np.array([[0.0, -800.0], [1.0, 2.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])),
             # a large logit: exp(1000) overflows
             case(np.array([[1000.0, 999.0], [-1.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]))]
    for n, k in ((1, 3), (5, 4), (8, 10), (4, 2)):
        cases.append(case(_logits(rng, n, k), _labels(rng, n, k)))
    return cases


def _cross_entropy_strict(rng):
    return [case(np.array([[1000.0, 999.0, 998.0]]), np.array([[0.0, 0.0, 1.0]])),
            case(np.array([[-1000.0, -999.0], [1000.0, 999.5]]), np.array([[1.0, 0.0], [0.0, 1.0]]))]


def cross_entropy_without_shift(Z, Y):
    shifted = Z
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_probs) / len(Z)


def cross_entropy_shift_not_added_back(Z, Y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = Z - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_probs) / len(Z)


def cross_entropy_log_of_probabilities(Z, Y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_probs) / len(Z)


def cross_entropy_mean_over_entries(Z, Y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_probs) / Z.size


softmax_cross_entropy_from_logits = _pictured(Exercise(
    name="softmax_cross_entropy_from_logits",
    answer="softmax_cross_entropy",
    reference=softmax_cross_entropy,
    cases=_cross_entropy_cases,
    strict_cases=_cross_entropy_strict,
    mistakes=[
        Mistake(cross_entropy_without_shift,
                "the log-sum-exp is computed without its shift: np.exp(Z) overflows for a logit "
                "near 1000 and the cost is nan. Subtract each row's maximum m first: "
                "log sum exp(z) = m + log sum exp(z - m)."),
        Mistake(cross_entropy_shift_not_added_back,
                "log p = (z - m) - log sum exp(z - m): you subtracted the log-sum-exp from Z "
                "itself, so every sample's log-probabilities are off by its largest logit m. "
                "Use the shifted logits in both terms."),
        Mistake(cross_entropy_log_of_probabilities,
                "you took the log of the softmax probabilities: a probability that underflows to "
                "0 gives log 0 = -inf, and the cost is inf or nan where the true one is finite "
                "(800 for logits [0, -800] and class 1). Compute log p from the shifted logits, "
                "(z - m) - log sum exp(z - m)."),
        Mistake(cross_entropy_mean_over_entries,
                "you divided by Z.size, the number of entries (samples x classes); the cost is "
                "the mean over the samples of each sample's loss: divide the sum by n_samples, "
                "len(Z)."),
    ],
), lambda fn: _loss_of_each_row(fn), "softmax_cross_entropy([[z, 0, 1]], class 0)",
   "z, the logit of class 0")


def _loss_of_each_row(fn):
    """The cost of each sweep row alone, labelled class 0."""
    return [fn(row[None, :], np.array([[1.0, 0.0, 0.0]])) for row in _sweep_rows()]


# --- its gradient ----------------------------------------------------------------------------

def cross_entropy_grad_not_averaged(Z, Y):
    return softmax(Z) - Y


def cross_entropy_grad_over_entries(Z, Y):
    return (softmax(Z) - Y) / Z.size


def cross_entropy_grad_sign_flipped(Z, Y):
    return (Y - softmax(Z)) / len(Z)


def cross_entropy_grad_of_the_logits(Z, Y):
    return (Z - Y) / len(Z)


softmax_cross_entropy_gradient = _pictured(Exercise(
    name="softmax_cross_entropy_gradient",
    answer="softmax_cross_entropy_grad",
    reference=softmax_cross_entropy_grad,
    cases=_cross_entropy_cases,
    strict_cases=_cross_entropy_strict,
    uses=("softmax", "softmax_cross_entropy"),
    mistakes=[
        Mistake(cross_entropy_grad_not_averaged,
                "the gradient is n_samples times too large: the cost is a mean over the samples, "
                "so its gradient carries the 1/n, (P - Y) / n."),
        Mistake(cross_entropy_grad_over_entries,
                "you divided by Z.size (samples x classes); the cost averages over the samples "
                "only, so divide by n_samples, len(Z)."),
        Mistake(cross_entropy_grad_sign_flipped,
                "the sign is flipped: dJ/dz_j = p_j - y_j (raising the true class's logit lowers "
                "the cost, so its gradient is negative); you returned (Y - P) / n."),
        Mistake(cross_entropy_grad_of_the_logits,
                "you used the logits Z where the probabilities P = softmax(Z) belong: the "
                "gradient is (softmax(Z) - Y) / n."),
    ],
), lambda fn: _grad_of_each_row(fn), "softmax_cross_entropy_grad([[z, 0, 1]], class 0)[0, 0]",
   "z, the logit of class 0")


def _grad_of_each_row(fn):
    """dJ/dz_0 of each sweep row alone, labelled class 0."""
    return [fn(row[None, :], np.array([[1.0, 0.0, 0.0]]))[0][0] for row in _sweep_rows()]


# --- the confusion matrix ----------------------------------------------------------------------

def _confusion_cases(rng):
    cases = [case(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3),
             case(np.array([1, 1, 1]), np.array([1, 1, 0]), 4)]
    for n, k in ((20, 3), (50, 10), (9, 2)):
        cases.append(case(rng.integers(0, k, size=n), rng.integers(0, k, size=n), k))
    return cases


def confusion_transposed(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[p, t] += 1
    return C


def confusion_marks_instead_of_counts(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[t, p] = 1
    return C


confusion_matrix = Exercise(
    name="confusion_matrix",
    reference=metrics.confusion_matrix,
    cases=_confusion_cases,
    mistakes=[
        Mistake(confusion_transposed,
                "the matrix is transposed: row i is the true class and column j the predicted "
                "one, C[true, predicted] += 1."),
        Mistake(confusion_marks_instead_of_counts,
                "C[t, p] = 1 only marks that a pair occurred; count them: C[t, p] += 1."),
    ],
)


# --- training on the digits --------------------------------------------------------------------

def _network(rng, sizes):
    return [(rng.normal(scale=0.7, size=(n_in, n_out)), rng.normal(scale=0.3, size=n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _train_cases():
    rng = np.random.default_rng(1010)
    cases = []
    for sizes, acts, n, rate, epochs in (([4, 5, 3], ["relu", "linear"], 6, 0.5, 3),
                                         ([3, 4, 4, 5], ["tanh", "relu", "linear"], 8, 0.3, 4),
                                         ([2, 4], ["linear"], 5, 1.0, 2),
                                         ([3, 2, 3], ["tanh", "linear"], 4, 0.1, 0)):
        X = rng.normal(size=(n, sizes[0]))
        Y = _labels(rng, n, sizes[-1])
        cases.append((X, Y, _network(rng, sizes), acts, rate, epochs))
    return cases


def _train_template(X, Y, params, activations, learning_rate, epochs, forward, backward):
    history = []
    for _ in range(epochs):
        Z, caches = forward(X, params, activations)
        history.append(softmax_cross_entropy(Z, Y))
        grads = backward(softmax_cross_entropy_grad(Z, Y), caches)
        params = [(W - learning_rate * dW, b - learning_rate * db)
                  for (W, b), (dW, db) in zip(params, grads)]
    return params, history


#: The loop as the grader runs it; each catalogued mistake of ``train`` is one line of it replaced.
_PIECES = {"softmax_cross_entropy": softmax_cross_entropy,
           "softmax_cross_entropy_grad": softmax_cross_entropy_grad}
_reference_train = variants.bind(_train_template, _PIECES)
_train = variants.variants_of(_train_template, _PIECES)
_STEP = "params = [(W - learning_rate * dW, b - learning_rate * db)"

train_divides_by_n_again = _train(
    "train_divides_by_n_again",
    "grads = backward(softmax_cross_entropy_grad(Z, Y), caches)",
    "grads = backward(softmax_cross_entropy_grad(Z, Y) / len(X), caches)")
train_biases_frozen = _train("train_biases_frozen", _STEP,
                             "params = [(W - learning_rate * dW, b)")
train_steps_uphill = _train("train_steps_uphill", _STEP,
                            "params = [(W + learning_rate * dW, b + learning_rate * db)")


_TRAIN_MISTAKES = [
    Mistake(train_divides_by_n_again,
            "every step is n_samples times too short: softmax_cross_entropy_grad already holds "
            "the 1/n of the mean cost, and dividing it by len(X) once more applies it twice."),
    Mistake(train_biases_frozen,
            "the biases never change: every pair must step, b - learning_rate * db as well as "
            "W - learning_rate * dW."),
    Mistake(train_steps_uphill,
            "the cost rises epoch after epoch: you added the gradients (W + learning_rate * dW); "
            "a step of gradient descent goes against them, W - learning_rate * dW."),
]


def _describe_train(args):
    X, Y, params, acts, rate, epochs = args[:6]
    sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
    return (f"train(X of shape {X.shape}, Y of shape {Y.shape}, a network of layer sizes {sizes}, "
            f"activations {acts}, learning_rate={rate:g}, epochs={epochs}, forward, backward)")


def _judge_train(student):
    cases = [(*args, deep.forward, deep.backward) for args in _train_cases()]
    return _nested.verdict(student, "train", cases, _reference_train, _TRAIN_MISTAKES,
                           _describe_train, ("params", "history"))


train = Property(name="train", judge=_judge_train, mistakes=_TRAIN_MISTAKES,
                 uses=("softmax", "softmax_cross_entropy", "softmax_cross_entropy_grad"),
                 model=_reference_train)


#: While graded: the data sets, the numerical gradient, and ann_lib.deep (with the layers,
#: activations and losses it builds on: the grader sends deep.forward/backward to ``train`` as
#: the network); this lesson's answers are withheld from those modules (softmax and its
#: gradient, the softmax cross-entropy and its gradient); ann_lib.preprocessing (one_hot) and
#: ann_lib.metrics (confusion_matrix) are left out, and ann_lib.teaching (figures are skipped).
GRADED = Reach(ann_lib=("activations", "datasets", "deep", "gradcheck", "layers", "losses"),
               withheld=("activations.softmax", "activations._softmax", "activations.softmax_grad",
                         "losses.softmax_cross_entropy", "losses.softmax_cross_entropy_grad"))
