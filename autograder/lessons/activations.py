"""Checks for lesson 04, activation functions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ann_lib import activations as ref
from autograder.checks import core
from autograder.checks.core import Exercise, Mistake, case, expect
from autograder.lessons import self_check_for

if TYPE_CHECKING:
    from autograder.checks.core import Verdict

__all__ = ["expect", "self_check", "sigmoid", "sigmoid_values", "sigmoid_grad", "tanh",
           "tanh_values", "relu", "leaky_relu_and_grad", "elu_and_grad", "maxout_layer"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


@dataclass
class _StableExercise(Exercise):
    """An Exercise whose strict cases let a result round to 0 (underflow is harmless).

    Overflow, division by zero and invalid operations (inf - inf, 0 * inf) on the strict cases
    are reported as the ``unstable`` mistake; an ``exp`` of a large negative number that
    underflows to 0 is not.
    """

    def verdict(self, student: Any, seed: int | None = None) -> Verdict | None:
        message = Exercise.verdict(replace(self, strict_cases=None), student, seed)
        if message is not None or self.strict_cases is None:
            return message
        for c in self.strict_cases(np.random.default_rng(self.seed if seed is None else seed)):
            c = c.copy()
            try:
                with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                    student(*c.args, **c.kwargs)
            except FloatingPointError as exc:
                return core.Verdict(f"`{self.function}` is not stable: "
                                    f"{c.describe(self.function)} raised FloatingPointError "
                                    f"({exc}). {self.unstable.message}",  # type: ignore[union-attr]
                                    kind="unstable", mistake=self.unstable.key)  # type: ignore[union-attr]
        return None


def _elementwise_cases(rng, scale=4.0):
    """Edge values, a scalar, and random arrays of several shapes (no 0-d array first)."""
    return [case(np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])),
            case(np.array([[0.0, -2.0, 7.5], [-0.25, 1e-9, -1e-9]])),
            case(np.linspace(-10.0, 10.0, 21)),
            case(scale * rng.normal(size=(4, 5))),
            case(scale * rng.normal(size=(2, 3, 2))),
            case(scale * rng.normal(size=9))]


# --- sigmoid --------------------------------------------------------------------------------

def _sigmoid_cases(rng):
    return [*_elementwise_cases(rng), case(np.array([-30.0, -20.0, 20.0, 30.0])), case(0.0),
            case(np.array(-2.0))]


def _sigmoid_strict_cases(rng):
    return [case(np.array([-1000.0, 0.0, 1000.0])), case(np.array(-1000.0)),
            case(np.array([[-800.0, 800.0], [-750.0, 750.0]])), case(np.array(1000.0))]


def sigmoid_naive(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_wrong_sign(z):
    return 1 / (1 + np.exp(z))


def sigmoid_no_one(z):
    return 1 / np.exp(-z)


sigmoid = _StableExercise(
    name="sigmoid",
    plot="elementwise",
    reference=ref.sigmoid,
    cases=_sigmoid_cases,
    mistakes=[
        Mistake(sigmoid_wrong_sign, "the exponent has the wrong sign: sigmoid uses e^(-z), so "
                                    "that large positive z gives outputs near 1, not near 0."),
        Mistake(sigmoid_no_one, "the 1 + in the denominator is missing: 1 / e^(-z) is just e^z, "
                                "which is not squashed into (0, 1)."),
    ],
    strict_cases=_sigmoid_strict_cases,
    unstable=Mistake(sigmoid_naive, "unstable sigmoid: 1 / (1 + np.exp(-z)) computes "
                                    "e^1000 for z = -1000, which overflows. Only call np.exp on "
                                    "numbers <= 0, e.g. e = np.exp(-np.abs(z)) (np.where "
                                    "evaluates both of its branches, so both must be safe)."),
)


#: The values only (part 1 of the sigmoid exercise; stability is part 2, ``sigmoid``).
sigmoid_values = Exercise(name="sigmoid_values", answer="sigmoid", reference=ref.sigmoid,
                          cases=_sigmoid_cases, mistakes=sigmoid.mistakes, plot="elementwise")


# --- sigmoid_grad ---------------------------------------------------------------------------

def sigmoid_grad_of_z(z):
    return z * (1 - z)


def sigmoid_grad_tanh_formula(z):
    s = 1 / (1 + np.exp(-z))
    return 1 - s**2


def sigmoid_grad_is_sigmoid(z):
    return 1 / (1 + np.exp(-z))


sigmoid_grad = Exercise(
    name="sigmoid_grad",
    plot="elementwise",
    reference=ref.sigmoid_grad,
    cases=_sigmoid_cases,
    mistakes=[
        Mistake(sigmoid_grad_of_z, "you applied a(1 - a) to z instead of to a = sigmoid(z): "
                                   "compute a = sigmoid(z) first, then a * (1 - a)."),
        Mistake(sigmoid_grad_tanh_formula, "1 - a^2 is the derivative of tanh; the sigmoid's "
                                           "derivative is a * (1 - a)."),
        Mistake(sigmoid_grad_is_sigmoid, "you returned sigmoid(z) itself; its derivative is "
                                         "sigmoid(z) * (1 - sigmoid(z)), at most 0.25."),
    ],
    uses=("sigmoid",),
)


# --- tanh -----------------------------------------------------------------------------------

def tanh_naive(z):
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


def tanh_sigmoid_of_2z(z):
    return 1 / (1 + np.exp(-2 * z))


def tanh_sinh(z):
    return (np.exp(z) - np.exp(-z)) / 2


def tanh_sigmoid_not_doubled(z):
    return 2 / (1 + np.exp(-z)) - 1


tanh = _StableExercise(
    name="tanh",
    plot="elementwise",
    reference=ref.tanh,
    cases=_sigmoid_cases,
    mistakes=[
        Mistake(tanh_sigmoid_of_2z, "1 / (1 + e^(-2z)) is sigmoid(2z), with values in (0, 1) and "
                                    "0.5 at z = 0; tanh is that curve stretched to (-1, 1): "
                                    "2 * sigmoid(2z) - 1, which is 0 at z = 0."),
        Mistake(tanh_sinh, "(e^z - e^(-z)) / 2 is sinh(z), which grows without bound; tanh divides "
                           "e^z - e^(-z) by e^z + e^(-z), so it stays in (-1, 1)."),
        Mistake(tanh_sigmoid_not_doubled, "2 * sigmoid(z) - 1 is tanh(z / 2): the sigmoid's "
                                          "argument must be doubled too, 2 * sigmoid(2z) - 1."),
    ],
    strict_cases=_sigmoid_strict_cases,
    unstable=Mistake(tanh_naive, "unstable tanh: e^z or e^(-z) overflows at z = +-1000 (e^1000 is "
                                 "inf, and inf / inf is nan), e.g. in (e^z - e^(-z)) / (e^z + "
                                 "e^(-z)). Exponentiate only numbers <= 0: with e = "
                                 "np.exp(-2 * np.abs(z)), tanh(z) = np.sign(z) * (1 - e) / (1 + e)."),
    uses=("sigmoid",),
)


#: The values only (part 1 of the tanh exercise; stability is part 2, ``tanh``).
tanh_values = Exercise(name="tanh_values", answer="tanh", reference=ref.tanh, plot="elementwise",
                       cases=_sigmoid_cases, mistakes=tanh.mistakes, uses=("sigmoid",))


# --- relu and relu_grad ---------------------------------------------------------------------

def relu_np_max(z):
    return np.max(z, 0)


def relu_minimum(z):
    return np.minimum(z, 0)


def relu_returns_step(z):
    return np.where(z > 0, 1.0, 0.0)


relu = Exercise(
    name="relu",
    plot="elementwise",
    reference=ref.relu,
    cases=_elementwise_cases,
    mistakes=[
        Mistake(relu_np_max, "np.max(z, 0) is the largest entry along axis 0, not an "
                             "element-wise comparison: use np.maximum(z, 0)."),
        Mistake(relu_minimum, "np.minimum keeps the negative part; ReLU keeps the positive part, "
                              "max(0, z)."),
        Mistake(relu_returns_step, "you returned 1 or 0 (that is ReLU's derivative, a step); "
                                   "ReLU passes positive z through unchanged."),
    ],
)


# --- leaky_relu_and_grad: the function and its derivative, derived ------------------------

def _ref_leaky_and_grad(z, slope=0.1):
    return ref.leaky_relu(z, slope), ref.leaky_relu_grad(z, slope)


def _leaky_cases(rng):
    base = _elementwise_cases(rng)
    return [*base, case(np.array([-4.0, -1.0, 0.0, 2.0]), slope=0.3),
            case(np.array([[-10.0, 5.0], [-0.5, 0.25]]), slope=0.01),
            case(3 * rng.normal(size=(3, 4)), slope=0.2), case(np.array([-2.0, 0.0, 2.0]), slope=0.0)]


def leaky_slope_on_positive_side(z, slope=0.1):
    value = np.where(z >= 0, slope * z, z)
    return value, np.where(z > 0, 1.0, slope)


def leaky_constant_slope(z, slope=0.1):
    value = np.where(z >= 0, z, slope)
    return value, np.where(z > 0, 1.0, slope)


def leaky_ignores_slope(z, slope=0.1):
    value = np.where(z >= 0, z, 0.1 * z)
    return value, np.where(z > 0, 1.0, slope)


def leaky_grad_flat_left(z, slope=0.1):
    value = np.where(z >= 0, z, slope * z)
    return value, np.where(z > 0, 1.0, 0.0)


def leaky_grad_returns_function(z, slope=0.1):
    value = np.where(z >= 0, z, slope * z)
    return value, np.where(z > 0, 1.0, slope * z)


def leaky_grad_one_at_zero(z, slope=0.1):
    value = np.where(z >= 0, z, slope * z)
    return value, np.where(z >= 0, 1.0, slope)


def leaky_grad_is_value(z, slope=0.1):
    value = np.where(z >= 0, z, slope * z)
    return value, value


leaky_relu_and_grad = Exercise(
    name="leaky_relu_and_grad",
    reference=_ref_leaky_and_grad,
    cases=_leaky_cases,
    returns=("value", "derivative"),
    mistakes=[
        Mistake(leaky_slope_on_positive_side, "the slope belongs on the negative side: "
                                              "z stays z for z >= 0 and becomes slope * z "
                                              "for z < 0."),
        Mistake(leaky_constant_slope, "for z < 0 the value is slope * z (a line through 0), "
                                      "not the constant slope."),
        Mistake(leaky_ignores_slope, "the slope argument is ignored: you always used 0.1; "
                                     "use the slope passed in."),
        Mistake(leaky_grad_flat_left, "0 on the negative side is ReLU's derivative; leaky ReLU is "
                                      "slope * z there, a line whose slope is `slope`, so its "
                                      "derivative is `slope`, not 0."),
        Mistake(leaky_grad_returns_function, "for z <= 0 the derivative came out as slope * z, "
                                             "the function's value; the derivative of the line "
                                             "slope * z is the constant `slope`."),
        Mistake(leaky_grad_one_at_zero, "at the kink z = 0 this course takes the left slope, "
                                        "`slope` (as ann_lib's leaky_relu_grad does, and as "
                                        "relu_grad(0) = 0): 1 only for z > 0."),
        Mistake(leaky_grad_is_value, "the second item is the function's value again; it should "
                                     "be the derivative: 1 on the right piece, `slope` on the "
                                     "left."),
    ],
)


# --- elu_and_grad ----------------------------------------------------------------------------

def _ref_elu_and_grad(z, alpha=1.0):
    return ref.elu(z, alpha), ref.elu_grad(z, alpha)


def _elu_cases(rng):
    base = _elementwise_cases(rng)
    return [*base, case(np.array([-5.0, -1.0, 0.0, 1.0, 3.0]), alpha=2.0),
            case(np.array([[-0.5, 0.5], [-20.0, 20.0]]), alpha=0.5),
            case(3 * rng.normal(size=(3, 4)), alpha=1.5)]


def _elu_strict_cases(rng):
    return [case(np.array([-1000.0, 0.0, 1000.0])), case(np.array([[800.0, -3.0], [750.0, 2.0]])),
            case(np.array([-5.0, 1000.0]), alpha=2.0)]


def elu_exp_everywhere(z, alpha=1.0):
    e = np.exp(z)
    return np.where(z >= 0, z, alpha * (e - 1)), np.where(z >= 0, 1.0, alpha * e)


def elu_missing_minus_one(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0.0))
    return np.where(z >= 0, z, alpha * e), np.where(z >= 0, 1.0, alpha * e)


def elu_alpha_on_positive_side(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0.0))
    return np.where(z >= 0, alpha * z, e - 1), np.where(z >= 0, 1.0, alpha * e)


def elu_ignores_alpha(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0.0))
    return np.where(z >= 0, z, e - 1), np.where(z >= 0, 1.0, e)


def elu_grad_is_elu(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0.0))
    return np.where(z >= 0, z, alpha * (e - 1)), np.where(z >= 0, 1.0, alpha * (e - 1))


def elu_grad_no_alpha(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0.0))
    return np.where(z >= 0, z, alpha * (e - 1)), np.where(z >= 0, 1.0, e)


def elu_grad_alpha_at_zero(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0.0))
    return np.where(z >= 0, z, alpha * (e - 1)), np.where(z > 0, 1.0, alpha * e)


def elu_grad_flat_left(z, alpha=1.0):
    e = np.exp(np.minimum(z, 0.0))
    return np.where(z >= 0, z, alpha * (e - 1)), np.where(z >= 0, 1.0, 0.0)


EXP_SEES_LARGE_Z = ("np.where computes both branches for every z, so np.exp(z) also runs at "
                    "z = 1000 and overflows (e^1000 is far beyond float64), even though that value "
                    "is thrown away: give np.exp only z <= 0, np.exp(np.minimum(z, 0)).")

elu_and_grad = _StableExercise(
    name="elu_and_grad",
    reference=_ref_elu_and_grad,
    cases=_elu_cases,
    returns=("value", "derivative"),
    strict_cases=_elu_strict_cases,
    unstable=Mistake(elu_exp_everywhere, EXP_SEES_LARGE_Z),
    mistakes=[
        Mistake(elu_missing_minus_one, "the - 1 in alpha * (e^z - 1) is missing: without it "
                                       "elu jumps from alpha to 0 at z = 0 instead of meeting "
                                       "the line z continuously."),
        Mistake(elu_alpha_on_positive_side, "alpha scales the negative side, alpha * (e^z - 1); "
                                            "for z >= 0 elu is just z."),
        Mistake(elu_ignores_alpha, "alpha is ignored: the negative side is alpha * (e^z - 1), "
                                   "which tends to -alpha for very negative z, and its slope is "
                                   "alpha * e^z."),
        Mistake(elu_grad_is_elu, "for z < 0 the derivative came out as alpha * (e^z - 1), elu's "
                                 "value; differentiate it: the - 1 is a constant and disappears, "
                                 "leaving alpha * e^z."),
        Mistake(elu_grad_no_alpha, "alpha is missing from the derivative's negative side: the "
                                   "derivative of alpha * (e^z - 1) is alpha * e^z, not e^z."),
        Mistake(elu_grad_alpha_at_zero, "at z = 0 this course uses the right-hand slope 1 (as "
                                        "ann_lib's elu_grad does): 1 for z >= 0, alpha * e^z only "
                                        "for z < 0."),
        Mistake(elu_grad_flat_left, "ELU is not flat for z < 0: its slope there is alpha * e^z, "
                                    "small but never 0."),
    ],
)


# --- maxout_layer --------------------------------------------------------------------------

def _maxout_pieces(rng, n, n_in, n_out, k):
    return (rng.normal(size=(n, n_in)), rng.normal(size=(k, n_in, n_out)),
            rng.normal(size=(k, n_out)))


def _maxout_cases(rng):
    X = np.array([[1.0, 2.0], [-1.0, 0.0], [0.5, -3.0]])
    W = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, -1.0], [1.0, 0.5]], [[-1.0, 2.0], [0.0, 0.0]]])
    b = np.array([[0.0, 0.5], [-1.0, 0.0], [0.5, -2.0]])
    cases = [case(X, W, b)]
    for shape in ((4, 3, 2, 3), (5, 2, 3, 2), (1, 4, 2, 4), (6, 1, 1, 2), (3, 2, 4, 5)):
        cases.append(case(*_maxout_pieces(rng, *shape)))
    return cases


def maxout_bias_without_middle_axis(X, W, b):
    return (X @ W + b).max(axis=0)


BIAS_WITHOUT_MIDDLE_AXIS = (
    "the pieces X @ W have shape (k, n_samples, n_out) but b has shape (k, n_out), and "
    "`X @ W + b` lines b up with the last two axes (n_samples, n_out): that fails to broadcast, "
    "or, when n_samples happens to equal k, adds piece j's bias to sample j. Give b its middle "
    "axis: X @ W + b[:, np.newaxis, :].")


def maxout_over_units(X, W, b):
    return (X @ W + b[:, np.newaxis, :]).max(axis=-1)


def maxout_forgot_bias(X, W, b):
    return (X @ W).max(axis=0)


def maxout_bias_after_max(X, W, b):
    return (X @ W).max(axis=0) + b.max(axis=0)


def maxout_over_samples(X, W, b):
    return (X @ W + b[:, np.newaxis, :]).max(axis=1)


maxout_layer = Exercise(
    name="maxout_layer",
    reference=ref.maxout_layer,
    cases=_maxout_cases,
    mistakes=[
        Mistake(maxout_bias_without_middle_axis, BIAS_WITHOUT_MIDDLE_AXIS),
        Mistake(maxout_over_units, "the maximum was taken over the last axis, the units; the k "
                                   "pieces are on axis 0 of X @ W + b[:, np.newaxis, :] (shape "
                                   "(k, n_samples, n_out)), so take .max(axis=0)."),
        Mistake(maxout_forgot_bias, "every piece adds its own bias: piece j is X @ W[j] + b[j], "
                                    "and the + b is missing."),
        Mistake(maxout_bias_after_max, "you took the maximum before adding b: the unit keeps the "
                                       "largest whole piece, max_j (X @ W[j] + b[j]); the largest "
                                       "X @ W[j] plus the largest b[j] may come from two "
                                       "different pieces."),
        Mistake(maxout_over_samples, "the maximum was taken over axis 1, the samples; every "
                                     "sample gets its own output: take the maximum over the k "
                                     "pieces, axis 0 of the (k, n_samples, n_out) pieces."),
    ],
)
