"""Checks for lesson 06, backpropagation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ann_lib import activations, gradcheck, layers
from autograder.checks.core import Exercise, Mistake, Property, case, difference, expect, fmt
from autograder.checks.reach import Reach
from autograder.lessons import self_check_for

if TYPE_CHECKING:
    pass

__all__ = ["expect", "self_check", "neuron_gradients", "dense_backward", "activation_backward",
           "numerical_gradient", "two_layer_gradients", "two_layer_cost"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


# --- neuron_gradients: one sigmoid neuron, squared error ------------------------------------

def _neuron_gradients_reference(x, y, w, b):
    """dL/dw and dL/db of L = (sigmoid(w . x + b) - y)**2, from ann_lib's pieces."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    z = float(x @ w + b)
    a = float(activations.sigmoid(z))
    dL_dz = 2.0 * (a - y) * float(activations.sigmoid_grad(z))
    return dL_dz * x, dL_dz


def _neuron_cases(rng):
    cases = [case(np.array([1.0, 2.0]), 1.0, np.array([0.5, -0.25]), 0.0),
             case(np.array([2.0, -1.0, 0.5]), 0.0, np.array([0.3, 0.8, -1.0]), 0.4),
             case(np.array([-1.5]), 1.0, np.array([2.0]), -0.5),
             case(np.array([0.5, 0.5]), 0.0, np.array([1.0, 1.0]), 1.0)]
    for n in (2, 4):
        cases.append(case(rng.normal(size=n), float(rng.integers(0, 2)), rng.normal(size=n),
                          float(rng.normal())))
    return cases


def neuron_forgot_sigmoid_derivative(x, y, w, b):
    z = np.dot(x, w) + b
    a = activations.sigmoid(z)
    delta = 2 * (a - y)
    return delta * x, delta


def neuron_derivative_at_a(x, y, w, b):
    z = np.dot(x, w) + b
    a = activations.sigmoid(z)
    delta = 2 * (a - y) * activations.sigmoid_grad(a)
    return delta * x, delta


def neuron_missing_factor_two(x, y, w, b):
    z = np.dot(x, w) + b
    a = activations.sigmoid(z)
    delta = (a - y) * a * (1 - a)
    return delta * x, delta


def neuron_flipped_error(x, y, w, b):
    z = np.dot(x, w) + b
    a = activations.sigmoid(z)
    delta = 2 * (y - a) * a * (1 - a)
    return delta * x, delta


neuron_gradients = Exercise(
    name="neuron_gradients",
    returns=("dw", "db"),
    reference=_neuron_gradients_reference,
    cases=_neuron_cases,
    mistakes=[
        Mistake(neuron_forgot_sigmoid_derivative,
                "the sigmoid's derivative is missing from the chain: dL/dz = dL/da * da/dz, "
                "with da/dz = sigmoid(z) * (1 - sigmoid(z))."),
        Mistake(neuron_derivative_at_a,
                "you evaluated the sigmoid's derivative at the output a; da/dz must be taken at "
                "z: sigmoid_grad(z), which equals a * (1 - a)."),
        Mistake(neuron_missing_factor_two,
                "the factor 2 is missing: the derivative of (a - y)^2 with respect to a is "
                "2 (a - y)."),
        Mistake(neuron_flipped_error,
                "your gradients point the wrong way: dL/da = 2 (a - y), prediction minus "
                "target, not 2 (y - a)."),
    ],
)


# --- dense_backward: the dense layer's backward pass ------------------------------------------

def _dense_backward_reference(dZ, X, W):
    return layers.dense_backward(dZ, (X, W))


def _dense_cases(rng):
    cases = [case(np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]]),
                  np.array([[1.0, 2.0, 0.0], [-1.0, 0.0, 1.0], [2.0, 1.0, 1.0]]),
                  np.array([[1.0, 0.0], [0.5, -1.0], [2.0, 1.0]])),
             case(np.array([[3.0]]), np.array([[1.0, -2.0]]), np.array([[0.5], [1.5]]))]
    for n, n_in, n_out in ((4, 3, 2), (5, 2, 3), (2, 4, 1)):
        cases.append(case(rng.normal(size=(n, n_out)), rng.normal(size=(n, n_in)),
                          rng.normal(size=(n_in, n_out))))
    return cases


def dense_db_not_summed(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ


def dense_db_wrong_axis(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)


def dense_dW_transposed(dZ, X, W):
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


def dense_db_averaged(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)


def dense_db_kept_dims(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)


dense_backward = Exercise(
    name="dense_backward",
    returns=("dX", "dW", "db"),
    reference=_dense_backward_reference,
    cases=_dense_cases,
    mistakes=[
        Mistake(dense_db_not_summed,
                "db still has one row per sample: the bias is shared by all samples, so add "
                "their contributions up, db = dZ.sum(axis=0), shape (n_out,)."),
        Mistake(dense_db_wrong_axis,
                "db was summed over the outputs (axis=1) instead of over the samples (axis=0)."),
        Mistake(dense_dW_transposed,
                "dW came out transposed, shape (n_out, n_in); it must have W's shape "
                "(n_in, n_out): dW = X.T @ dZ."),
        Mistake(dense_db_averaged,
                "db is the mean of dZ over the samples; it is the sum. Any 1/n from a mean cost "
                "is already inside dZ."),
        Mistake(dense_db_kept_dims,
                "db has shape (1, n_out) (keepdims=True); a gradient has the shape of its "
                "parameter, and b has shape (n_out,): db = dZ.sum(axis=0). A (1, n_out) db would "
                "silently turn b into a (1, n_out) array at the first update."),
    ],
)


# --- activation_backward: dZ = dA * f'(Z) ------------------------------------------------

def _activation_backward_reference(dA, Z, name):
    return layers.activation_backward(dA, (Z, name))


def _activation_cases(rng):
    cases = [case(np.array([[1.0, -2.0, 0.5]]), np.array([[0.0, 1.0, -1.0]]), "sigmoid"),
             case(np.array([[1.0, 1.0], [2.0, -1.0]]), np.array([[0.5, -0.5], [2.0, 0.0]]), "tanh"),
             case(np.array([[3.0, -1.0, 2.0]]), np.array([[-1.0, 2.0, 0.5]]), "relu")]
    for name in ("sigmoid", "tanh", "relu", "sigmoid"):
        cases.append(case(rng.normal(size=(3, 4)), rng.normal(scale=2.0, size=(3, 4)), name))
    return cases


def activation_grad_at_output(dA, Z, name):
    f, f_grad = activations.ACTIVATIONS[name]
    return dA * f_grad(f(Z))


def activation_forgot_upstream(dA, Z, name):
    f, f_grad = activations.ACTIVATIONS[name]
    return f_grad(Z)


def activation_used_f_not_derivative(dA, Z, name):
    f, f_grad = activations.ACTIVATIONS[name]
    return dA * f(Z)


activation_backward = Exercise(
    name="activation_backward",
    reference=_activation_backward_reference,
    cases=_activation_cases,
    mistakes=[
        Mistake(activation_grad_at_output,
                "the derivative was taken of a instead of z: f'(A) = f'(f(Z)) is not f'(Z). "
                "Call the derivative on Z, the layer's input."),
        Mistake(activation_forgot_upstream,
                "you returned f'(Z) alone; the chain rule multiplies it by the gradient that "
                "arrives from above: dZ = dA * f'(Z)."),
        Mistake(activation_used_f_not_derivative,
                "you multiplied dA by the activation f(Z) itself rather than by its derivative "
                "f'(Z)."),
    ],
)


# --- numerical_gradient: centred differences -----------------------------------------------

def sum_of_cubes(x: np.ndarray) -> float:
    """f(x) = sum(x**3); gradient 3 x**2."""
    return float(np.sum(x ** 3))


def product_sine(x: np.ndarray) -> float:
    """f(x) = sin(x_0) * sum(x**2), a function that mixes the coordinates."""
    flat = x.reshape(-1)
    return float(np.sin(flat[0]) * np.sum(x ** 2))


def sigmoid_loss(x: np.ndarray) -> float:
    """f(x) = squared error of a sigmoid neuron whose weights are x."""
    inputs = np.array([1.0, -2.0, 0.5, 1.5])[: x.size]
    return float((1.0 / (1.0 + np.exp(-(x.reshape(-1) @ inputs + 0.1))) - 1.0) ** 2)


def _numerical_cases(rng):
    return [case(sum_of_cubes, np.array([1.0, -2.0, 0.5]), 1e-3),
            case(product_sine, np.array([0.3, 1.0, -1.5]), 1e-3),
            case(sigmoid_loss, np.array([0.5, -0.5, 1.0, 2.0]), 1e-4),
            case(sum_of_cubes, np.array([[1.0, 2.0], [-1.0, 0.5]]), 1e-3),
            case(product_sine, rng.normal(size=(2, 3)), 1e-3)]


def numerical_forward_difference(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f(x) - f0) / eps
        x[i] = old
    return grad


def numerical_divided_by_eps(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / eps
    return grad


def numerical_not_restored(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] = x[i] + eps
        f_plus = f(x)
        x[i] = x[i] - 2 * eps
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def numerical_on_callers_array(f, x, eps=1e-5):
    grad = np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f(x)
        x[i] -= 2 * eps
        f_minus = f(x)
        x[i] += eps
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


numerical_gradient = Exercise(
    name="numerical_gradient",
    reference=gradcheck.numerical_gradient,
    cases=_numerical_cases,
    in_place=Mistake(numerical_on_callers_array,
                     "the caller's array was nudged and put back by arithmetic (x[i] += eps, "
                     "then -= 2 eps, then += eps), which rounds: x no longer holds exactly what the "
                     "caller passed. Work on a float copy, x = np.array(x, dtype=float), and put "
                     "back the saved value, x[i] = old."),
    rtol=1e-7,
    atol=1e-9,
    mistakes=[
        Mistake(numerical_forward_difference,
                "that is a one-sided (forward) difference, (f(x + eps) - f(x)) / eps, with an "
                "error of order eps; step both ways: (f(x + eps) - f(x - eps)) / (2 eps)."),
        Mistake(numerical_divided_by_eps,
                "your slopes are twice too large: f(x + eps) and f(x - eps) lie 2 eps apart, so "
                "divide by 2 eps, not eps."),
        Mistake(numerical_not_restored,
                "x[i] is not put back to its original value after each coordinate, so the "
                "later coordinates are measured at a shifted point; restore x[i] before moving "
                "on."),
    ],
)


# --- two_layer_gradients: backpropagation through a small network --------------------------

def _two_layer_cost(X, y, W1, b1, W2, b2):
    """Mean binary cross-entropy of the network tanh hidden layer -> sigmoid output."""
    # NumPy only: a graded kernel's `checks` offers this cost without ann_lib's layers
    A1 = np.tanh(X @ W1 + b1)
    A2 = 0.5 * (1.0 + np.tanh(0.5 * (A1 @ W2 + b2)))  # sigmoid, without overflow
    p = np.clip(A2, 1e-12, 1.0 - 1e-12)
    return float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))))


#: The cost ``two_layer_gradients`` differentiates (the visible test checks against its slopes).
two_layer_cost = _two_layer_cost


def _numerical_two_layer(X, y, params):
    """Numerical gradient of the cost with respect to each of W1, b1, W2, b2."""
    grads = []
    for k in range(4):
        def cost(p, k=k):
            ps = list(params)
            ps[k] = p
            return _two_layer_cost(X, y, *ps)
        grads.append(gradcheck.numerical_gradient(cost, params[k]))
    return grads


def _two_layer_inputs():
    rng = np.random.default_rng(606)
    out = []
    for n, d, h in ((6, 3, 4), (4, 2, 3), (8, 2, 5)):
        X = rng.normal(size=(n, d))
        y = rng.integers(0, 2, size=(n, 1)).astype(float)
        params = (rng.normal(size=(d, h)), rng.normal(scale=0.5, size=h),
                  rng.normal(size=(h, 1)), rng.normal(scale=0.5, size=1))
        out.append((X, y, params))
    return out


_PARAM_NAMES = ("dW1", "db1", "dW2", "db2")


def _as_grads(result):
    if not (isinstance(result, (tuple, list)) and len(result) == 4):
        return None
    try:
        return [np.asarray(g, dtype=float) for g in result]
    except (TypeError, ValueError):
        return None


def _judge_two_layer(student):
    inputs = _two_layer_inputs()
    answers = []
    for X, y, params in inputs:
        args = (X.copy(), y.copy(), *(p.copy() for p in params))
        try:
            result = student(*args)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any student error becomes a message
            return (f"`two_layer_gradients` raised {type(exc).__name__}: {exc} "
                    f"(X of shape {X.shape}, W1 of shape {params[0].shape}).")
        grads = _as_grads(result)
        if grads is None:
            return ("`two_layer_gradients` should return the four gradients "
                    f"(dW1, db1, dW2, db2), but it returned {fmt(result)}.")
        answers.append(grads)
    for (X, y, params), grads in zip(inputs, answers):
        numeric = _numerical_two_layer(X, y, params)
        for name, got, p in zip(_PARAM_NAMES, grads, params):
            if got.shape != p.shape:
                return (f"`two_layer_gradients` is not right yet: {name} has shape {got.shape}, "
                        f"but a gradient has the shape of its parameter, {p.shape}.")
        wrong = [(name, gradcheck.relative_error(got, num), got, num)
                 for name, got, num in zip(_PARAM_NAMES, grads, numeric)
                 if not np.allclose(got, num, rtol=1e-5, atol=1e-7)]
        if wrong:
            diagnosis = _diagnose_two_layer(answers)
            name, err, got, num = wrong[0]
            example = (f"The numerical gradient check disagrees for "
                       f"{', '.join(w[0] for w in wrong)} (X of shape {X.shape}; {name}'s "
                       f"relative error is {err:.2g}), with the numerical gradient expected: "
                       f"{difference((got,), (num,), 1e-5, 1e-7, names=(name,))}")
            lead = "`two_layer_gradients` is not right yet" + (f": {diagnosis}" if diagnosis
                                                               else ".")
            return f"{lead} {example}"
    return None


def _diagnose_two_layer(answers):
    for mistake in _TWO_LAYER_MISTAKES:
        ok = True
        for (X, y, params), grads in zip(_two_layer_inputs(), answers):
            wrong = mistake.wrong(X, y, *params)
            if not all(np.allclose(g, w, rtol=1e-6, atol=1e-9) for g, w in zip(grads, wrong)):
                ok = False
                break
        if ok:
            return mistake.message
    return None


def two_layer_forgot_mean(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    A2 = activations.sigmoid(A1 @ W2 + b2)
    dZ2 = A2 - y
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (1 - np.tanh(Z1) ** 2)
    return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def two_layer_tanh_grad_at_A1(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    A2 = activations.sigmoid(A1 @ W2 + b2)
    dZ2 = (A2 - y) / len(X)
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (1 - np.tanh(A1) ** 2)
    return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def two_layer_skipped_hidden_activation(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    A2 = activations.sigmoid(A1 @ W2 + b2)
    dZ2 = (A2 - y) / len(X)
    dZ1 = dZ2 @ W2.T
    return X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)


def two_layer_dW2_from_X(X, y, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    A2 = activations.sigmoid(A1 @ W2 + b2)
    dZ2 = (A2 - y) / len(X)
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (1 - A1 ** 2)
    return X.T @ dZ1, dZ1.sum(axis=0), Z1.T @ dZ2, dZ2.sum(axis=0)


_TWO_LAYER_MISTAKES = [
    Mistake(two_layer_forgot_mean,
            "every gradient is n_samples times too large: the cost is the mean loss, so "
            "dZ2 = (A2 - y) / n_samples."),
    Mistake(two_layer_tanh_grad_at_A1,
            "the hidden layer's tanh derivative was evaluated at A1 = tanh(Z1); it is "
            "1 - tanh(Z1)^2, which is 1 - A1^2."),
    Mistake(two_layer_skipped_hidden_activation,
            "on the way back through the hidden layer the gradient skipped the tanh: "
            "dZ1 = dA1 * (1 - A1^2), not dA1."),
    Mistake(two_layer_dW2_from_X,
            "dW2 must use the input of the second dense layer, A1 (after the tanh), not Z1: "
            "dW2 = A1.T @ dZ2."),
]

two_layer_gradients = Property(
    name="two_layer_gradients",
    judge=_judge_two_layer,
    mistakes=_TWO_LAYER_MISTAKES,
    # the visible test compares with the learner's own numerical_gradient
    uses=("dense_backward", "activation_backward", "numerical_gradient"),
)


#: While graded, the kernel's `checks` offers the cost the visible test differentiates and the
#: functions the numerical-gradient check passes as arguments; of ann_lib, lesson 04's
#: activations (what the answers build on) and the data sets.
GRADED = Reach(ann_lib=("activations", "datasets"),
               helpers=("two_layer_cost", "sum_of_cubes", "product_sine", "sigmoid_loss"))
