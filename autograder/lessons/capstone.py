"""Checks for lesson 13, the capstone: the learner's own pieces end to end on the breast-cancer
data (standardizing, any depth, L2, mini-batches, Adam, a schedule, early stopping), against a
single-neuron baseline, with a decision threshold chosen on the validation set.

The references of the longer answers (the forward and backward loops, the training loop) are
written once, as templates in the notebook's vocabulary (:mod:`autograder.checks.variants`): bound to
``ann_lib`` references they are what the grader compares with, and every catalogued mistake of
them is one line of that template replaced.
"""

import copy
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ann_lib import activations, datasets, deep, losses, metrics, optim, regularization
from ann_lib.preprocessing import StandardScaler
from autograder.checks import variants
from autograder.checks.core import Exercise, Mistake, Verdict, case, expect
from autograder.checks.reach import Reach
from autograder.lessons import self_check_for

__all__ = ["expect", "self_check", "standardize_split", "init_params", "forward", "cost",
           "backward", "minibatch_indices", "adam_step", "cosine_decay", "train", "predict",
           "precision_recall", "lesson_split"]

#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


def _same(a, b):
    """True when two argument structures hold equal values (arrays compared entry by entry)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@dataclass
class _LeavesItsInputs(Exercise):
    """An :class:`Exercise` whose answer must leave the arrays it is given unchanged.

    ``changed`` is the mistake to name when it does not (an in-place update returns the right
    values, and changes the caller's parameters too).
    """

    changed: Mistake | None = None

    def all_mistakes(self) -> list[Mistake]:
        return [*super().all_mistakes(), *([self.changed] if self.changed else [])]

    def verdict(self, student: Any, seed: int | None = None) -> Verdict | None:
        modified = []

        def watched(*args, **kwargs):
            before = copy.deepcopy((args, kwargs))
            try:
                return student(*args, **kwargs)
            finally:
                if not _same((args, kwargs), before):
                    modified.append(True)

        message = super().verdict(watched, seed)
        if message is None and modified and self.changed is not None:
            return Verdict(f"`{self.function}` is not right yet: {self.changed.message}",
                           kind="mistake", mistake=self.changed.key)
        return message


@dataclass
class _FiniteAtTheEdges(Exercise):
    """An :class:`Exercise` whose strict cases (probabilities of exactly 0 and 1) must also give
    the reference's values: an answer that silences NumPy's warnings around ``np.log(0)`` raises
    nothing there, and returns inf or nan."""

    def verdict(self, student: Any, seed: int | None = None) -> Verdict | None:
        message = super().verdict(student, seed)
        if message is not None or self.strict_cases is None:
            return message
        for c in self.strict_cases(np.random.default_rng(self.seed if seed is None else seed)):
            with np.errstate(all="ignore"):
                got, expected = student(*c.copy().args), self.reference(*c.copy().args)
            if not np.allclose(got, expected, rtol=self.rtol, atol=self.atol):
                mistake = self.unstable
                return Verdict(f"`{self.function}` is not stable: {c.describe(self.function)} "
                               f"returned {got!r}, not {float(expected):.6g}. "
                               f"{mistake.message if mistake else ''}".rstrip(),
                               kind="unstable", mistake=mistake.key if mistake else None)
        return None


def _tuples(value):
    """Lists and tuples as nested tuples (how a check's expected structure is written)."""
    if isinstance(value, (list, tuple)):
        return tuple(_tuples(v) for v in value)
    return value


@functools.cache
def _lesson_split():
    """The lesson's three sets, as in the notebook: malignant = 1; a quarter of the tumours is the
    test set (seed 0), a quarter of the rest the validation set (seed 1); raw features."""
    X, y = datasets.load_breast_cancer()
    y = 1 - y  # scikit-learn codes malignant as 0; the lesson calls the disease positive
    X_rest, X_test, y_rest, y_test = datasets.train_test_split(X, y, test_size=0.25, seed=0,
                                                               stratify=True)
    X_train, X_val, y_train, y_val = datasets.train_test_split(X_rest, y_rest, test_size=0.25,
                                                               seed=1, stratify=True)
    return X_train, X_val, X_test, y_train, y_val, y_test


def lesson_split() -> tuple[np.ndarray, ...]:
    """``(X_train, X_val, X_test, y_train, y_val, y_test)`` of the lesson (copies)."""
    return tuple(a.copy() for a in _lesson_split())


# --- standardize_split: statistics from the training set only -------------------------------

def _ref_standardize_split(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def _split_cases(rng):
    cases = [case(np.array([[1.0, 10.0], [3.0, 30.0]]), np.array([[2.0, 40.0]])),
             case(np.array([[0.0], [2.0], [4.0], [6.0]]), np.array([[3.0], [10.0], [-1.0]]))]
    for n_train, n_test, d in ((20, 6, 3), (50, 10, 5), (9, 4, 2)):
        centre = rng.normal(0.0, 5.0, size=d)
        spread = rng.uniform(0.5, 10.0, size=d)
        X_train = centre + spread * rng.normal(size=(n_train, d))
        X_test = centre + 1.0 + 2.0 * spread * rng.normal(size=(n_test, d))
        cases.append(case(X_train, X_test))
    return cases


def _standardize_split_template(X_train, X_test):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


_NUMPY = {"np": np}


def _variants(template, namespace):
    """``make(name, old line, new line)``: a mistake of ``template``, its results as tuples."""
    return variants.variants_of(template, namespace, convert=_tuples)
_split = _variants(_standardize_split_template, _NUMPY)

standardize_split = Exercise(
    name="standardize_split",
    reference=_ref_standardize_split,
    cases=_split_cases,
    returns=("X_train_scaled", "X_test_scaled"),
    mistakes=[
        Mistake(_split("split_each_own_stats",
                 "return (X_train - mean) / std, (X_test - mean) / std",
                 "return (X_train - mean) / std, (X_test - X_test.mean(axis=0)) / "
                       "X_test.std(axis=0)"),
                "the test set was standardized with its own mean and standard deviation; reuse "
                "the training set's statistics for it, as if the test samples arrived one at a "
                "time."),
        Mistake(_split("split_sample_std",
                 "std = X_train.std(axis=0)",
                 "std = X_train.std(axis=0, ddof=1)"),
                "you used the sample standard deviation (ddof=1); this course divides by n: "
                "X_train.std(axis=0)."),
        Mistake(_split("split_not_centred",
                 "return (X_train - mean) / std, (X_test - mean) / std",
                 "return X_train / std, X_test / std"),
                "the features were divided by their spread but not centred; subtract the "
                "training mean first."),
    ],
)


# --- init_params: He for the hidden ReLU layers, Glorot for the sigmoid output ---------------

def _init_params_template(layer_sizes, rng):
    params = []
    n_layers = len(layer_sizes) - 1
    for k, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        variance = 2 / (n_in + n_out) if k == n_layers - 1 else 2 / n_in
        params.append((rng.normal(0.0, np.sqrt(variance), size=(n_in, n_out)), np.zeros(n_out)))
    return params


def _ref_init_params(layer_sizes, rng):
    # ann_lib.deep's schemes, drawn from the one generator in layer order: He for the hidden
    # layers, then Glorot for the output (ann_lib.network.init_params, without importing
    # scikit-learn, ~1 s, for one check)
    sizes = list(layer_sizes)
    hidden = deep.init_params(sizes[:-1], "he", rng) if len(sizes) > 2 else []
    return _tuples(hidden + deep.init_params(sizes[-2:], "glorot", rng))


def _init_cases(rng):
    return [case([3, 4, 1], np.random.default_rng(0)), case([30, 16, 8, 1], np.random.default_rng(3)),
            case([5, 1], np.random.default_rng(11)), case([4, 6, 5, 3, 1], np.random.default_rng(7)),
            case([2, 8, 1], np.random.default_rng(int(rng.integers(1, 10**6))))]


_init = _variants(_init_params_template, _NUMPY)

init_params = Exercise(
    name="init_params",
    reference=_ref_init_params,
    cases=_init_cases,
    mistakes=[
        Mistake(_init("init_he_everywhere",
                 "variance = 2 / (n_in + n_out) if k == n_layers - 1 else 2 / n_in",
                 "variance = 2 / n_in"),
                "the output layer also got He's variance 2 / n_in; the sigmoid output layer uses "
                "Glorot's 2 / (n_in + n_out)."),
        Mistake(_init("init_variance_as_std",
                 "params.append((rng.normal(0.0, np.sqrt(variance), size=(n_in, n_out)), np.zeros(n_out)))",
                 "params.append((rng.normal(0.0, variance, size=(n_in, n_out)), "
                      "np.zeros(n_out)))"),
                "the variance was passed as the standard deviation; rng.normal takes the "
                "standard deviation, so take the square root."),
        Mistake(_init("init_first_fan_in",
                 "variance = 2 / (n_in + n_out) if k == n_layers - 1 else 2 / n_in",
                 "variance = 2 / (n_in + n_out) if k == n_layers - 1 else 2 / "
                      "layer_sizes[0]"),
                "every hidden layer used the fan-in of the first layer, layer_sizes[0]; each "
                "layer's He variance is 2 / n_in with its own n_in."),
        Mistake(_init("init_ignores_rng",
                 "params.append((rng.normal(0.0, np.sqrt(variance), size=(n_in, n_out)), np.zeros(n_out)))",
                 "params.append((np.random.default_rng(0).normal(0.0, np.sqrt(variance), "
                      "size=(n_in, n_out)), np.zeros(n_out)))"),
                "the weights do not come from the generator `rng` passed in (a generator seeded "
                "with 3 gave the draws of seed 0); draw every weight with rng.normal, in order."),
    ],
)


# --- forward: ReLU hidden layers, sigmoid output ---------------------------------------------

def _forward_template(X, params):
    A = X
    caches = []
    for W, b in params[:-1]:
        Z = A @ W + b
        caches.append((A, Z))
        A = np.maximum(Z, 0)
    W, b = params[-1]
    Z_out = A @ W + b
    caches.append((A, Z_out))
    return activations.sigmoid(Z_out)[:, 0], caches


_ACTS = {"np": np, "activations": activations}
_forward_loop = variants.bind(_forward_template, _ACTS)


def _ref_forward(X, params):
    return _tuples(_forward_loop(X, params))


def _random_params(rng, sizes, scale=1.0):
    return [(scale * rng.normal(size=(n_in, n_out)), 0.5 * rng.normal(size=n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _forward_cases(rng):
    X = np.array([[1.0, -1.0], [-1.0, 2.0]])
    cases = [case(X, [(np.eye(2), np.array([0.5, -0.5])), (np.ones((2, 1)), np.array([0.25]))])]
    for n, sizes in ((5, [3, 4, 1]), (8, [2, 6, 3, 1]), (1, [4, 3, 1]), (12, [30, 16, 8, 1]),
                     (6, [3, 1])):
        cases.append(case(rng.normal(size=(n, sizes[0])), _random_params(rng, sizes)))
    return cases


_fwd = _variants(_forward_template, _ACTS)

def _forward_strict_cases(rng):
    X = np.array([[1.0], [-1.0]])
    return [case(X, [(np.array([[1.0]]), np.zeros(1)), (np.array([[1000.0]]), np.zeros(1))]),
            case(-X, [(np.array([[1.0]]), np.zeros(1)), (np.array([[-1000.0]]), np.zeros(1))])]


forward = Exercise(
    name="forward",
    reference=_ref_forward,
    cases=_forward_cases,
    strict_cases=_forward_strict_cases,
    unstable=Mistake(_fwd("forward_unstable_sigmoid",
                          "return activations.sigmoid(Z_out)[:, 0], caches",
                          "return (1 / (1 + np.exp(-Z_out)))[:, 0], caches"),
                     "1 / (1 + np.exp(-z)) overflows for large negative z (z = -1000 gives "
                     "exp(1000)); use activations.sigmoid, which is stable at +-1000."),
    returns=("probs", "caches"),
    mistakes=[
        Mistake(_fwd("forward_logits_out",
                 "return activations.sigmoid(Z_out)[:, 0], caches",
                 "return Z_out[:, 0], caches"),
                "probs are the raw output scores z; squash them with the sigmoid so they are "
                "probabilities between 0 and 1."),
        Mistake(_fwd("forward_kept_column",
                 "return activations.sigmoid(Z_out)[:, 0], caches",
                 "return activations.sigmoid(Z_out), caches"),
                "probs has shape (n_samples, 1); take its only column, [:, 0], so probs has "
                "shape (n_samples,) like y (mixing the two makes (n, n) tables by broadcasting)."),
        Mistake(_fwd("forward_squeezed",
                 "return activations.sigmoid(Z_out)[:, 0], caches",
                 "return activations.sigmoid(Z_out).squeeze(), caches"),
                ".squeeze() drops every axis of length 1: for a single sample it returns a "
                "number of shape () instead of probs of shape (1,). Take the only column with "
                "[:, 0]."),
        Mistake(_fwd("forward_sigmoid_hidden",
                 "A = np.maximum(Z, 0)",
                 "A = activations.sigmoid(Z)"),
                "the hidden layers used the sigmoid; this network's hidden layers are ReLU, "
                "max(0, Z)."),
        Mistake(_fwd("forward_linear_hidden",
                 "A = np.maximum(Z, 0)",
                 "A = Z"),
                "the hidden layers have no ReLU (A equals Z), so the layers collapse into one "
                "linear map; A = max(0, Z)."),
    ],
)


# --- cost: mean binary cross-entropy plus the L2 penalty --------------------------------------

def _cost_template(y, probs, params, lam):
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    cross_entropy = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    penalty = lam / (2 * len(y)) * sum(np.sum(W ** 2) for W, b in params)
    return float(cross_entropy + penalty)


def _ref_cost(y, probs, params, lam):
    return (losses.binary_cross_entropy(y, probs)
            + regularization.l2_penalty(params, lam, len(y)))


def _cost_cases(rng):
    params = [(np.array([[3.0], [4.0]]), np.array([100.0]))]
    cases = [case(np.array([1.0, 0.0]), np.array([0.8, 0.2]), params, 0.0),
             case(np.array([1.0, 0.0, 1.0, 0.0, 1.0]), np.full(5, 0.5), params, 1.0),
             case(np.array([0.0, 0.0, 1.0]), np.array([0.1, 0.7, 0.4]),
                  _random_params(rng, [3, 4, 1]), 0.5)]
    for n, sizes, lam in ((5, [2, 3, 1], 0.1), (20, [4, 5, 3, 1], 2.0), (143, [30, 1], 0.0)):
        cases.append(case(rng.integers(0, 2, size=n).astype(float), rng.uniform(0.02, 0.98, n),
                          _random_params(rng, sizes), lam))
    return cases


def _cost_strict_cases(rng):
    params = [(np.ones((2, 1)), np.zeros(1))]
    return [case(np.array([0.0, 1.0]), np.array([1.0, 0.0]), params, 0.1),
            case(np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.5]), params, 0.0)]


_cost = _variants(_cost_template, _NUMPY)

cost = _FiniteAtTheEdges(
    name="cost",
    reference=_ref_cost,
    cases=_cost_cases,
    strict_cases=_cost_strict_cases,
    mistakes=[
        Mistake(_cost("cost_penalises_biases",
                 "penalty = lam / (2 * len(y)) * sum(np.sum(W ** 2) for W, b in params)",
                 "penalty = lam / (2 * len(y)) * sum(np.sum(W ** 2) + np.sum(b ** 2) for "
                      "W, b in params)"),
                "the biases were penalised too; the L2 penalty sums the squared weights W only "
                "(a bias only shifts a unit's threshold)."),
        Mistake(_cost("cost_penalty_without_half",
                 "penalty = lam / (2 * len(y)) * sum(np.sum(W ** 2) for W, b in params)",
                 "penalty = lam / len(y) * sum(np.sum(W ** 2) for W, b in params)"),
                "the penalty is twice too large: it is lam / (2 n) times the sum of squared "
                "weights (the 2 makes its gradient lam / n * W)."),
        Mistake(_cost("cost_penalty_not_per_sample",
                 "penalty = lam / (2 * len(y)) * sum(np.sum(W ** 2) for W, b in params)",
                 "penalty = lam / 2 * sum(np.sum(W ** 2) for W, b in params)"),
                "the penalty was not divided by n: it is lam / (2 n) times the sum of squared "
                "weights, n = len(y), so it keeps its weight against the mean cross-entropy."),
        Mistake(_cost("cost_summed",
                 "cross_entropy = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))",
                 "cross_entropy = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))"),
                "you summed the losses of the samples; the cross-entropy is their mean."),
    ],
    unstable=Mistake(_cost("cost_unclipped",
                 "p = np.clip(probs, 1e-12, 1 - 1e-12)",
                 "p = probs"),
                     "a probability of exactly 0 or 1 gives log(0); clip probs to "
                     "[1e-12, 1 - 1e-12] before taking logs."),
)


# --- backward: the chain rule through every layer, plus the penalty's gradient ---------------

def _backward_template(y, params, probs, caches, lam):
    n = len(y)
    dZ = (probs - y)[:, None] / n
    grads = []
    for k in reversed(range(len(params))):
        A_prev, Z = caches[k]
        W, b = params[k]
        grads.append((A_prev.T @ dZ + lam / n * W, dZ.sum(axis=0)))
        if k > 0:
            dZ = (dZ @ W.T) * (caches[k - 1][1] > 0)
    return grads[::-1]


_backward_loop = variants.bind(_backward_template, _NUMPY)


def _ref_backward(y, params, probs, caches, lam):
    """Analytic, checked against centred differences in tests/autograder/test_capstone.py."""
    return _tuples(_backward_loop(y, params, probs, caches, lam))


def _backward_cases(rng):
    X = np.array([[1.0, -1.0], [-1.0, 2.0], [0.5, 0.5]])
    params = [(np.eye(2), np.array([0.5, -0.5])), (np.ones((2, 1)), np.array([0.25]))]
    examples = [(X, np.array([1.0, 0.0, 1.0]), params, 0.0), (X, np.array([1.0, 0.0, 0.0]),
                                                              params, 1.0)]
    for n, sizes, lam in ((6, [3, 4, 1], 0.5), (10, [2, 5, 3, 1], 0.1), (4, [5, 3, 1], 0.0),
                          (7, [3, 1], 2.0)):
        examples.append((rng.normal(size=(n, sizes[0])), rng.integers(0, 2, size=n).astype(float),
                         _random_params(rng, sizes), lam))
    out = []
    for X, y, params, lam in examples:
        probs, caches = _forward_loop(X, params)
        out.append(case(y, params, probs, caches, lam))
    return out


_bwd = _variants(_backward_template, _NUMPY)
BROADCAST_TRAP = (
    "dZ came out with shape (n, n): probs[:, None] - y subtracts a vector of shape (n,) from a "
    "column of shape (n, 1), and NumPy broadcasts that into a table of every difference. "
    "Subtract first, then make the column: (probs - y)[:, None] / n.")

# the broadcast trap raises in a deeper layer's matmul: Exercise names the mistake that raises
# the same error, not only NumPy's complaint
backward = Exercise(
    name="backward",
    reference=_ref_backward,
    cases=_backward_cases,
    uses=("forward", "cost"),  # the visible test runs both: the cache, the gradient check
    rtol=1e-5,
    atol=1e-8,
    mistakes=[
        Mistake(_bwd("backward_broadcast_trap",
                 "dZ = (probs - y)[:, None] / n",
                 "dZ = (probs[:, None] - y) / n"), BROADCAST_TRAP),
        Mistake(_bwd("backward_no_mean",
                 "dZ = (probs - y)[:, None] / n",
                 "dZ = (probs - y)[:, None]"),
                "the cross-entropy's gradients are n times too large: the cost is a mean, so "
                "dZ of the output layer is (probs - y) / n."),
        Mistake(_bwd("backward_no_relu_mask",
                 "dZ = (dZ @ W.T) * (caches[k - 1][1] > 0)",
                 "dZ = dZ @ W.T"),
                "the gradient flowed through the ReLU unchanged; multiply dA by the ReLU's "
                "slope, 1 where Z > 0 and 0 elsewhere."),
        Mistake(_bwd("backward_no_penalty",
                 "grads.append((A_prev.T @ dZ + lam / n * W, dZ.sum(axis=0)))",
                 "grads.append((A_prev.T @ dZ, dZ.sum(axis=0)))"),
                "the penalty's gradient is missing: with lam > 0 every dW gets lam / n * W."),
        Mistake(_bwd("backward_penalises_biases",
                 "grads.append((A_prev.T @ dZ + lam / n * W, dZ.sum(axis=0)))",
                 "grads.append((A_prev.T @ dZ + lam / n * W, dZ.sum(axis=0) + lam / n * b))"),
                "db got lam / n * b as well; the penalty has no bias in it, so db is dZ summed "
                "over the samples only."),
        Mistake(_bwd("backward_db_kept_dims",
                 "grads.append((A_prev.T @ dZ + lam / n * W, dZ.sum(axis=0)))",
                 "grads.append((A_prev.T @ dZ + lam / n * W, dZ.sum(axis=0, "
                     "keepdims=True)))"),
                "db has shape (1, n_out) (keepdims=True); every gradient has the shape of its "
                "parameter: db = dZ.sum(axis=0), shape (n_out,)."),
    ],
)


# --- minibatch_indices: a fresh shuffle every epoch -------------------------------------------

def _minibatch_template(n_samples, batch_size, rng):
    order = rng.permutation(n_samples)
    return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]


_ref_minibatch = variants.bind(_minibatch_template, _NUMPY)


def _ref_minibatch_indices(n_samples, batch_size, rng):
    return _tuples(_ref_minibatch(n_samples, batch_size, rng))


def _minibatch_cases(rng):
    return [case(10, 3, np.random.default_rng(0)), case(319, 32, np.random.default_rng(5)),
            case(8, 8, np.random.default_rng(2)), case(7, 10, np.random.default_rng(4)),
            case(int(rng.integers(20, 60)), 6, np.random.default_rng(int(rng.integers(1, 10**6))))]


_mb = _variants(_minibatch_template, _NUMPY)

minibatch_indices = Exercise(
    name="minibatch_indices",
    reference=_ref_minibatch_indices,
    cases=_minibatch_cases,
    mistakes=[
        Mistake(_mb("minibatch_not_shuffled",
                 "order = rng.permutation(n_samples)",
                 "order = np.arange(n_samples)"),
                "the batches follow the stored order 0, 1, 2, ...; shuffle first with "
                "rng.permutation(n_samples), so every epoch sees the samples in a new order."),
        Mistake(_mb("minibatch_drops_remainder",
                 "return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]",
                 "return [order[start:start + batch_size] for start in range(0, n_samples - "
                    "batch_size + 1, batch_size)]"),
                "the last, smaller batch is missing: when batch_size does not divide n_samples "
                "the remainder is a batch too, so every sample is used once per epoch."),
        Mistake(_mb("minibatch_ignores_rng",
                 "order = rng.permutation(n_samples)",
                 "order = np.random.default_rng(0).permutation(n_samples)"),
                "the order does not come from the generator `rng` passed in (generators seeded "
                "with 5 and with 0 gave the same order); shuffle with rng.permutation."),
    ],
)


# --- adam_step: Adam over every parameter of the network --------------------------------------

def _adam_template(params, grads, m, v, t, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    m = [tuple(beta1 * mP + (1 - beta1) * dP for mP, dP in zip(m_layer, g_layer))
         for m_layer, g_layer in zip(m, grads)]
    v = [tuple(beta2 * vP + (1 - beta2) * dP ** 2 for vP, dP in zip(v_layer, g_layer))
         for v_layer, g_layer in zip(v, grads)]
    c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
    params = [tuple(P - learning_rate * (mP / c1) / (np.sqrt(vP / c2) + eps)
                    for P, mP, vP in zip(*layer)) for layer in zip(params, m, v)]
    return params, m, v


def _ref_adam_step(params, grads, m, v, t, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
    return _tuples(optim.adam_step(_tuples(params), _tuples(grads), _tuples(m), _tuples(v), t,
                                   learning_rate, beta1, beta2, eps))


def _adam_cases(rng):
    W, b = np.array([[1.0, -2.0]]), np.array([0.5])
    dW, db = np.array([[0.5, -4.0]]), np.array([2.0])
    zeros = [(np.zeros((1, 2)), np.zeros(1))]
    cases = [case([(W, b)], [(dW, db)], zeros, zeros, 1, 0.1),
             case([(W, b)], [(dW, db)], [(np.full((1, 2), 2.0), np.ones(1))],
                  [(np.full((1, 2), 2.0), np.ones(1))], 2, 0.1, 0.5, 0.75),
             case([(W, b)], [(dW, db)], zeros, zeros, 1, 0.1, 0.9, 0.999, 0.25)]
    for sizes, t in (([3, 4, 1], 1), ([2, 5, 3, 1], 7), ([4, 1], 30)):
        params, grads = _random_params(rng, sizes), _random_params(rng, sizes)
        m = _random_params(rng, sizes, scale=0.1)
        v = [(np.abs(mW) + 0.01, np.abs(mb) + 0.01) for mW, mb in _random_params(rng, sizes)]
        cases.append(case(params, grads, m, v, t, 0.01, 0.8, 0.99))
    return cases


_adam = _variants(_adam_template, _NUMPY)

adam_step = _LeavesItsInputs(
    name="adam_step",
    reference=_ref_adam_step,
    cases=_adam_cases,
    returns=("new_params", "new_m", "new_v"),
    mistakes=[
        Mistake(_adam("adam_no_bias_correction",
                 "c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t",
                 "c1, c2 = 1, 1"),
                "m and v were used without the bias correction: divide them by 1 - beta1**t and "
                "1 - beta2**t, or the first steps are far too small."),
        Mistake(_adam("adam_eps_inside_root",
                 "params = [tuple(P - learning_rate * (mP / c1) / (np.sqrt(vP / c2) + eps)",
                 "params = [tuple(P - learning_rate * (mP / c1) / np.sqrt(vP / c2 + eps)"),
                "eps was added inside the square root; it goes after it: "
                "m_hat / (sqrt(v_hat) + eps)."),
        Mistake(_adam("adam_v_not_squared",
                 "v = [tuple(beta2 * vP + (1 - beta2) * dP ** 2 for vP, dP in zip(v_layer, g_layer))",
                 "v = [tuple(beta2 * vP + (1 - beta2) * dP for vP, dP in zip(v_layer, g_layer))"),
                "v is the running mean of the squared gradient: (1 - beta2) * grad**2, not "
                "(1 - beta2) * grad."),
    ],
    changed=Mistake(_adam("adam_in_place",
                          "params = [tuple(P - learning_rate * (mP / c1) / (np.sqrt(vP / c2) + eps)",
                          "params = [tuple(np.subtract(P, learning_rate * (mP / c1) / "
                          "(np.sqrt(vP / c2) + eps), out=P)"),
                    "the parameters passed in were changed in place (P -= ... or out=P); make new "
                    "arrays, P - step, so the caller's params (and any copy remembered as the "
                    "best so far) stay as they were."),
)


# --- cosine_decay: the learning-rate schedule -------------------------------------------------

def _cosine_template(epoch, base_rate, n_epochs, min_rate=0.0):
    progress = min(epoch, n_epochs) / n_epochs
    return min_rate + (base_rate - min_rate) * (1 + np.cos(np.pi * progress)) / 2


def _cosine_cases(rng):
    cases = [case(0, 0.1, 10), case(5, 0.1, 10), case(10, 0.1, 10), case(15, 0.1, 10),
             case(5, 0.3, 10, 0.1), case(12, 0.3, 10, 0.1)]
    for _ in range(4):
        n = int(rng.integers(5, 300))
        cases.append(case(int(rng.integers(0, 2 * n)), float(rng.uniform(0.001, 1)), n,
                          float(rng.uniform(0, 0.001))))
    return cases


_cos = _variants(_cosine_template, _NUMPY)

cosine_decay = Exercise(
    name="cosine_decay",
    reference=optim.cosine_decay,
    cases=_cosine_cases,
    mistakes=[
        Mistake(_cos("cosine_not_held",
                 "progress = min(epoch, n_epochs) / n_epochs",
                 "progress = epoch / n_epochs"),
                "after n_epochs the rate climbs back up; it stays at min_rate from epoch "
                "n_epochs on: progress = min(epoch, n_epochs) / n_epochs."),
        Mistake(_cos("cosine_ignores_min_rate",
                 "return min_rate + (base_rate - min_rate) * (1 + np.cos(np.pi * progress)) / 2",
                 "return base_rate * (1 + np.cos(np.pi * progress)) / 2"),
                "the schedule falls to 0 instead of min_rate: rate = min_rate + (base_rate - "
                "min_rate) * (1 + cos(pi * progress)) / 2."),
    ],
)


# --- train: everything together, with early stopping -----------------------------------------

def _train_template(X_train, y_train, X_val, y_val, layer_sizes, learning_rate=0.01, lam=0.1,
                    batch_size=32, max_epochs=200, patience=20, seed=0):
    rng = np.random.default_rng(seed)
    params = init_params(layer_sizes, rng)
    m = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    v = [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]
    t = 0
    best_params, best_cost, wait = params, np.inf, 0
    train_history, val_history = [], []
    for epoch in range(max_epochs):
        train_history.append(cost(y_train, forward(X_train, params)[0], params, lam))
        val_cost = cost(y_val, forward(X_val, params)[0], params, 0.0)
        val_history.append(val_cost)
        if val_cost < best_cost:
            best_params, best_cost, wait = params, val_cost, 0
        else:
            wait += 1
        if wait == patience:
            break
        rate = cosine_decay(epoch, learning_rate, max_epochs)
        for batch in minibatch_indices(len(X_train), batch_size, rng):
            probs, caches = forward(X_train[batch], params)
            grads = backward(y_train[batch], params, probs, caches, lam)
            t += 1
            params, m, v = adam_step(params, grads, m, v, t, rate)
    return best_params, train_history, val_history


#: The training loop's pieces in the grader: the ``ann_lib`` references (and this module's
#: analytic loops, checked against ``ann_lib`` in tests/autograder/test_capstone.py).
_PIECES = {"np": np, "init_params": _ref_init_params, "forward": _forward_loop,
           "cost": _ref_cost, "backward": _backward_loop, "minibatch_indices": _ref_minibatch,
           "adam_step": optim.adam_step, "cosine_decay": optim.cosine_decay}
_train_loop = variants.bind(_train_template, _PIECES)


def _ref_train(*args, **kwargs):
    return _tuples(_train_loop(*args, **kwargs))


def _toy_data(rng, n_train, n_val, d, flip=0.15):
    """Two noisy classes split by a random plane, standardized-looking features."""
    w = rng.normal(size=d)
    X = rng.normal(size=(n_train + n_val, d))
    y = (X @ w + 0.3 * rng.normal(size=n_train + n_val) > 0).astype(float)
    y = np.where(rng.random(n_train + n_val) < flip, 1 - y, y)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def _train_cases(rng):
    cases = []
    settings = (
        # several layers, batches of 16 over 45 samples (the last holds 13), L2 on
        ((45, 20, 3), dict(layer_sizes=[3, 5, 4, 1], learning_rate=0.05, lam=0.5, batch_size=16,
                           max_epochs=25, patience=4, seed=7)),
        # the single neuron, one full batch, no penalty, patience that never runs out
        ((30, 12, 2), dict(layer_sizes=[2, 1], learning_rate=0.1, lam=0.0, batch_size=30,
                           max_epochs=12, patience=12, seed=3)),
        # a learning rate of 0: the costs never move, so training stops after patience epochs
        ((20, 10, 2), dict(layer_sizes=[2, 3, 1], learning_rate=0.0, lam=0.1, batch_size=8,
                           max_epochs=15, patience=3, seed=int(rng.integers(1, 10**6)))),
        # a large rate: the validation cost wobbles before its lowest point
        ((40, 15, 3), dict(layer_sizes=[3, 6, 1], learning_rate=0.1, lam=0.0, batch_size=7,
                           max_epochs=30, patience=3, seed=12)),
    )
    for k, ((n_train, n_val, d), kwargs) in enumerate(settings):
        # fixed data (the wobble of the last case is what tells a reset counter from none)
        X_train, y_train, X_val, y_val = _toy_data(np.random.default_rng(k), n_train, n_val, d)
        cases.append(case(X_train, y_train, X_val, y_val, **kwargs))
    return cases


_tr = _variants(_train_template, _PIECES)

train = Exercise(
    name="train",
    reference=_ref_train,
    cases=_train_cases,
    returns=("best_params", "train_history", "val_history"),
    uses=("init_params", "forward", "cost", "backward", "minibatch_indices", "adam_step",
          "cosine_decay"),
    rtol=1e-5,
    atol=1e-8,
    mistakes=[
        Mistake(_tr("train_watches_training_cost",
                 "if val_cost < best_cost:",
                 "if train_history[-1] < best_cost:"),
                "early stopping watched the training cost; it watches the validation cost, "
                "which is what tells you the network stopped getting better on new data."),
        Mistake(_tr("train_keeps_last",
                 "return best_params, train_history, val_history",
                 "return params, train_history, val_history"),
                "the parameters returned are the last ones, not those of the epoch with the "
                "lowest validation cost."),
        Mistake(_tr("train_never_resets_wait",
                 "best_params, best_cost, wait = params, val_cost, 0",
                 "best_params, best_cost = params, val_cost"),
                "the patience counter is not reset when the validation cost improves: set "
                "wait = 0 at every new lowest validation cost, so only epochs in a row without "
                "improvement count."),
        Mistake(_tr("train_stops_late",
                 "if wait == patience:",
                 "if wait > patience:"),
                "training stopped one epoch late: stop as soon as `patience` epochs in a row have "
                "not improved the validation cost (wait == patience)."),
        Mistake(_tr("train_equal_is_improvement",
                 "if val_cost < best_cost:",
                 "if val_cost <= best_cost:"),
                "an equal validation cost counted as an improvement; only a strictly lower one "
                "resets the counter (val_cost < best_cost)."),
        Mistake(_tr("train_penalised_validation",
                 "val_cost = cost(y_val, forward(X_val, params)[0], params, 0.0)",
                 "val_cost = cost(y_val, forward(X_val, params)[0], params, lam)"),
                "the validation cost includes the L2 penalty; measure the validation set by its "
                "cross-entropy alone, cost(..., lam=0.0): the penalty is a training device, not "
                "an error on new data."),
        Mistake(_tr("train_same_order_every_epoch",
                 "for batch in minibatch_indices(len(X_train), batch_size, rng):",
                 "for batch in minibatch_indices(len(X_train), batch_size, "
                    "np.random.default_rng(seed)):"),
                "every epoch visited the batches in the same order: draw each epoch's shuffle "
                "from the one generator rng made from the seed (after init_params drew from it)."),
        Mistake(_tr("train_adam_counts_epochs",
                 "t += 1",
                 "t = epoch + 1"),
                "Adam's step counter t counted epochs; it counts steps, one per mini-batch "
                "(t = 1 for the very first step)."),
        Mistake(_tr("train_no_schedule",
                 "rate = cosine_decay(epoch, learning_rate, max_epochs)",
                 "rate = learning_rate"),
                "the learning rate never changes; each epoch uses "
                "cosine_decay(epoch, learning_rate, max_epochs)."),
    ],
)


# --- predict: the threshold is a choice ------------------------------------------------------

def _predict_template(X, params, threshold=0.5):
    probs, _ = forward(X, params)
    return (probs >= threshold).astype(int)


_predict_loop = variants.bind(_predict_template, {"np": np, "forward": _forward_loop})


def _predict_cases(rng):
    X = np.array([[1.0], [-1.0], [0.3]])
    one = [(np.array([[1.0]]), np.zeros(1)), (np.array([[1.0]]), np.array([-0.1]))]
    zero = [(np.zeros((2, 3)), np.zeros(3)), (np.zeros((3, 1)), np.zeros(1))]
    # the hidden ReLU decides: h = (relu(x), relu(-x)) gives z = |x| - 1.5, a linear or sigmoid
    # hidden layer gives the same z for every x (labels 0); not left to the random draws
    relu = [(np.array([[1.0, -1.0]]), np.zeros(2)), (np.ones((2, 1)), np.array([-1.5]))]
    cases = [case(X, one), case(X, one, threshold=0.6),
             case(np.ones((4, 2)), zero), case(np.ones((2, 2)), zero, threshold=0.5),
             case(np.array([[2.0], [-2.0], [0.5]]), relu)]
    for n, sizes, t in ((20, [3, 4, 1], 0.5), (40, [2, 6, 3, 1], 0.3), (30, [5, 1], 0.8)):
        cases.append(case(rng.normal(size=(n, sizes[0])), _random_params(rng, sizes, 0.5),
                          threshold=t))
    return cases


_pred = _variants(_predict_template, {"np": np, "forward": _forward_loop})

predict = Exercise(
    name="predict",
    reference=_predict_loop,
    cases=_predict_cases,
    uses=("forward",),
    mistakes=[
        Mistake(_pred("predict_strict",
                 "return (probs >= threshold).astype(int)",
                 "return (probs > threshold).astype(int)"),
                "a probability exactly at the threshold was called 0; the rule is probs >= "
                "threshold (zero weights give z = 0 and a probability of exactly 0.5)."),
        Mistake(_pred("predict_ignores_threshold",
                 "return (probs >= threshold).astype(int)",
                 "return (probs >= 0.5).astype(int)"),
                "the threshold passed in was not used: the labels are probs >= threshold."),
        Mistake(_pred("predict_returns_probs",
                 "return (probs >= threshold).astype(int)",
                 "return probs"),
                "predict returned the probabilities; turn them into labels 0 and 1."),
    ],
)


# --- precision_recall: the scores of every threshold -----------------------------------------

def _precision_recall_template(y, probs, thresholds):
    precision, recall = [], []
    for t in thresholds:
        called = probs >= t
        tp = np.sum(called & (y == 1))
        precision.append(tp / np.sum(called) if np.sum(called) > 0 else 1.0)
        recall.append(tp / np.sum(y == 1))
    return np.array(precision), np.array(recall)


def _ref_precision_recall(y, probs, thresholds):
    return metrics.precision_recall_curve(y, probs, thresholds)[:2]


def _pr_cases(rng):
    y = np.array([0, 1, 1, 0, 1])
    probs = np.array([0.2, 0.6, 0.9, 0.7, 0.4])
    cases = [case(y, probs, np.array([0.1, 0.4, 0.5, 0.7, 0.95])),
             case(np.array([1, 0]), np.array([0.5, 0.25]), np.array([0.25, 0.5, 0.75]))]
    for n in (20, 107):
        y = rng.integers(0, 2, size=n)
        y[0] = 1
        probs = np.clip(0.35 * y + rng.uniform(0, 0.65, size=n), 0, 1).round(2)
        cases.append(case(y, probs, np.unique(probs)))
    return cases


_pr = _variants(_precision_recall_template, _NUMPY)

precision_recall = Exercise(
    name="precision_recall",
    reference=_ref_precision_recall,
    cases=_pr_cases,
    returns=("precision", "recall"),
    mistakes=[
        Mistake(_pr("pr_strict",
                 "called = probs >= t",
                 "called = probs > t"),
                "a probability exactly at the threshold was not called positive; the rule is "
                "probs >= t, as in predict."),
        Mistake(_pr("pr_recall_is_precision",
                 "recall.append(tp / np.sum(y == 1))",
                 "recall.append(tp / np.sum(called) if np.sum(called) > 0 else 1.0)"),
                "recall divides the true positives by the number of positives, np.sum(y == 1) "
                "(the share of them that was found), not by the number called positive."),
        Mistake(_pr("pr_empty_precision_zero",
                 "precision.append(tp / np.sum(called) if np.sum(called) > 0 else 1.0)",
                 "precision.append(tp / np.sum(called) if np.sum(called) > 0 else 0.0)"),
                "where nothing is called positive there is no false alarm: precision is 1.0 "
                "there by convention (scikit-learn's too), not 0."),
    ],
)


#: While graded: the data sets, the activations the forward pass builds on and the numerical
#: gradient the visible tests use; nothing of ann_lib.network, optim, metrics or regularization
#: (this lesson's references), nor ann_lib.teaching (its figures are skipped while graded).
GRADED = Reach(ann_lib=("activations", "datasets", "gradcheck"))
