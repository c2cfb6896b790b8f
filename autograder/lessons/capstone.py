"""Checks for lesson 10, the capstone: a whole network trained on the breast-cancer data, with a
validation split and early stopping."""

import functools

import numpy as np

from ann_lib import activations, datasets, losses, network
from ann_lib.preprocessing import StandardScaler
from autograder import core
from autograder.core import Exercise, Mistake, Property, case, expect, fmt

__all__ = ["expect", "self_check", "standardize_split", "init_params", "forward", "bce_cost",
           "backward", "train_decreases", "train_accuracy", "predict", "train_early_stopping",
           "TARGET_ACCURACY"]

TARGET_ACCURACY = 0.95
"""The validation accuracy the trained network must reach on the lesson's fixed split."""


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = core.self_check_for(__name__)


# --- references in the lesson's conventions -------------------------------------------------
# params = [(W1, b1), (W2, b2)]: W1 (n_features, n_hidden), b1 (n_hidden,), W2 (n_hidden, 1),
# b2 (1,). forward returns probs of shape (n_samples,) and the cache (Z1, A1).

def _ref_standardize_split(X_train, X_test):
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)


def _ref_init_params(layer_sizes, seed):
    return tuple(tuple(pair) for pair in network.init_params(layer_sizes, seed))


def _ref_forward(X, params):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    A1 = activations.relu(Z1)
    probs = activations.sigmoid(A1 @ W2 + b2)[:, 0]
    return probs, (Z1, A1)


def _ref_backward(X, y, params, probs, cache):
    """The gradients of the mean BCE, analytic: ``dZ2 = (probs - y) / n`` back through both
    layers. (Centred differences, checked against these in tests/autograder/test_capstone.py,
    lose digits where the sigmoid saturates: ``1 - p`` for ``p`` near 1.)"""
    (_, _), (W2, _) = params
    Z1, A1 = cache
    dZ2 = (np.asarray(probs) - y)[:, None] / len(y)
    dZ1 = (dZ2 @ W2.T) * activations.relu_grad(Z1)
    return ((X.T @ dZ1, dZ1.sum(axis=0)), (A1.T @ dZ2, dZ2.sum(axis=0)))


def _ref_predict(X, params):
    return (_ref_forward(X, params)[0] >= 0.5).astype(np.int64)


def _random_params(rng, n_features, n_hidden, scale=1.0):
    W1 = scale * rng.normal(size=(n_features, n_hidden))
    b1 = 0.5 * rng.normal(size=n_hidden)
    W2 = scale * rng.normal(size=(n_hidden, 1))
    b2 = 0.5 * rng.normal(size=1)
    return [(W1, b1), (W2, b2)]


# --- standardize_split: statistics from the training set only -------------------------------

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


def split_each_own_stats(X_train, X_test):
    def scale(X):
        return (X - X.mean(axis=0)) / X.std(axis=0)
    return scale(X_train), scale(X_test)


def split_stats_from_all(X_train, X_test):
    X_all = np.vstack([X_train, X_test])
    mean, std = X_all.mean(axis=0), X_all.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std


def split_sample_std(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    return (X_train - mean) / std, (X_test - mean) / std


def split_not_centred(X_train, X_test):
    std = X_train.std(axis=0)
    return X_train / std, X_test / std


standardize_split = Exercise(
    name="standardize_split",
    reference=_ref_standardize_split,
    cases=_split_cases,
    mistakes=[
        Mistake(split_each_own_stats, "the test set was standardized with its own mean and "
                                      "standard deviation; reuse the training set's statistics "
                                      "for it, as if the test samples arrived one at a time."),
        Mistake(split_stats_from_all, "the mean and standard deviation were computed on training "
                                      "and test data together, which leaks the test set into "
                                      "training; compute them on X_train only."),
        Mistake(split_sample_std, "you used the sample standard deviation (ddof=1); this course "
                                  "divides by n: X_train.std(axis=0)."),
        Mistake(split_not_centred, "the features were divided by their spread but not centred; "
                                   "subtract the training mean first."),
    ],
)


# --- init_params: He for the hidden layer, Glorot for the output layer ----------------------

def _init_cases(rng):
    return [case([3, 4, 1], 0), case([30, 16, 1], 0), case([2, 8, 1], 7), case([5, 3, 1], 123)]


def init_he_everywhere(layer_sizes, seed):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        params.append((rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out)), np.zeros(n_out)))
    return tuple(params)


def init_variance_as_std(layer_sizes, seed):
    rng = np.random.default_rng(seed)
    params = []
    for i, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        var = 2 / (n_in + n_out) if i == len(layer_sizes) - 2 else 2 / n_in
        params.append((rng.normal(0.0, var, size=(n_in, n_out)), np.zeros(n_out)))
    return tuple(params)


def init_transposed(layer_sizes, seed):
    rng = np.random.default_rng(seed)
    params = []
    for i, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        std = np.sqrt(2 / (n_in + n_out)) if i == len(layer_sizes) - 2 else np.sqrt(2 / n_in)
        params.append((rng.normal(0.0, std, size=(n_out, n_in)), np.zeros(n_out)))
    return tuple(params)


init_params = Exercise(
    name="init_params",
    reference=_ref_init_params,
    cases=_init_cases,
    mistakes=[
        Mistake(init_he_everywhere, "the output layer also got He's sqrt(2 / n_in); the sigmoid "
                                    "output layer uses Glorot's sqrt(2 / (n_in + n_out))."),
        Mistake(init_variance_as_std, "the variance 2 / n_in was passed as the standard "
                                      "deviation; np.random's normal takes the standard deviation, "
                                      "so take the square root."),
        Mistake(init_transposed, "W has shape (n_out, n_in); this course's layers compute "
                                 "X @ W, so W needs shape (n_in, n_out)."),
    ],
)


# --- forward: dense -> ReLU -> dense -> sigmoid ---------------------------------------------

def _forward_cases(rng):
    X = np.array([[1.0, -1.0], [-1.0, 2.0]])
    cases = [case(X, [(np.eye(2), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))])]
    for n, d, h in ((5, 3, 4), (8, 2, 6), (1, 4, 3), (12, 30, 16)):
        cases.append(case(rng.normal(size=(n, d)), _random_params(rng, d, h)))
    return cases


def forward_linear_hidden(X, params):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    return activations.sigmoid(Z1 @ W2 + b2)[:, 0], (Z1, Z1)


def forward_logits_out(X, params):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    return (A1 @ W2 + b2)[:, 0], (Z1, A1)


def forward_kept_column(X, params):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    return activations.sigmoid(A1 @ W2 + b2), (Z1, A1)


def forward_squeezed(X, params):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    return activations.sigmoid(A1 @ W2 + b2).squeeze(), (Z1, A1)


def forward_sigmoid_hidden(X, params):
    (W1, b1), (W2, b2) = params
    Z1 = X @ W1 + b1
    A1 = activations.sigmoid(Z1)
    return activations.sigmoid(A1 @ W2 + b2)[:, 0], (Z1, A1)


forward = Exercise(
    name="forward",
    reference=_ref_forward,
    cases=_forward_cases,
    mistakes=[
        Mistake(forward_linear_hidden, "the hidden layer has no ReLU (A1 equals Z1), so the two "
                                       "layers collapse into one linear map; A1 = max(0, Z1)."),
        Mistake(forward_logits_out, "probs are the raw output scores z; squash them with the "
                                    "sigmoid so they are probabilities between 0 and 1."),
        Mistake(forward_kept_column, "probs has shape (n_samples, 1); take its only column, "
                                     "[:, 0], so probs has shape (n_samples,) like y."),
        Mistake(forward_sigmoid_hidden, "the hidden layer used the sigmoid; this network's hidden "
                                        "layer is ReLU, max(0, Z1)."),
        Mistake(forward_squeezed, ".squeeze() drops every axis of length 1: for a single sample "
                                  "it returns a number of shape () instead of probs of shape "
                                  "(1,). Take the only column with [:, 0]."),
    ],
)


# --- bce_cost: mean binary cross-entropy, clipped ------------------------------------------

def _bce_cases(rng):
    cases = [case(np.array([1.0, 0.0]), np.array([0.8, 0.2])),
             case(np.array([1.0]), np.array([0.5])),
             case(np.array([0.0, 0.0, 1.0]), np.array([0.1, 0.7, 0.4]))]
    for n in (5, 20, 143):
        cases.append(case(rng.integers(0, 2, size=n).astype(float), rng.uniform(0.02, 0.98, n)))
    return cases


def _bce_strict_cases(rng):
    return [case(np.array([0.0, 1.0]), np.array([1.0, 0.0])),
            case(np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.5]))]


def bce_no_minus(y, probs):
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def bce_summed(y, probs):
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def bce_positive_term_only(y, probs):
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    return -np.mean(y * np.log(p))


def bce_unclipped(y, probs):
    return -np.mean(y * np.log(probs) + (1 - y) * np.log(1 - probs))


bce_cost = Exercise(
    name="bce_cost",
    reference=losses.binary_cross_entropy,
    cases=_bce_cases,
    strict_cases=_bce_strict_cases,
    mistakes=[
        Mistake(bce_no_minus, "the cost came out negative: log of a probability is <= 0, so "
                              "the cross-entropy needs a minus sign in front."),
        Mistake(bce_summed, "you summed the losses of the samples; the cost is their mean "
                            "(divide by n), so it does not grow with the data set."),
        Mistake(bce_positive_term_only, "only the y * log(p) term is there; the samples of class "
                                        "0 need (1 - y) * log(1 - p) as well."),
    ],
    unstable=Mistake(bce_unclipped, "a probability of exactly 0 or 1 gives log(0); clip probs "
                                    "to [1e-12, 1 - 1e-12] before taking logs."),
)


# --- backward: backpropagation through both layers -----------------------------------------

def _backward_cases(rng):
    examples = [(np.array([[1.0, -1.0], [-1.0, 2.0]]), np.array([1.0, 0.0]),
                 [(np.eye(2), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))])]
    for n, d, h in ((6, 3, 4), (10, 2, 5), (4, 5, 3)):
        examples.append((rng.normal(size=(n, d)), rng.integers(0, 2, size=n).astype(float),
                         _random_params(rng, d, h)))
    cases = []
    for X, y, params in examples:
        probs, cache = _ref_forward(X, params)
        cases.append(case(X, y, params, probs, cache))
    return cases


def backward_no_mean(X, y, params, probs, cache):
    (W1, b1), (W2, b2) = params
    Z1, A1 = cache
    dZ2 = (probs - y)[:, None]
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return ((X.T @ dZ1, dZ1.sum(axis=0)), (A1.T @ dZ2, dZ2.sum(axis=0)))


def backward_no_relu_mask(X, y, params, probs, cache):
    (W1, b1), (W2, b2) = params
    Z1, A1 = cache
    dZ2 = (probs - y)[:, None] / len(y)
    dZ1 = dZ2 @ W2.T
    return ((X.T @ dZ1, dZ1.sum(axis=0)), (A1.T @ dZ2, dZ2.sum(axis=0)))


def backward_flipped_error(X, y, params, probs, cache):
    (W1, b1), (W2, b2) = params
    Z1, A1 = cache
    dZ2 = (y - probs)[:, None] / len(y)
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return ((X.T @ dZ1, dZ1.sum(axis=0)), (A1.T @ dZ2, dZ2.sum(axis=0)))


def backward_db_kept_dims(X, y, params, probs, cache):
    (W1, b1), (W2, b2) = params
    Z1, A1 = cache
    dZ2 = (probs - y)[:, None] / len(y)
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return ((X.T @ dZ1, dZ1.sum(axis=0, keepdims=True)),
            (A1.T @ dZ2, dZ2.sum(axis=0, keepdims=True)))


def backward_extra_sigmoid_slope(X, y, params, probs, cache):
    (W1, b1), (W2, b2) = params
    Z1, A1 = cache
    dZ2 = ((probs - y) * probs * (1 - probs))[:, None] / len(y)
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return ((X.T @ dZ1, dZ1.sum(axis=0)), (A1.T @ dZ2, dZ2.sum(axis=0)))


backward = Exercise(
    name="backward",
    returns=(("dW1", "db1"), ("dW2", "db2")),
    reference=_ref_backward,
    cases=_backward_cases,
    uses=("forward",),  # the visible test runs the learner's forward to get the cache
    rtol=1e-5,
    atol=1e-8,
    mistakes=[
        Mistake(backward_no_mean, "every gradient is n times too large: the cost is a mean, so "
                                  "dZ2 = (probs - y) / n."),
        Mistake(backward_no_relu_mask, "the gradient flowed through the ReLU unchanged; multiply "
                                       "dA1 by the ReLU's slope, 1 where Z1 > 0 and 0 elsewhere."),
        Mistake(backward_flipped_error, "the gradients point the wrong way: the output error is "
                                        "probs - y, not y - probs."),
        Mistake(backward_extra_sigmoid_slope, "dZ2 was multiplied by the sigmoid's slope p(1 - p) "
                                              "as well; with cross-entropy that factor cancels, "
                                              "dZ2 = (probs - y) / n."),
        Mistake(backward_db_kept_dims, "db1 and db2 have shapes (1, n_hidden) and (1, 1) "
                                       "(keepdims=True); every gradient has the shape of its "
                                       "parameter: db = dZ.sum(axis=0), shape (n_hidden,) and "
                                       "(1,)."),
    ],
)


# --- train: the gradient-descent loop (a Property, in two parts) ---------------------------

@functools.cache
def _breast_cancer_split():
    """The lesson's training and validation sets, standardized with the training statistics.

    As in the notebook: a quarter of the tumours is set aside as the test set (seed 0), then a
    quarter of the rest as the validation set (seed 1). The grader never uses the test set.
    """
    X, y = datasets.load_breast_cancer()
    X_rest, _, y_rest, _ = datasets.train_test_split(X, y, test_size=0.25, seed=0, stratify=True)
    X_train, X_val, y_train, y_val = datasets.train_test_split(X_rest, y_rest, test_size=0.25,
                                                               seed=1, stratify=True)
    X_train, X_val = _ref_standardize_split(X_train, X_val)
    return X_train, X_val, y_train, y_val


def _unpack_training(result, epochs):
    """(params, history, None) or (None, None, message) for what a student's train returned."""
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        return None, None, ("`train` should return a pair (params, loss_history), but it returned "
                            f"{type(result).__name__}.")
    params, history = result
    try:
        history = np.asarray(history, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return None, None, "`train`'s loss_history should be a list of numbers, one per epoch."
    if history.size != epochs:
        return None, None, (f"`train` ran with epochs={epochs} but its loss_history has "
                            f"{history.size} entries; record the cost once per epoch.")
    if not np.all(np.isfinite(history)):
        return None, None, "`train`'s loss_history holds nan or inf: the cost blew up."
    try:
        (W1, b1), (W2, b2) = params
        shapes = [np.shape(W1), np.shape(b1), np.shape(W2), np.shape(b2)]
    except (TypeError, ValueError):
        return None, None, "`train` should return params as [(W1, b1), (W2, b2)]."
    return params, history, shapes


_SIGN_HINT = ("the cost goes up instead of down: gradient descent steps against the gradient, "
              "p = p - learning_rate * grad.")


def _judge_train_decreases(student):
    X_train, _, y_train, _ = _breast_cancer_split()
    epochs = 30
    params, history, note = _unpack_training(
        student(X_train, y_train, n_hidden=8, learning_rate=0.5, epochs=epochs, seed=0), epochs)
    if params is None:
        return note
    if history[-1] > history[0]:
        return f"`train` is not right yet: {_SIGN_HINT} Your loss_history: {fmt(history, 4)}."
    if np.ptp(history) < 1e-12:
        return ("`train` is not right yet: the loss history is flat, the parameters never change; "
                "store the updated arrays back in params (W - lr * dW makes a new array).")
    rises = int(np.sum(np.diff(history) > 1e-9))
    if not history[-1] < 0.8 * history[0] or rises > epochs // 10:
        return (f"`train` is not right yet: with learning_rate=0.5 the cost should fall steadily "
                f"on the training set, but your loss_history is {fmt(history, 4)}.")
    _, still, note = _unpack_training(
        student(X_train, y_train, n_hidden=8, learning_rate=0.0, epochs=5, seed=0), 5)
    if still is None:
        return note
    if np.ptp(still) > 1e-12:
        return ("`train` is not right yet: with learning_rate=0.0 nothing should change, but your "
                f"cost still moved ({fmt(still, 4)}); the learning rate is not used in the update "
                "p = p - learning_rate * grad.")
    return None


def _judge_train_accuracy(student):
    X_train, X_val, y_train, y_val = _breast_cancer_split()
    epochs = 200
    params, history, shapes = _unpack_training(
        student(X_train, y_train, n_hidden=16, learning_rate=0.5, epochs=epochs, seed=0), epochs)
    if params is None:
        return shapes
    wanted = [(30, 16), (16,), (16, 1), (1,)]
    if shapes != wanted:
        return (f"`train` should return params [(W1, b1), (W2, b2)] with shapes {wanted} for "
                f"n_hidden=16, but they have shapes {shapes}.")
    accuracy = float(np.mean(_ref_predict(X_val, params) == y_val))
    if accuracy >= TARGET_ACCURACY:
        return None
    message = (f"`train` is not right yet: after train(X_train, y_train, n_hidden=16, "
               f"learning_rate=0.5, epochs=200, seed=0) the network classifies {accuracy:.1%} "
               f"of the validation set correctly; it should reach {TARGET_ACCURACY:.0%}.")
    if history[-1] > history[0]:
        message += " Look at the loss history: " + _SIGN_HINT
    return message


def train_ascends(X, y, n_hidden=16, learning_rate=0.5, epochs=200, seed=0):
    rng = np.random.default_rng(seed)
    n, d = X.shape
    W1 = rng.normal(0.0, np.sqrt(2 / d), size=(d, n_hidden))
    b1 = np.zeros(n_hidden)
    W2 = rng.normal(0.0, np.sqrt(2 / (n_hidden + 1)), size=(n_hidden, 1))
    b2 = np.zeros(1)
    history = []
    for _ in range(epochs):
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0)
        p = activations.sigmoid(A1 @ W2 + b2)[:, 0]
        q = np.clip(p, 1e-12, 1 - 1e-12)
        history.append(float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))))
        dZ2 = (p - y)[:, None] / n
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        W1 = W1 + learning_rate * (X.T @ dZ1)
        b1 = b1 + learning_rate * dZ1.sum(axis=0)
        W2 = W2 + learning_rate * (A1.T @ dZ2)
        b2 = b2 + learning_rate * dZ2.sum(axis=0)
    return [(W1, b1), (W2, b2)], history


def train_ignores_learning_rate(X, y, n_hidden=16, learning_rate=0.5, epochs=200, seed=0):
    rng = np.random.default_rng(seed)
    n, d = X.shape
    W1 = rng.normal(0.0, np.sqrt(2 / d), size=(d, n_hidden))
    b1 = np.zeros(n_hidden)
    W2 = rng.normal(0.0, np.sqrt(2 / (n_hidden + 1)), size=(n_hidden, 1))
    b2 = np.zeros(1)
    history = []
    for _ in range(epochs):
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0)
        p = activations.sigmoid(A1 @ W2 + b2)[:, 0]
        q = np.clip(p, 1e-12, 1 - 1e-12)
        history.append(float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))))
        dZ2 = (p - y)[:, None] / n
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        W1 = W1 - X.T @ dZ1
        b1 = b1 - dZ1.sum(axis=0)
        W2 = W2 - A1.T @ dZ2
        b2 = b2 - dZ2.sum(axis=0)
    return [(W1, b1), (W2, b2)], history


def train_updates_copies(X, y, n_hidden=16, learning_rate=0.5, epochs=200, seed=0):
    rng = np.random.default_rng(seed)
    n, d = X.shape
    params = [(rng.normal(0.0, np.sqrt(2 / d), size=(d, n_hidden)), np.zeros(n_hidden)),
              (rng.normal(0.0, np.sqrt(2 / (n_hidden + 1)), size=(n_hidden, 1)), np.zeros(1))]
    history = []
    for _ in range(epochs):
        (W1, b1), (W2, b2) = params
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0)
        p = activations.sigmoid(A1 @ W2 + b2)[:, 0]
        q = np.clip(p, 1e-12, 1 - 1e-12)
        history.append(float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))))
        dZ2 = (p - y)[:, None] / n
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        grads = [(X.T @ dZ1, dZ1.sum(axis=0)), (A1.T @ dZ2, dZ2.sum(axis=0))]
        for (W, b), (dW, db) in zip(params, grads):
            W = W - learning_rate * dW
            b = b - learning_rate * db
    return params, history


_TRAIN_USES = ("init_params", "forward", "bce_cost", "backward")

# Two graded parts of the same answer, `train`.
train_accuracy = Property(
    name="train_accuracy",
    answer="train",
    judge=_judge_train_accuracy,
    mistakes=[Mistake(train_ascends, "the cost goes up instead of down")],
    uses=_TRAIN_USES,
)

train_decreases = Property(
    name="train_decreases",
    answer="train",
    judge=_judge_train_decreases,
    mistakes=[
        Mistake(train_ascends, "the cost goes up instead of down"),
        Mistake(train_ignores_learning_rate, "the learning rate is not used in the update"),
        Mistake(train_updates_copies, "the parameters never change"),
    ],
    uses=_TRAIN_USES,
)


# --- predict: labels 0/1 from the probabilities --------------------------------------------

def _predict_cases(rng):
    X = np.array([[1.0], [-1.0], [0.3]])
    params = [(np.array([[1.0]]), np.zeros(1)), (np.array([[1.0]]), np.array([-0.1]))]
    cases = [case(X, params)]
    for n, d, h in ((20, 3, 4), (40, 2, 6), (30, 5, 3)):
        cases.append(case(rng.normal(size=(n, d)), _random_params(rng, d, h, scale=0.5)))
    return cases


def predict_threshold_on_z(X, params):
    (W1, b1), (W2, b2) = params
    z = (np.maximum(X @ W1 + b1, 0) @ W2 + b2)[:, 0]
    return (z >= 0.5).astype(int)


def predict_returns_probs(X, params):
    (W1, b1), (W2, b2) = params
    return activations.sigmoid(np.maximum(X @ W1 + b1, 0) @ W2 + b2)[:, 0]


def predict_column(X, params):
    (W1, b1), (W2, b2) = params
    p = activations.sigmoid(np.maximum(X @ W1 + b1, 0) @ W2 + b2)
    return (p >= 0.5).astype(int)


predict = Exercise(
    name="predict",
    reference=_ref_predict,
    cases=_predict_cases,
    uses=("forward",),
    mistakes=[
        Mistake(predict_threshold_on_z, "the 0.5 threshold was applied to the score z; 0.5 is a "
                                        "threshold for the probability sigmoid(z) (on z it "
                                        "would be 0)."),
        Mistake(predict_returns_probs, "predict returned the probabilities; turn them into "
                                       "labels: 1 where probs >= 0.5, else 0."),
        Mistake(predict_column, "the labels have shape (n_samples, 1); return one label per "
                                "sample, shape (n_samples,)."),
    ],
)


# --- train_early_stopping: keep the parameters with the lowest validation cost (a Property) ---
# The grader recomputes what it judges: the reference trajectory of full-batch gradient descent
# from the lesson's initial weights, the epoch the stopping rule ends on, and the validation cost
# of the parameters the student's function returns.

def _trajectory(X_train, y_train, X_val, y_val, n_hidden, learning_rate, epochs, seed):
    """Training and validation costs of the parameters before each of ``epochs`` steps, and
    those parameters."""
    params = [tuple(pair) for pair in _ref_init_params([X_train.shape[1], n_hidden, 1], seed)]
    train_costs, val_costs, visited = [], [], []
    for _ in range(epochs):
        probs, cache = _ref_forward(X_train, params)
        train_costs.append(losses.binary_cross_entropy(y_train, probs))
        val_costs.append(losses.binary_cross_entropy(y_val, _ref_forward(X_val, params)[0]))
        visited.append(params)
        grads = _ref_backward(X_train, y_train, params, probs, cache)
        params = [(W - learning_rate * dW, b - learning_rate * db)
                  for (W, b), (dW, db) in zip(params, grads)]
    return np.array(train_costs), np.array(val_costs), visited


def _epochs_run(val_costs, patience):
    """How many epochs the stopping rule runs: it stops after the epoch that makes `patience`
    epochs in a row without a new lowest validation cost (or at the end of `val_costs`)."""
    best, wait = np.inf, 0
    for epoch, cost in enumerate(val_costs):
        if cost < best:
            best, wait = cost, 0
        else:
            wait += 1
            if wait == patience:
                return epoch + 1
    return len(val_costs)


def _ref_train_early_stopping(X_train, y_train, X_val, y_val, n_hidden=16, learning_rate=0.5,
                              max_epochs=300, patience=20, seed=0):
    train_costs, val_costs, visited = _trajectory(X_train, y_train, X_val, y_val, n_hidden,
                                                  learning_rate, max_epochs, seed)
    n = _epochs_run(val_costs, patience)
    best = int(np.argmin(val_costs[:n]))
    return visited[best], list(train_costs[:n]), list(val_costs[:n])


#: The calls the grader makes, each with the number of training and validation samples and of
#: features it takes (every one when None): the lowest validation cost comes early in the first
#: run (so the rule stops long before max_epochs) and within the last `patience` epochs of the
#: second one, on a small slice of the data (each call's data travel to the kernel and back).
_EARLY_STOPPING_RUNS = (
    ((None, None, None),
     {"n_hidden": 16, "learning_rate": 0.5, "max_epochs": 150, "patience": 10, "seed": 0}),
    ((40, 20, 6),
     {"n_hidden": 8, "learning_rate": 0.1, "max_epochs": 30, "patience": 10, "seed": 2}),
)

ON_TRAINING_COST = ("early stopping watches the validation cost: the training cost keeps "
                    "falling, so a rule on it never stops training (and keeps the last "
                    "parameters).")
KEPT_LAST = ("the parameters returned are the last ones, not those of the epoch with the "
             "lowest validation cost; remember the best parameters when the validation cost "
             "improves (and update with W = W - ..., not W -= ..., which would change the "
             "remembered arrays too).")
STOPPED_LATE = ("training stopped one epoch late: stop as soon as `patience` epochs in a row "
                "have not improved the validation cost (wait == patience, not wait > patience).")


def _early_stopping_data(size):
    """The lesson's training and validation sets, cut to ``size = (n_train, n_val, n_features)``."""
    n_train, n_val, n_features = size
    X_train, X_val, y_train, y_val = _breast_cancer_split()
    return (X_train[:n_train, :n_features], X_val[:n_val, :n_features], y_train[:n_train],
            y_val[:n_val])


@functools.cache
def _early_stopping_reference(size, run):
    X_train, X_val, y_train, y_val = _early_stopping_data(size)
    kwargs = dict(run)
    return _trajectory(X_train, y_train, X_val, y_val, kwargs["n_hidden"],
                       kwargs["learning_rate"], kwargs["max_epochs"], kwargs["seed"])


def _unpack_early_stopping(result):
    """(params, train_costs, val_costs, None), or None x 3 and the message for a wrong form."""
    form = ("`train_early_stopping` should return a triple (best_params, train_history, "
            "val_history)")
    if not (isinstance(result, (tuple, list)) and len(result) == 3):
        return None, None, None, f"{form}, but it returned {type(result).__name__}."
    params, train_costs, val_costs = result
    try:
        train_costs = np.asarray(train_costs, dtype=float).reshape(-1)
        val_costs = np.asarray(val_costs, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return None, None, None, f"{form}; its histories should be lists of numbers."
    try:
        (W1, b1), (W2, b2) = params
        [np.asarray(a, dtype=float) for a in (W1, b1, W2, b2)]
    except (TypeError, ValueError):
        return None, None, None, f"{form}, with best_params as [(W1, b1), (W2, b2)]."
    return params, train_costs, val_costs, None


def _judge_train_early_stopping(student):
    for size, run in _EARLY_STOPPING_RUNS:
        X_train, X_val, y_train, y_val = _early_stopping_data(size)
        data = ("X_train, y_train, X_val, y_val" if size == (None, None, None) else
                f"X_train[:{size[0]}, :{size[2]}], y_train[:{size[0]}], X_val[:{size[1]}, "
                f":{size[2]}], y_val[:{size[1]}]")
        call = (f"train_early_stopping({data}, "
                + ", ".join(f"{k}={v}" for k, v in run.items()) + ")")
        params, train_costs, val_costs, note = _unpack_early_stopping(
            student(X_train, y_train, X_val, y_val, **run))
        if note:
            return note
        ref_train, ref_val, visited = _early_stopping_reference(size, tuple(run.items()))
        wrong = f"`train_early_stopping` is not right yet: {call}"
        n, patience, max_epochs = val_costs.size, run["patience"], run["max_epochs"]
        if not 1 <= n <= max_epochs or train_costs.size != n:
            return (f"{wrong} returned a train_history of {train_costs.size} and a val_history "
                    f"of {n} entries; both need one cost per epoch run, at most max_epochs.")
        if not np.allclose(train_costs, ref_train[:n], rtol=1e-5, atol=1e-8):
            return (f"{wrong} recorded the training costs {fmt(train_costs, 4)}; the training "
                    f"cost before each step is {fmt(ref_train[:n], 4)}, as `train` records it.")
        if not np.allclose(val_costs, ref_val[:n], rtol=1e-5, atol=1e-8):
            return (f"{wrong} recorded the validation costs {fmt(val_costs, 4)}, but the "
                    f"validation cost of the parameters before each step is "
                    f"{fmt(ref_val[:n], 4)} (forward on X_val, bce_cost with y_val).")
        expected = _epochs_run(ref_val, patience)
        best = int(np.argmin(ref_val[:expected]))
        if n != expected:
            ran = (f"{wrong} ran {n} epochs; the validation cost was lowest at epoch {best} "
                   f"(counting from 0), so with patience={patience} it should run {expected}.")
            if n == max_epochs:
                return f"{ran} {ON_TRAINING_COST}"
            if n == expected + 1:
                return f"{ran} {STOPPED_LATE}"
            if n == expected - 1:
                return (f"{ran} It stopped one epoch early: count only the epochs after the "
                        f"best one, and stop when that count reaches `patience`.")
            return ran
        try:
            got = losses.binary_cross_entropy(y_val, _ref_forward(X_val, params)[0])
        except (TypeError, ValueError) as exc:
            return (f"{wrong}: its best_params could not be used as [(W1, b1), (W2, b2)] "
                    f"({type(exc).__name__}: {exc}).")
        if np.isclose(got, ref_val[best], rtol=1e-5, atol=1e-8):
            continue
        last = [ref_val[n - 1]] + ([ref_val[n]] if n < max_epochs else [])
        if np.any(np.isclose(got, last, rtol=1e-5, atol=1e-8)):
            return f"{wrong}: {KEPT_LAST}"
        return (f"{wrong}: the validation cost of the parameters it returned is {fmt(got, 6)}, "
                f"but the lowest one, at epoch {best}, was {fmt(ref_val[best], 6)}; return the "
                f"parameters of that epoch.")
    return None


def early_stop_on_training_cost(X_train, y_train, X_val, y_val, n_hidden=16, learning_rate=0.5,
                                max_epochs=300, patience=20, seed=0):
    rng = np.random.default_rng(seed)
    d = X_train.shape[1]
    params = [(rng.normal(0.0, np.sqrt(2 / d), size=(d, n_hidden)), np.zeros(n_hidden)),
              (rng.normal(0.0, np.sqrt(2 / (n_hidden + 1)), size=(n_hidden, 1)), np.zeros(1))]
    best_params, best_cost, wait = params, np.inf, 0
    train_history, val_history = [], []
    for _ in range(max_epochs):
        (W1, b1), (W2, b2) = params
        Z1 = X_train @ W1 + b1
        A1 = np.maximum(Z1, 0)
        p = np.clip(activations.sigmoid(A1 @ W2 + b2)[:, 0], 1e-12, 1 - 1e-12)
        q = np.clip(activations.sigmoid(np.maximum(X_val @ W1 + b1, 0) @ W2 + b2)[:, 0],
                    1e-12, 1 - 1e-12)
        train_cost = float(-np.mean(y_train * np.log(p) + (1 - y_train) * np.log(1 - p)))
        train_history.append(train_cost)
        val_history.append(float(-np.mean(y_val * np.log(q) + (1 - y_val) * np.log(1 - q))))
        if train_cost < best_cost:
            best_params, best_cost, wait = params, train_cost, 0
        else:
            wait += 1
            if wait == patience:
                break
        dZ2 = (p - y_train)[:, None] / len(y_train)
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        params = [(W1 - learning_rate * (X_train.T @ dZ1), b1 - learning_rate * dZ1.sum(axis=0)),
                  (W2 - learning_rate * (A1.T @ dZ2), b2 - learning_rate * dZ2.sum(axis=0))]
    return best_params, train_history, val_history


def early_stop_keeps_last(X_train, y_train, X_val, y_val, n_hidden=16, learning_rate=0.5,
                          max_epochs=300, patience=20, seed=0):
    rng = np.random.default_rng(seed)
    d = X_train.shape[1]
    params = [(rng.normal(0.0, np.sqrt(2 / d), size=(d, n_hidden)), np.zeros(n_hidden)),
              (rng.normal(0.0, np.sqrt(2 / (n_hidden + 1)), size=(n_hidden, 1)), np.zeros(1))]
    best_cost, wait = np.inf, 0
    train_history, val_history = [], []
    for _ in range(max_epochs):
        (W1, b1), (W2, b2) = params
        Z1 = X_train @ W1 + b1
        A1 = np.maximum(Z1, 0)
        p = np.clip(activations.sigmoid(A1 @ W2 + b2)[:, 0], 1e-12, 1 - 1e-12)
        q = np.clip(activations.sigmoid(np.maximum(X_val @ W1 + b1, 0) @ W2 + b2)[:, 0],
                    1e-12, 1 - 1e-12)
        train_history.append(float(-np.mean(y_train * np.log(p) + (1 - y_train) * np.log(1 - p))))
        val_cost = float(-np.mean(y_val * np.log(q) + (1 - y_val) * np.log(1 - q)))
        val_history.append(val_cost)
        if val_cost < best_cost:
            best_cost, wait = val_cost, 0
        else:
            wait += 1
            if wait == patience:
                break
        dZ2 = (p - y_train)[:, None] / len(y_train)
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        params = [(W1 - learning_rate * (X_train.T @ dZ1), b1 - learning_rate * dZ1.sum(axis=0)),
                  (W2 - learning_rate * (A1.T @ dZ2), b2 - learning_rate * dZ2.sum(axis=0))]
    return params, train_history, val_history


def early_stop_one_epoch_late(X_train, y_train, X_val, y_val, n_hidden=16, learning_rate=0.5,
                              max_epochs=300, patience=20, seed=0):
    rng = np.random.default_rng(seed)
    d = X_train.shape[1]
    params = [(rng.normal(0.0, np.sqrt(2 / d), size=(d, n_hidden)), np.zeros(n_hidden)),
              (rng.normal(0.0, np.sqrt(2 / (n_hidden + 1)), size=(n_hidden, 1)), np.zeros(1))]
    best_params, best_cost, wait = params, np.inf, 0
    train_history, val_history = [], []
    for _ in range(max_epochs):
        (W1, b1), (W2, b2) = params
        Z1 = X_train @ W1 + b1
        A1 = np.maximum(Z1, 0)
        p = np.clip(activations.sigmoid(A1 @ W2 + b2)[:, 0], 1e-12, 1 - 1e-12)
        q = np.clip(activations.sigmoid(np.maximum(X_val @ W1 + b1, 0) @ W2 + b2)[:, 0],
                    1e-12, 1 - 1e-12)
        train_history.append(float(-np.mean(y_train * np.log(p) + (1 - y_train) * np.log(1 - p))))
        val_cost = float(-np.mean(y_val * np.log(q) + (1 - y_val) * np.log(1 - q)))
        val_history.append(val_cost)
        if val_cost < best_cost:
            best_params, best_cost, wait = params, val_cost, 0
        else:
            wait += 1
            if wait > patience:
                break
        dZ2 = (p - y_train)[:, None] / len(y_train)
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        params = [(W1 - learning_rate * (X_train.T @ dZ1), b1 - learning_rate * dZ1.sum(axis=0)),
                  (W2 - learning_rate * (A1.T @ dZ2), b2 - learning_rate * dZ2.sum(axis=0))]
    return best_params, train_history, val_history


train_early_stopping = Property(
    name="train_early_stopping",
    judge=_judge_train_early_stopping,
    model=_ref_train_early_stopping,
    mistakes=[
        Mistake(early_stop_on_training_cost, ON_TRAINING_COST),
        Mistake(early_stop_keeps_last, KEPT_LAST),
        Mistake(early_stop_one_epoch_late, STOPPED_LATE),
    ],
    uses=("init_params", "forward", "bce_cost", "backward", "train"),
)
