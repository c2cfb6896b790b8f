"""Checks for lesson 07, gradient descent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ann_lib import optim
from autograder.checks import variants
from autograder.checks.core import Exercise, Mistake, Property, case, expect, fmt
from autograder.checks.reach import Reach
from autograder.lessons import self_check_for

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["expect", "self_check", "gd_step", "gradient_descent", "minibatch_indices",
           "momentum_step", "good_learning_rate", "train_linear", "train_linear_momentum",
           "bowl_gradient", "bowl_loss", "bowl_descent"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


# --- functions to descend on ------------------------------------------------------------

def bowl_loss(theta: ArrayLike) -> np.ndarray:
    """The lesson's elongated bowl, f(theta) = theta_0**2 + 10 theta_1**2."""
    theta = np.asarray(theta, dtype=float)
    return theta[..., 0] ** 2 + 10 * theta[..., 1] ** 2


def bowl_gradient(theta: ArrayLike) -> np.ndarray:
    """Gradient of :func:`bowl_loss`: (2 theta_0, 20 theta_1)."""
    theta = np.asarray(theta, dtype=float)
    return np.array([2 * theta[0], 20 * theta[1]])


def bowl_descent(learning_rate: float, n_steps: int) -> np.ndarray:
    """The path of ``n_steps`` gradient-descent steps on :func:`bowl_loss` from (4, 1)."""
    path = [np.array([4.0, 1.0])]
    for _ in range(int(n_steps)):
        path.append(path[-1] - learning_rate * bowl_gradient(path[-1]))
    return np.array(path)


def parabola_gradient(x: ArrayLike) -> np.ndarray:
    """Gradient of the 1-D parabola (x - 3)**2."""
    return 2 * (np.asarray(x, dtype=float) - 3.0)


def tilted_gradient(x: ArrayLike) -> np.ndarray:
    """Gradient of x_0**2 + x_0 x_1 + 2 x_1**2."""
    x = np.asarray(x, dtype=float)
    return np.array([2 * x[0] + x[1], x[0] + 4 * x[1]])


# --- gd_step: one update -----------------------------------------------------------------

def _step_cases(rng):
    cases = [case(np.array([1.0, -2.0]), np.array([0.5, 4.0]), 0.1),
             case(np.array([3.0]), np.array([-2.0]), 0.5),
             case(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [-1.0, 2.0]]), 0.25),
             case(np.array([0.0, 0.0, 0.0]), np.array([1.0, 2.0, 3.0]), 2.0)]
    for shape in ((4,), (2, 3)):
        cases.append(case(rng.normal(size=shape), rng.normal(size=shape),
                          float(rng.uniform(0.01, 1.0))))
    return cases


def gd_ascent(theta, grad, learning_rate):
    return theta + learning_rate * grad


def gd_ignores_learning_rate(theta, grad, learning_rate):
    return theta - grad


def gd_divides_by_learning_rate(theta, grad, learning_rate):
    return theta - grad / learning_rate


def gd_in_place(theta, grad, learning_rate):
    theta -= learning_rate * grad
    return theta


gd_step = Exercise(
    name="gd_step",
    reference=optim.gradient_descent_step,
    cases=_step_cases,
    in_place=Mistake(gd_in_place, "theta was changed in place (theta -= ...), so the caller's "
                                  "parameters move too: return a new array, "
                                  "theta - learning_rate * grad, and leave theta as it was."),
    mistakes=[
        Mistake(gd_ascent, "sign error: you added the gradient, which is gradient ascent and "
                           "climbs uphill; descend with theta - learning_rate * grad."),
        Mistake(gd_ignores_learning_rate, "the learning rate is not used: the step must be "
                                          "scaled, theta - learning_rate * grad."),
        Mistake(gd_divides_by_learning_rate, "you divided the gradient by the learning rate; "
                                             "multiply by it."),
    ],
)


# --- gradient_descent: the whole path ----------------------------------------------------

def _reference_descent(grad_fn, x0, learning_rate, n_steps):
    return optim.gradient_descent(grad_fn, x0, learning_rate, n_steps)


def _descent_cases(rng):
    return [case(bowl_gradient, np.array([4.0, 1.0]), 0.05, 5),
            case(parabola_gradient, np.array([0.0]), 0.25, 4),
            case(tilted_gradient, np.array([1.0, -1.0]), 0.1, 10),
            case(bowl_gradient, np.array([-2.0, 0.5]), 0.09, 1),
            case(parabola_gradient, np.array([5.0]), 0.1, 0),
            case(tilted_gradient, rng.normal(size=2), 0.2, 7)]


def descent_path_without_start(grad_fn, x0, learning_rate, n_steps):
    x = np.array(x0, dtype=float)
    path = []
    for _ in range(n_steps):
        x = x - learning_rate * grad_fn(x)
        path.append(x)
    return np.array(path).reshape(n_steps, len(x))


def descent_only_last_point(grad_fn, x0, learning_rate, n_steps):
    x = np.array(x0, dtype=float)
    for _ in range(n_steps):
        x = x - learning_rate * grad_fn(x)
    return x


def descent_gradient_at_start(grad_fn, x0, learning_rate, n_steps):
    x = np.array(x0, dtype=float)
    g = grad_fn(x)
    path = [x]
    for _ in range(n_steps):
        x = x - learning_rate * g
        path.append(x)
    return np.array(path)


gradient_descent = Exercise(
    name="gradient_descent",
    reference=_reference_descent,
    cases=_descent_cases,
    uses=("gd_step",),
    mistakes=[
        Mistake(descent_path_without_start,
                "the path is missing its starting point: path[0] must be x0, so a run of "
                "n_steps steps has n_steps + 1 rows."),
        Mistake(descent_only_last_point,
                "you returned only the final point; return the whole path, one row per point, "
                "shape (n_steps + 1, dim)."),
        Mistake(descent_gradient_at_start,
                "the gradient was computed once, at x0, and reused; recompute grad_fn(x) at the "
                "current point in every step."),
    ],
)


# --- minibatch_indices: one epoch of shuffled batches --------------------------------------

NO_SHUFFLE = ("the batches are not shuffled: they take the samples in their stored order every "
              "epoch. Draw a new random order with rng.permutation(n_samples) first.")
DROPPED_LAST = ("the last, smaller batch was dropped: an epoch uses every sample exactly once, "
                "so when batch_size does not divide n_samples the final batch holds the "
                "remainder.")
WITH_REPLACEMENT = ("some samples appear twice in one epoch and others never: you drew indices "
                    "with replacement; shuffle a permutation of all indices instead.")

NOT_REPRODUCIBLE = ("the same seed gave different batches. Shuffle with the rng you are given "
                    "(rng.permutation), not np.random.")
IGNORES_RNG = ("The order must come from the generator you are given, rng.permutation(n_samples): "
               "a generator of your own (or a fixed seed) ignores the caller's.")

_BATCH_CALLS = ((10, 3), (12, 4), (20, 6), (5, 5), (7, 1), (4, 10))


def _judge_minibatches(student):
    for k, (n, size) in enumerate(_BATCH_CALLS):
        call = f"minibatch_indices({n}, {size}, rng)"
        try:
            batches = [np.asarray(b) for b in student(n, size, np.random.default_rng(70 + k))]
            again = [np.asarray(b) for b in student(n, size, np.random.default_rng(70 + k))]
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any student error becomes a message
            return f"{call} raised {type(exc).__name__}: {exc}."
        lead = f"`minibatch_indices` is not right yet: {call} returned batches of sizes " \
               f"{[b.size for b in batches]}."
        if any(b.ndim != 1 for b in batches):
            return f"{lead} Each batch should be a 1-D array of sample indices."
        flat = np.concatenate(batches) if batches else np.array([], dtype=int)
        if not np.issubdtype(flat.dtype, np.integer):
            return f"{lead} The batches should hold integer indices, got dtype {flat.dtype}."
        wanted = [size] * (n // size) + ([n % size] if n % size else [])
        if n <= size:
            wanted = [n]
        sizes = [b.size for b in batches]
        if sizes == wanted[:-1] and n % size and n > size:
            return f"{lead} {DROPPED_LAST}"
        if flat.size and len(np.unique(flat)) < flat.size:
            return f"{lead} {WITH_REPLACEMENT}"
        if sorted(flat.tolist()) != list(range(n)):
            return f"{lead} Together the batches must hold each index 0..{n - 1} exactly once."
        if sizes != wanted:
            return f"{lead} Expected sizes {wanted}: batch_size samples per batch, the " \
                   "remainder in the last one."
        if n > size and np.array_equal(flat, np.arange(n)):
            return f"{lead} {NO_SHUFFLE}"
        if len(again) != len(batches) or not all(np.array_equal(a, b)
                                                  for a, b in zip(again, batches)):
            return f"`minibatch_indices` is not right yet: {NOT_REPRODUCIBLE}"
    orders = [np.concatenate([np.asarray(b) for b in student(20, 5, np.random.default_rng(seed))])
              for seed in (3, 4)]
    if np.array_equal(*orders):
        return (f"`minibatch_indices` is not right yet: minibatch_indices(20, 5, rng) gave the same "
                f"order with a generator seeded with 3 and one seeded with 4. {IGNORES_RNG}")
    return None


def minibatches_no_shuffle(n_samples, batch_size, rng):
    order = np.arange(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatches_drop_last(n_samples, batch_size, rng):
    order = rng.permutation(n_samples)
    n_full = max(n_samples // batch_size, 1)
    return [order[i * batch_size:(i + 1) * batch_size] for i in range(n_full)]


def minibatches_with_replacement(n_samples, batch_size, rng):
    order = rng.integers(0, n_samples, size=n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatches_own_generator(n_samples, batch_size, rng):
    order = np.random.default_rng(0).permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def minibatches_global_random(n_samples, batch_size, rng):
    order = np.random.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


def _model_minibatches(n_samples, batch_size, rng):
    order = rng.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


minibatch_indices = Property(
    name="minibatch_indices",
    judge=_judge_minibatches,
    model=_model_minibatches,
    mistakes=[
        Mistake(minibatches_no_shuffle, NO_SHUFFLE),
        Mistake(minibatches_drop_last, DROPPED_LAST),
        Mistake(minibatches_with_replacement, WITH_REPLACEMENT),
        Mistake(minibatches_own_generator, IGNORES_RNG),
        Mistake(minibatches_global_random, NOT_REPRODUCIBLE),
    ],
)


# --- momentum_step ----------------------------------------------------------------------

def _reference_momentum(theta, velocity, grad, learning_rate, beta):
    return optim.momentum_step(theta, grad, velocity, learning_rate, beta)


def _momentum_cases(rng):
    cases = [case(np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([2.0, -1.0]), 0.1, 0.9),
             case(np.array([3.0]), np.array([0.0]), np.array([4.0]), 0.5, 0.9),
             case(np.array([0.0, 1.0]), np.array([-1.0, 2.0]), np.array([0.0, 0.0]), 0.2, 0.5),
             case(np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([[0.1, 0.2], [0.3, -0.4]]),
                  np.array([[1.0, -1.0], [2.0, 0.5]]), 0.05, 0.8)]
    for shape in ((3,), (2, 2)):
        cases.append(case(rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape),
                          float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 0.95))))
    return cases


def momentum_velocity_not_carried(theta, velocity, grad, learning_rate, beta):
    new_velocity = -learning_rate * grad
    return theta + new_velocity, new_velocity


def momentum_sign_error(theta, velocity, grad, learning_rate, beta):
    new_velocity = beta * velocity + learning_rate * grad
    return theta + new_velocity, new_velocity


def momentum_moves_with_old_velocity(theta, velocity, grad, learning_rate, beta):
    new_velocity = beta * velocity - learning_rate * grad
    return theta + velocity, new_velocity


momentum_step = Exercise(
    name="momentum_step",
    reference=_reference_momentum,
    cases=_momentum_cases,
    mistakes=[
        Mistake(momentum_velocity_not_carried,
                "the previous velocity is not carried over: v = beta * v - learning_rate * grad "
                "keeps a decayed memory of the earlier steps; without it this is plain gradient "
                "descent."),
        Mistake(momentum_sign_error,
                "the velocity points uphill: subtract the scaled gradient, "
                "v = beta * v - learning_rate * grad."),
        Mistake(momentum_moves_with_old_velocity,
                "theta moved with the old velocity; update v first, then move theta by the new "
                "v."),
    ],
)


# --- good_learning_rate: converge on the bowl within 50 steps ----------------------------

START = np.array([4.0, 1.0])
N_STEPS = 50
TARGET = 1e-3

TOO_LARGE = ("with this learning rate the path blows up along theta_1, the steep direction: "
             "each step multiplies theta_1 by (1 - 20 alpha), whose size is at least 1 once "
             "alpha >= 0.1.")
OSCILLATES = ("the path zig-zags across the valley: along theta_1 each step multiplies by "
              "(1 - 20 alpha), close to -1 here, so it barely settles within 50 steps; take a "
              "slightly smaller learning rate.")
TOO_SMALL = ("the learning rate is too small: along the flat direction theta_0 each step only "
             "multiplies by (1 - 2 alpha), so 50 steps do not get close to the minimum.")


def _judge_learning_rate(student):
    alpha = student()
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        return f"`good_learning_rate` should return a number, but it returned {fmt(alpha)}."
    if not np.isfinite(alpha) or alpha <= 0:
        return (f"`good_learning_rate` returned {fmt(alpha)}: a learning rate must be a positive "
                "number (zero does not move, a negative one climbs).")
    with np.errstate(all="ignore"):
        path = optim.gradient_descent(bowl_gradient, START, alpha, N_STEPS)
        final = float(bowl_loss(path[-1]))
    if final < TARGET:
        return None
    lead = (f"`good_learning_rate` is not right yet: with alpha = {fmt(alpha)}, the loss after "
            f"{N_STEPS} steps from (4, 1) is {fmt(final, 3)}, not below {TARGET:g}.")
    if abs(1 - 20 * alpha) >= 1:
        return f"{lead} {TOO_LARGE}"
    if alpha > 0.09:
        return f"{lead} {OSCILLATES}"
    return f"{lead} {TOO_SMALL}"


def learning_rate_too_large():
    return 0.12


def learning_rate_oscillating():
    return 0.099


def learning_rate_too_small():
    return 0.01


good_learning_rate = Property(
    name="good_learning_rate",
    judge=_judge_learning_rate,
    mistakes=[
        Mistake(learning_rate_too_large, TOO_LARGE),
        Mistake(learning_rate_oscillating, OSCILLATES),
        Mistake(learning_rate_too_small, TOO_SMALL),
    ],
)


# --- train_linear: batch, stochastic and mini-batch descent as one loop ----------------------

def _reference_train(X, y, learning_rate, epochs, batch_size, rng):
    return optim.linear_regression_descent(X, y, learning_rate, epochs, batch_size, rng)


def _regression_data(rng, n, d):
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal() + 0.3 * rng.normal(size=n)
    return X, y


def _train_cases(rng):
    # (n_samples, n_features, learning_rate, epochs, batch_size): batch, stochastic, mini-batch
    # with and without a remainder, a batch larger than the data, no epoch at all
    plans = [(10, 2, 0.05, 3, 4), (7, 1, 0.1, 4, 7), (8, 3, 0.02, 3, 1), (9, 2, 0.05, 4, 2),
             (6, 2, 0.05, 2, 10), (5, 1, 0.1, 0, 2), (12, 3, 0.03, 3, 5)]
    cases = []
    for n, d, learning_rate, epochs, batch_size in plans:
        X, y = _regression_data(rng, n, d)
        cases.append(case(X, y, learning_rate, epochs, batch_size,
                          np.random.default_rng(int(rng.integers(2**31)))))
    return cases


def _train_linear_template(X, y, learning_rate, epochs, batch_size, rng):
    w, b = np.zeros(X.shape[1]), 0.0
    history = []
    for _ in range(epochs):
        for batch in minibatch_indices(len(X), batch_size, rng):
            r = X[batch] @ w + b - y[batch]
            w = gd_step(w, 2 * X[batch].T @ r / len(batch), learning_rate)
            b = gd_step(b, 2 * r.mean(), learning_rate)
        history.append(np.mean((X @ w + b - y) ** 2))
    return w, float(b), np.array(history)


def _train_momentum_template(X, y, learning_rate, beta, epochs, batch_size, rng):
    w, b = np.zeros(X.shape[1]), 0.0
    v_w, v_b = np.zeros_like(w), 0.0
    history = []
    for _ in range(epochs):
        for batch in minibatch_indices(len(X), batch_size, rng):
            r = X[batch] @ w + b - y[batch]
            w, v_w = momentum_step(w, v_w, 2 * X[batch].T @ r / len(batch), learning_rate, beta)
            b, v_b = momentum_step(b, v_b, 2 * r.mean(), learning_rate, beta)
        history.append(np.mean((X @ w + b - y) ** 2))
    return w, float(b), np.array(history)


#: The lesson's own pieces, as the templates (the notebook's answers) call them.
_PIECES = {"np": np, "minibatch_indices": _model_minibatches,
           "gd_step": optim.gradient_descent_step, "momentum_step": _reference_momentum}
#: The loops the grader can run (tests check they are ``ann_lib``'s references).
linear_loop = variants.bind(_train_linear_template, _PIECES)
momentum_loop = variants.bind(_train_momentum_template, _PIECES)
_linear = variants.variants_of(_train_linear_template, _PIECES)
_momentum = variants.variants_of(_train_momentum_template, _PIECES)

train_shuffles_once = _linear(
    "train_shuffles_once", """
    history = []
    for _ in range(epochs):
        for batch in minibatch_indices(len(X), batch_size, rng):""", """
    history, batches = [], minibatch_indices(len(X), batch_size, rng)
    for _ in range(epochs):
        for batch in batches:""")
train_drops_last_batch = _linear(
    "train_drops_last_batch",
    "for batch in minibatch_indices(len(X), batch_size, rng):",
    "for batch in minibatch_indices(len(X), batch_size, rng)[:max(len(X) // batch_size, 1)]:")
train_records_loss_before_epoch = _linear(
    "train_records_loss_before_epoch", """
    for _ in range(epochs):
        for batch in minibatch_indices(len(X), batch_size, rng):
            r = X[batch] @ w + b - y[batch]
            w = gd_step(w, 2 * X[batch].T @ r / len(batch), learning_rate)
            b = gd_step(b, 2 * r.mean(), learning_rate)
        history.append(np.mean((X @ w + b - y) ** 2))""", """
    for _ in range(epochs):
        history.append(np.mean((X @ w + b - y) ** 2))
        for batch in minibatch_indices(len(X), batch_size, rng):
            r = X[batch] @ w + b - y[batch]
            w = gd_step(w, 2 * X[batch].T @ r / len(batch), learning_rate)
            b = gd_step(b, 2 * r.mean(), learning_rate)""")
train_sums_over_batch = _linear(
    "train_sums_over_batch", """
    w = gd_step(w, 2 * X[batch].T @ r / len(batch), learning_rate)
    b = gd_step(b, 2 * r.mean(), learning_rate)""", """
    w = gd_step(w, 2 * X[batch].T @ r, learning_rate)
    b = gd_step(b, 2 * r.sum(), learning_rate)""")


train_linear = Exercise(
    name="train_linear",
    reference=_reference_train,
    cases=_train_cases,
    uses=("minibatch_indices", "gd_step"),
    mistakes=[
        Mistake(train_shuffles_once,
                "the samples were shuffled once, before the first epoch, so every epoch "
                "visits the same batches in the same order. Draw a new order at the start of "
                "each epoch: call minibatch_indices(n_samples, batch_size, rng) inside the "
                "epoch loop."),
        Mistake(train_drops_last_batch,
                "the smaller batch at the end of each epoch never makes a step, so the samples "
                "that land in it are skipped that epoch; step on the remainder too."),
        Mistake(train_records_loss_before_epoch,
                "the loss history is one epoch late: history[e] must be the cost after the "
                "updates of epoch e, so measure it at the end of the epoch, not at its start "
                "(history[0] is not the cost of w = 0, b = 0)."),
        Mistake(train_sums_over_batch,
                "the batch gradient is a sum over the batch instead of a mean: its size then "
                "grows with batch_size, and batch descent takes steps n_samples times too long. "
                "Divide by the number of samples in the batch."),
    ],
)


# --- train_linear_momentum: the same loop, with a velocity ----------------------------------

def _reference_train_momentum(X, y, learning_rate, beta, epochs, batch_size, rng):
    return optim.linear_regression_descent(X, y, learning_rate, epochs, batch_size, rng,
                                           momentum=beta)


def _momentum_train_cases(rng):
    # (n_samples, n_features, learning_rate, beta, epochs, batch_size)
    plans = [(10, 2, 0.02, 0.9, 3, 4), (7, 1, 0.05, 0.5, 4, 7), (8, 2, 0.01, 0.8, 2, 1),
             (9, 3, 0.02, 0.7, 3, 2), (6, 2, 0.03, 0.0, 2, 3), (12, 2, 0.02, 0.9, 3, 5)]
    cases = []
    for n, d, learning_rate, beta, epochs, batch_size in plans:
        X, y = _regression_data(rng, n, d)
        cases.append(case(X, y, learning_rate, beta, epochs, batch_size,
                          np.random.default_rng(int(rng.integers(2**31)))))
    return cases


_MOMENTUM_STEPS = """w, v_w = momentum_step(w, v_w, 2 * X[batch].T @ r / len(batch), learning_rate, beta)
b, v_b = momentum_step(b, v_b, 2 * r.mean(), learning_rate, beta)"""

train_momentum_resets_every_step = _momentum(
    "train_momentum_resets_every_step", _MOMENTUM_STEPS,
    """w, v_w = momentum_step(w, np.zeros_like(w), 2 * X[batch].T @ r / len(batch), learning_rate, beta)
b, v_b = momentum_step(b, 0.0, 2 * r.mean(), learning_rate, beta)""")
train_momentum_resets_every_epoch = _momentum(
    "train_momentum_resets_every_epoch",
    "for _ in range(epochs):",
    """for _ in range(epochs):
    v_w, v_b = np.zeros_like(w), 0.0""")
train_momentum_beta_on_gradient = _momentum(
    "train_momentum_beta_on_gradient", _MOMENTUM_STEPS,
    """w, v_w = momentum_step(w, v_w, 2 * X[batch].T @ r / len(batch), beta * learning_rate, 1.0)
b, v_b = momentum_step(b, v_b, 2 * r.mean(), beta * learning_rate, 1.0)""")
train_momentum_bias_without_velocity = _momentum(
    "train_momentum_bias_without_velocity",
    "b, v_b = momentum_step(b, v_b, 2 * r.mean(), learning_rate, beta)",
    "b = gd_step(b, 2 * r.mean(), learning_rate)")


train_linear_momentum = Exercise(
    name="train_linear_momentum",
    reference=_reference_train_momentum,
    cases=_momentum_train_cases,
    uses=("minibatch_indices", "momentum_step"),
    mistakes=[
        Mistake(train_momentum_resets_every_step,
                "the velocity starts from zero at every batch, so it never builds up and the "
                "run is plain gradient descent: create the velocities once, before the epoch "
                "loop, and keep the new velocity momentum_step returns for the next step."),
        Mistake(train_momentum_resets_every_epoch,
                "the velocity is set back to zero at the start of every epoch: momentum is "
                "carried across epoch boundaries too, so create the velocities once, before "
                "the epoch loop."),
        Mistake(train_momentum_beta_on_gradient,
                "beta multiplies the gradient instead of the old velocity, so the velocity "
                "never decays and keeps every past step at full weight: "
                "v = beta * v - learning_rate * grad."),
        Mistake(train_momentum_bias_without_velocity,
                "the bias b moves by plain gradient steps: it needs a velocity of its own, "
                "updated like the weights' one (v_b = beta * v_b - learning_rate * db)."),
    ],
)


#: While graded: the lesson's bowl (its visible tests) and the gradients its checks pass as
#: arguments; nothing of ann_lib but data sets (ann_lib.optim answers this lesson).
GRADED = Reach(helpers=("bowl_loss", "bowl_gradient", "bowl_descent", "parabola_gradient",
                        "tilted_gradient"))
