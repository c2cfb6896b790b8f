"""Checks for lesson 03, forward propagation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ann_lib import activations, layers, network
from autograder.checks.core import Exercise, Mistake, Property, case, expect, fmt, number_answer
from autograder.checks.reach import Reach
from autograder.lessons import self_check_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike

__all__ = ["expect", "self_check", "dense", "parameter_count", "forward", "xnor_params",
           "corner_outputs"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


_NAMES = {f: name for name, (f, _) in activations.ACTIVATIONS.items()}


# --- references, built from ann_lib ------------------------------------------------------

def _ref_dense(X, W, b):
    return layers.dense_forward(X, W, b)[0]


def _ref_forward(X, params, hidden_activation, output_activation):
    sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
    model = network.MLP(sizes, hidden_activation=_NAMES[hidden_activation],
                        output_activation=_NAMES[output_activation])
    model.params_ = params
    return model.forward(X)[0]


def _layer(rng, n_in, n_out):
    return rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)


# --- dense: Z = X @ W + b -----------------------------------------------------------------

_W1 = np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0]])
_B1 = np.array([0.0, 0.5, 1.0])


def _square_dense_cases(rng):
    """n_samples == n_in == n_out, so that the shape slips run and can be recognised."""
    cases = [case(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [0.0, -1.0]]),
                  np.array([0.5, -0.5]))]
    for n in (2, 3, 4):
        cases.append(case(rng.normal(size=(n, n)), *_layer(rng, n, n)))
    return cases


def _dense_cases(rng):
    cases = [case(np.array([[1.0, 2.0]]), _W1, _B1),
             case(np.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 3.0]]), _W1, _B1)]
    for n, n_in, n_out in ((5, 3, 4), (1, 4, 2), (6, 1, 3), (4, 3, 1)):
        cases.append(case(rng.normal(size=(n, n_in)), *_layer(rng, n_in, n_out)))
    return cases


def dense_forgot_bias(X, W, b):
    return X @ W


def dense_transposed_weights(X, W, b):
    return X @ W.T + b


def dense_bias_per_sample(X, W, b):
    return X @ W + b.reshape(-1, 1)


_DENSE_STAGES = (Exercise(
    name="dense", reference=_ref_dense, cases=_square_dense_cases,
    mistakes=[
        Mistake(dense_forgot_bias, "every neuron of the layer adds its own bias: Z = X @ W + b, "
                                   "and the + b is missing."),
        Mistake(dense_transposed_weights, "you used W transposed; W has shape (n_in, n_out), row i "
                                          "holding input i's weights, so Z = X @ W (no .T)."),
        Mistake(dense_bias_per_sample, "b was added down the rows (as a column, one value per "
                                       "sample); b has one entry per neuron, so it is added to "
                                       "every row: X @ W + b."),
    ]),
    Exercise(name="dense", reference=_ref_dense, cases=_dense_cases))


def _judge_dense(student):
    """Square shapes first (where the shape slips are recognised), then any shapes."""
    return _DENSE_STAGES[0].verdict(student) or _DENSE_STAGES[1].verdict(student)


dense = Property(name="dense", judge=_judge_dense, mistakes=_DENSE_STAGES[0].mistakes,
                 model=_ref_dense)


# --- parameter_count: a prediction worked out from the shapes -----------------------------

DIGIT_SIZES = (784, 128, 64, 10)
_PAIRS = list(zip(DIGIT_SIZES[:-1], DIGIT_SIZES[1:]))
DIGIT_PARAMETERS = sum(n_in * n_out + n_out for n_in, n_out in _PAIRS)

WEIGHTS_ONLY = ("Only the weights were counted; each computing layer also has one bias per "
                "neuron, n_l of them.")
INPUT_BIASES = ("The input layer got biases too; the inputs are just the data, so only the "
                "neurons of the computing layers have a bias.")
NEURONS = "You counted neurons, not parameters; layer l has n_(l-1) * n_l weights plus n_l biases."
ONE_LAYER = ("That is one layer's count; add the weights and biases of all three computing "
             "layers.")
_COUNT_SLIPS = {sum(n_in * n_out for n_in, n_out in _PAIRS): WEIGHTS_ONLY,
                DIGIT_PARAMETERS + DIGIT_SIZES[0]: INPUT_BIASES,
                sum(DIGIT_SIZES): NEURONS,
                **{n_in * n_out + n_out: ONE_LAYER for n_in, n_out in _PAIRS}}


def _judge_count(student):
    count, not_a_number = number_answer(student, "parameter_count", "a whole number")
    if not_a_number:
        return not_a_number
    if count == DIGIT_PARAMETERS:
        return None
    lead = (f"`parameter_count` is not right yet: {fmt(count)} is not the number of weights and "
            f"biases of a network with layer sizes {list(DIGIT_SIZES)}.")
    why = _COUNT_SLIPS.get(count)
    return f"{lead} {why}" if why else lead


def count_weights_only():
    return 109_184


def count_input_biases():
    return 110_170


def count_neurons():
    return 986


parameter_count = Property(
    name="parameter_count",
    judge=_judge_count,
    mistakes=[
        Mistake(count_weights_only, WEIGHTS_ONLY),
        Mistake(count_input_biases, INPUT_BIASES),
        Mistake(count_neurons, NEURONS),
    ],
)


# --- forward: the whole network ----------------------------------------------------------

_EXAMPLE = [(_W1, _B1), (np.array([[2.0], [-2.0], [3.0]]), np.array([1.0]))]


def _net(rng, sizes):
    return [_layer(rng, n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _forward_cases(rng):
    a = activations
    cases = [case(np.array([[1.0, 2.0], [0.0, 0.0]]), _EXAMPLE, a.relu, a.sigmoid),
             case(np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 0.0]]), _EXAMPLE, a.relu, a.linear)]
    for sizes, n, fh, fo in (([3, 4, 2], 5, a.tanh, a.sigmoid), ([2, 5, 4, 1], 6, a.relu, a.sigmoid),
                             ([4, 3, 3, 3, 2], 3, a.sigmoid, a.linear), ([2, 1], 4, a.relu, a.tanh),
                             ([3, 6, 1], 1, a.tanh, a.relu)):
        cases.append(case(rng.normal(size=(n, sizes[0])), _net(rng, sizes), fh, fo))
    return cases


def forward_output_activation_everywhere(X, params, hidden_activation, output_activation):
    A = X
    for W, b in params:
        A = output_activation(A @ W + b)
    return A


def forward_no_hidden_activation(X, params, hidden_activation, output_activation):
    A = X
    for W, b in params[:-1]:
        A = A @ W + b
    W, b = params[-1]
    return output_activation(A @ W + b)


def forward_hidden_activation_everywhere(X, params, hidden_activation, output_activation):
    A = X
    for W, b in params:
        A = hidden_activation(A @ W + b)
    return A


def forward_no_output_activation(X, params, hidden_activation, output_activation):
    A = X
    for W, b in params[:-1]:
        A = hidden_activation(A @ W + b)
    W, b = params[-1]
    return A @ W + b


forward = Exercise(
    name="forward",
    reference=_ref_forward,
    cases=_forward_cases,
    uses=("dense",),
    mistakes=[
        Mistake(forward_output_activation_everywhere, "the hidden layers used the output "
                                                      "activation; they take hidden_activation, "
                                                      "and only the last layer takes "
                                                      "output_activation."),
        Mistake(forward_no_hidden_activation, "the hidden layers have no activation, so the "
                                              "network collapses into one linear map; apply "
                                              "hidden_activation after every layer but the "
                                              "last."),
        Mistake(forward_hidden_activation_everywhere, "the last layer used hidden_activation; the "
                                                      "output layer takes output_activation."),
        Mistake(forward_no_output_activation, "the last layer's Z was returned without "
                                              "output_activation."),
    ],
)


# --- xnor_params: weights found with the explorer ------------------------------------------

XNOR = np.array([True, False, False, True])
_GATES = {(False, True, True, False): "XOR", (False, True, True, True): "OR",
          (False, False, False, True): "AND", (True, True, True, False): "NAND"}


def corner_outputs(params: Sequence[tuple[ArrayLike, ArrayLike]]) -> np.ndarray:
    """The 2-2-1 network's outputs (sigmoid hidden and output layers) on the four corners.

    The corners are (0, 0), (0, 1), (1, 0), (1, 1); the result has shape (4, 1).
    """
    (W1, b1), (W2, b2) = [(np.asarray(W, dtype=float), np.asarray(b, dtype=float))
                          for W, b in params]
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    hidden = 0.5 * (1 + np.tanh((corners @ W1 + b1) / 2))   # the sigmoid, without overflow
    return 0.5 * (1 + np.tanh((hidden @ W2 + b2) / 2))


def _gate_message(name):
    return (f"These weights compute {name}, not XNOR: XNOR is high on (0, 0) and (1, 1) and low "
            f"on (0, 1) and (1, 0).")


def _judge_xnor(student):
    params = student()
    try:
        shapes = [(np.shape(W), np.shape(b)) for W, b in params]
        if shapes != [((2, 2), (2,)), ((2, 1), (1,))]:
            raise ValueError(f"shapes {shapes}")
        out = corner_outputs(params)[:, 0]
    except (TypeError, ValueError) as exc:
        return (f"`xnor_params` should return [(W1, b1), (W2, b2)] with W1 of shape (2, 2), b1 "
                f"(2,), W2 (2, 1) and b2 (1,) ({exc}).")
    fires = out > 0.5
    if np.array_equal(fires, XNOR):
        return None
    lead = (f"`xnor_params` is not right yet: on (0, 0), (0, 1), (1, 0), (1, 1) the network "
            f"outputs {fmt(out, 3)}.")
    name = _GATES.get(tuple(bool(f) for f in fires))
    return f"{lead} {_gate_message(name)}" if name else lead


def xnor_is_xor():
    return [([[10, 10], [10, 10]], [-5, -15]), ([[10], [-10]], [-5])]


def xnor_is_or():
    return [([[10, 10], [10, 10]], [-5, -15]), ([[10], [0]], [-5])]


xnor_params = Property(
    name="xnor_params",
    judge=_judge_xnor,
    mistakes=[Mistake(xnor_is_xor, _gate_message("XOR")), Mistake(xnor_is_or, _gate_message("OR"))],
)


#: While graded: lesson 04's activations, which the test cells and checks pass as arguments.
GRADED = Reach(ann_lib=("activations",), helpers=("corner_outputs",))
