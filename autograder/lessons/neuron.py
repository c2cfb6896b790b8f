"""Checks for lesson 01, the neuron."""

import numpy as np

from ann_lib import activations, neuron
from autograder.checks import core
from autograder.checks.core import Exercise, Mistake, Property, case, expect, fmt
from autograder.checks.reach import Reach
from autograder.lessons import self_check_for

__all__ = ["expect", "self_check", "weighted_sum", "weighted_sum_batch", "step", "neuron_output",
           "and_gate"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


# --- weighted_sum: one sample --------------------------------------------------------------

def _one_sample_cases(rng):
    cases = [case(np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0]), 0.5),
             case(np.array([0.0, 0.0]), np.array([3.0, -2.0]), -1.5),
             case(np.array([2.0]), np.array([-4.0]), 0.0),
             case(np.array([1.0, 1.0, 1.0, 1.0]), np.array([0.25, 0.25, 0.25, 0.25]), 2.0)]
    for n in (2, 5, 9):
        cases.append(case(rng.normal(size=n), rng.normal(size=n), float(rng.normal())))
    return cases


def forgot_bias(x, w, b):
    return np.dot(x, w)


def bias_inside_sum(x, w, b):
    return np.sum(x * w + b)


def no_sum(x, w, b):
    return x * w + b


def subtracted_bias(x, w, b):
    return np.dot(x, w) - b


weighted_sum = Exercise(
    name="weighted_sum",
    reference=neuron.weighted_sum,
    cases=_one_sample_cases,
    mistakes=[
        Mistake(forgot_bias, "the bias b is missing; z = sum of w_i * x_i, plus b."),
        Mistake(bias_inside_sum, "b was added once per input (inside the sum); add it once, "
                                 "after summing."),
        Mistake(no_sum, "you multiplied inputs by weights but did not add the products up; "
                        "z is one number per sample."),
        Mistake(subtracted_bias, "the bias was subtracted; it is added: z = w . x + b."),
    ],
)


# --- weighted_sum_batch: many samples at once ----------------------------------------------

def _batch_cases(rng):
    cases = [case(np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]]), np.array([0.5, -1.0, 2.0]), 0.5),
             case(np.array([[1.0, 2.0]]), np.array([1.0, 1.0]), 0.0),
             case(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([2.0, -3.0]), 1.0)]
    for n, d in ((4, 3), (7, 2), (3, 5)):
        cases.append(case(rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal())))
    return cases


def batch_forgot_bias(X, w, b):
    return X @ w


def batch_wrong_axis(X, w, b):
    return np.sum(X * w, axis=0) + b


def batch_summed_everything(X, w, b):
    return np.sum(X * w) + b


weighted_sum_batch = Exercise(
    name="weighted_sum_batch",
    reference=neuron.weighted_sum,
    cases=_batch_cases,
    mistakes=[
        Mistake(batch_forgot_bias, "the bias b is missing: every sample's z gets + b."),
        Mistake(batch_wrong_axis, "you summed over the wrong axis: axis 0 runs over samples; "
                                  "sum over features (axis=1), or use X @ w."),
        Mistake(batch_summed_everything, "you summed over the whole batch into one number; "
                                         "each sample (row of X) needs its own z."),
    ],
)


# --- step: the threshold transfer function -------------------------------------------------

def _step_cases(rng):
    return [case(np.array([-2.0, -0.5, 0.0, 0.5, 2.0])), case(np.array(0.0)), case(np.array(-3.0)),
            case(np.array([[0.0, 1e-9], [-1e-9, 7.0]])), case(rng.normal(size=(3, 4)))]


def step_strict(z):
    return np.where(z > 0, 1.0, 0.0)


def step_sign(z):
    return np.sign(z)


step = Exercise(
    name="step",
    reference=activations.step,
    cases=_step_cases,
    mistakes=[
        Mistake(step_strict, "at exactly z = 0 the neuron should fire (output 1): use z >= 0."),
        Mistake(step_sign, "np.sign gives -1 for negative z and 0 at z = 0; the step function "
                           "outputs 0 or 1."),
    ],
)


# --- neuron_output: weighted sum, then transfer function ------------------------------------

def _output_cases(rng):
    # never this lesson's own step (withheld while graded); relu at z = -1 tells f(z) from z
    cases = [case(np.array([1.0, 2.0]), np.array([0.5, -0.25]), 0.1, activations.sigmoid),
             case(np.array([3.0, -1.0]), np.array([1.0, 2.0]), -2.0, activations.relu),
             case(np.array([0.5, 0.5, 0.5]), np.array([1.0, -2.0, 0.5]), 0.0, np.tanh),
             case(np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.3, -0.7]), 0.2,
                  activations.sigmoid)]
    for n in (3, 6):
        cases.append(case(rng.normal(size=n), rng.normal(size=n), float(rng.normal()),
                          activations.sigmoid))
    return cases


def forgot_activation(x, w, b, activation):
    return np.dot(x, w) + b


def activation_before_bias(x, w, b, activation):
    return activation(np.dot(x, w)) + b


def activation_on_inputs(x, w, b, activation):
    return np.dot(activation(x), w) + b


neuron_output = Exercise(
    name="neuron_output",
    reference=neuron.neuron_output,
    cases=_output_cases,
    mistakes=[
        Mistake(forgot_activation, "you returned z itself; the neuron's output is f(z), the "
                                   "transfer function applied to z."),
        Mistake(activation_before_bias, "the bias was added after the transfer function; "
                                        "it belongs inside: f(w . x + b)."),
        Mistake(activation_on_inputs, "the transfer function was applied to the inputs; apply it "
                                      "once, to the weighted sum z."),
    ],
)


# --- and_gate: choose w and b so that a step neuron computes AND ---------------------------

_TRUTH = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _judge_and_gate(student):
    params = student()
    if not (isinstance(params, (tuple, list)) and len(params) == 2):
        return f"`and_gate` should return a pair (w, b), but it returned {fmt(params)}."
    w, b = params
    w = np.asarray(w, dtype=float)
    if w.shape != (2,):
        return f"w should hold one weight per input, shape (2,), but it has shape {w.shape}."
    if np.ndim(b) != 0:
        return f"b should be a single number, but it has shape {np.shape(b)}."
    fired = activations.step(_TRUTH @ w + float(b))
    wanted = np.array([0.0, 0.0, 0.0, 1.0])
    if np.array_equal(fired, wanted):
        return None
    table = ", ".join(f"{tuple(int(v) for v in x)} -> {int(f)}" for x, f in zip(_TRUTH, fired))
    message = f"`and_gate` is not right yet: your neuron gives {table}; AND is 1 only for (1, 1)."
    if fired[0] == 1.0 and float(b) >= 0:
        message += (" With inputs (0, 0), z = b, and step(z) fires for z >= 0: the bias must be "
                    "negative so that the neuron stays silent when no input is on.")
    elif np.array_equal(fired, [0.0, 1.0, 1.0, 1.0]):
        message += " That is OR: the bias is not negative enough to need both inputs."
    return core.Verdict(message, plot={
        "kind": "boundary", "title": f"your AND neuron: w = {w.tolist()}, b = {float(b):g}",
        "points": _TRUTH.tolist(), "wanted": wanted.tolist(), "got": fired.tolist(),
        "w": w.tolist(), "b": float(b)})


def and_gate_zero_bias():
    return np.array([1.0, 1.0]), 0.0


def and_gate_is_or():
    return np.array([1.0, 1.0]), -0.5


and_gate = Property(
    name="and_gate",
    judge=_judge_and_gate,
    mistakes=[
        Mistake(and_gate_zero_bias, "the bias must be negative"),
        Mistake(and_gate_is_or, "That is OR"),
    ],
)


#: While graded: ann_lib's activations, whose sigmoid and relu the test cells and checks pass to
#: `neuron_output`; this lesson's own answer `step` (and its private kernel) withheld.
GRADED = Reach(ann_lib=("activations",), withheld=("activations.step", "activations._step"))
