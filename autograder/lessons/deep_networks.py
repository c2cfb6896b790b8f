"""Checks for lesson 08, deep networks: any-depth forward and backward, initialisation, training.

The notebook's ``forward`` and ``backward`` keep :mod:`ann_lib.layers`' caches,
``((A_prev, W), (Z, name))`` per layer, which hold activation names (text): these checks compare
nested results item by item (:func:`_difference`) and say which item is wrong, its shape and its
meaning ("the input of layer 2").
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np

from ann_lib import activations as ann_activations
from ann_lib import deep, gradcheck, layers, losses
from ann_lib.deep import backward, forward  # what the `train` mistakes call in-process
from autograder.checks import core, variants
from autograder.checks.core import Mistake, Property, expect, fmt
from autograder.checks.inputs import changed_argument
from autograder.checks.reach import Reach
from autograder.lessons import self_check_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike

__all__ = ["expect", "self_check", "forward_pass", "backward_pass", "init_params", "train",
           "deep_cost"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = self_check_for(__name__)


def deep_cost(X: ArrayLike, Y: ArrayLike, params: Sequence[tuple[ArrayLike, ArrayLike]],
              activations: Sequence[str]) -> float:
    """Mean binary cross-entropy of the network's output (the cost the visible tests check)."""
    A = np.asarray(X, dtype=float)  # layer by layer, without ann_lib.deep (see GRADED)
    for (W, b), name in zip(params, activations):
        A = getattr(ann_activations, name)(A @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float))
    return float(losses.binary_cross_entropy(Y, A))


# --- comparing nested results ------------------------------------------------------------

def _difference(got, expected, path=()):
    """None when ``got`` matches ``expected``; else ``(path, what is wrong)`` of the first item."""
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return path, f"is {fmt(got, 4)}, not a list or tuple of {len(expected)} items"
        if len(got) != len(expected):
            return path, f"has {len(got)} items, expected {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            found = _difference(g, e, (*path, i))
            if found:
                return found
        return None
    if isinstance(expected, str):
        return None if got == expected else (path, f"is {got!r}, expected {expected!r}")
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return path, f"is {fmt(got, 4)}, not an array of numbers"
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        return path, f"has shape {g.shape}, expected {e.shape}"
    if not np.allclose(g, e, rtol=1e-6, atol=1e-9, equal_nan=True):
        return path, f"is {fmt(g, 4)}, expected {fmt(e, 4)}"
    return None


def _diagnose(results, mistakes):
    """The mistake whose results the answer reproduces on every case, if any."""
    for mistake in mistakes:
        try:
            wrong = [mistake.wrong(*copy.deepcopy(c)) for c, _, _ in results]
        except Exception:  # noqa: BLE001 - this mistake cannot take these inputs
            continue
        if all(_difference(got, w) is None for (_, _, got), w in zip(results, wrong)):
            return mistake
    return None


def _verdict(student, name, cases, reference, mistakes, describe, explain=None, in_place=None):
    """Call ``student`` on every case and compare with ``reference``; name a mistake if one fits.

    ``describe(args)`` names a case in a message; ``explain(args, path)`` (optional) adds what
    the wrong item is, e.g. a numerical gradient. ``in_place`` (a Mistake), when given: the
    arguments must come back unchanged, else its message is the verdict.
    """
    results = []
    for args in cases:
        expected = reference(*copy.deepcopy(args))
        mine = copy.deepcopy(args)
        try:
            got = student(*mine)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any student error becomes a message
            return f"{describe(args)} raised {type(exc).__name__}: {exc}"
        if in_place is not None:
            changed = changed_argument(in_place.wrong, name, core.case(*args), core.case(*mine))
            if changed:
                changed = changed.replace(core.case(*args).describe(name), describe(args))
                return f"`{name}` is not right yet: {in_place.message} {changed}"
        if got is None:
            return f"{describe(args)} returned None. Did you forget the `return` statement?"
        results.append((args, expected, got))
    for args, expected, got in results:
        found = _difference(got, expected)
        if found is None:
            continue
        path, what = found
        mistake = _diagnose(results, mistakes)
        lead = f"`{name}` is not right yet" + (f": {mistake.message}" if mistake else ".")
        extra = f" {explain(args, path)}" if explain else ""
        return f"{lead} For example, in {describe(args)}, {_item(name, path)} {what}.{extra}"
    return None


def _item(name, path):
    """What the item at ``path`` of ``name``'s result is, in words."""
    if name == "forward":
        parts = {(): "the result (A, caches)", (0,): "A (the output)", (1,): "caches"}
        if path in parts:
            return parts[path]
        layer = f"layer {path[1] + 1}"
        inner = {(0,): "the dense cache", (0, 0): "A_prev, the input", (0, 1): "W",
                 (1,): "the activation cache", (1, 0): "Z", (1, 1): "the activation name"}
        index = "".join(f"[{i}]" for i in path[2:])
        return f"caches[{path[1]}]{index} ({inner.get(tuple(path[2:]), 'the cache')} of {layer})"
    if name == "backward":
        if not path:
            return "grads"
        if len(path) == 1:
            return f"grads[{path[0]}] (the pair (dW, db) of layer {path[0] + 1})"
        return f"grads[{path[0]}][{path[1]}] ({('dW', 'db')[path[1]]} of layer {path[0] + 1})"
    if name == "train":
        if not path:
            return "the result (params, history)"
        if path == (1,):
            return "history"
        if path == (0,):
            return "params"
        if len(path) == 2:
            return f"params[{path[1]}] (layer {path[1] + 1})"
        return f"params[{path[1]}][{path[2]}] ({('W', 'b')[path[2]]} of layer {path[1] + 1})"
    return "the result"


def _network(rng, sizes, scale=1.0):
    return [(rng.normal(scale=scale, size=(n_in, n_out)), rng.normal(scale=0.5, size=n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _sizes(params):
    return [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]


# --- forward: any depth, with caches -----------------------------------------------------

_EXAMPLE = [(np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0]]), np.array([0.0, 0.5, 1.0])),
            (np.array([[2.0], [-2.0], [3.0]]), np.array([1.0]))]


def _forward_cases():
    rng = np.random.default_rng(808)
    cases = [(np.array([[1.0, 2.0], [0.0, 0.0]]), _EXAMPLE, ["relu", "sigmoid"])]
    for sizes, n, acts in (([3, 4, 2, 1], 5, ["tanh", "relu", "sigmoid"]),
                           ([2, 3, 3, 3, 2], 4, ["sigmoid", "tanh", "relu", "linear"]),
                           ([4, 2], 3, ["tanh"]),
                           ([2, 5, 1], 1, ["relu", "sigmoid"])):
        cases.append((rng.normal(size=(n, sizes[0])), _network(rng, sizes), acts))
    return cases


def _describe_network(name, X, params, acts, head="X"):
    return (f"{name}({head} of shape {np.shape(X)}, a network of layer sizes {_sizes(params)}, "
            f"activations {list(acts)})")


def forward_caches_reset_each_layer(X, params, activations):
    A = X
    for (W, b), name in zip(params, activations):
        caches = []
        Z, dense_cache = layers.dense_forward(A, W, b)
        A, activation_cache = layers.activation_forward(Z, name)
        caches.append((dense_cache, activation_cache))
    return A, caches


def forward_cache_holds_output(X, params, activations):
    A = X
    caches = []
    for (W, b), name in zip(params, activations):
        Z = A @ W + b
        A, activation_cache = layers.activation_forward(Z, name)
        caches.append(((A, W), activation_cache))
    return A, caches


def forward_returns_last_z(X, params, activations):
    A = X
    caches = []
    for (W, b), name in zip(params, activations):
        Z, dense_cache = layers.dense_forward(A, W, b)
        A, activation_cache = layers.activation_forward(Z, name)
        caches.append((dense_cache, activation_cache))
    return Z, caches


_FORWARD_MISTAKES = [
    Mistake(forward_caches_reset_each_layer,
            "`caches = []` sits inside the loop, so every layer throws the earlier caches away "
            "and only the last layer's is returned; create the list once, before the loop, and "
            "append one cache per layer."),
    Mistake(forward_cache_holds_output,
            "the dense cache holds the layer's output A instead of its input: backward needs "
            "A_prev (dW = A_prev.T @ dZ), so cache (A_prev, W) before A is overwritten."),
    Mistake(forward_returns_last_z,
            "you returned the last layer's Z, its weighted sums before the activation; the "
            "network's output is A_L = f_L(Z_L)."),
]


def _judge_forward(student):
    return _verdict(student, "forward", _forward_cases(), deep.forward, _FORWARD_MISTAKES,
                    lambda args: _describe_network("forward", *args))


forward_pass = Property(name="forward_pass", answer="forward", judge=_judge_forward,
                        mistakes=_FORWARD_MISTAKES, model=deep.forward)


# --- backward: any depth, checked against the reference and numerical gradients ---------

def _backward_inputs(sizes_list, seed):
    """``[(X, Y, params, activations), ...]`` for the networks of ``sizes_list``."""
    rng = np.random.default_rng(seed)
    hidden = ("tanh", "relu", "sigmoid")
    out = []
    for k, sizes in enumerate(sizes_list):
        n = 4 + k
        acts = [hidden[(k + i) % 3] for i in range(len(sizes) - 2)] + ["sigmoid"]
        X = rng.normal(size=(n, sizes[0]))
        Y = rng.integers(0, 2, size=(n, sizes[-1])).astype(float)
        out.append((X, Y, _network(rng, sizes), acts))
    return out


#: Every layer as wide as the output, so that a backward pass that never passes dA down still
#: runs and can be recognised; then networks of any shape.
_SQUARE = _backward_inputs(([2, 2, 2], [3, 3, 3, 3], [2, 2, 2, 2, 2]), 8081)
_GENERAL = _backward_inputs(([3, 4, 2, 1], [2, 5, 1], [4, 3, 3, 2], [3, 1]), 8082)


def _backward_args(inputs):
    X, Y, params, acts = inputs
    A, caches = deep.forward(X, params, acts)
    return losses.binary_cross_entropy_grad(Y, A), caches


def _describe_backward(args):
    dA, caches = args
    sizes = [caches[0][0][0].shape[1]] + [c[0][1].shape[1] for c in caches]
    acts = [c[1][1] for c in caches]
    return (f"backward(dA of shape {np.shape(dA)}, the caches of a network of layer sizes "
            f"{sizes}, activations {acts})")


def _numerical_note(inputs, path):
    """The numerical gradient of the cost for the parameter at ``path`` of grads, as a sentence."""
    if len(path) != 2:
        return ""
    X, Y, params, acts = inputs
    layer, which = path

    def cost(p):
        ps = [list(pair) for pair in params]
        ps[layer][which] = p
        return deep_cost(X, Y, [tuple(pair) for pair in ps], acts)

    numerical = gradcheck.numerical_gradient(cost, params[layer][which])
    return (f"The numerical gradient of the cost (centred differences) for "
            f"{('W', 'b')[which]} of layer {layer + 1} is {fmt(numerical, 4)}.")


def backward_grads_in_reverse_order(dA, caches):
    grads = []
    for dense_cache, activation_cache in reversed(caches):
        dZ = layers.activation_backward(dA, activation_cache)
        dA, dW, db = layers.dense_backward(dZ, dense_cache)
        grads.append((dW, db))
    return grads


def backward_divides_by_n_again(dA, caches):
    n = len(dA)
    grads = []
    for dense_cache, activation_cache in reversed(caches):
        dZ = layers.activation_backward(dA, activation_cache)
        dA, dW, db = layers.dense_backward(dZ, dense_cache)
        grads.append((dW / n, db / n))
    return grads[::-1]


def backward_output_gradient_every_layer(dA, caches):
    grads = []
    for dense_cache, activation_cache in reversed(caches):
        dZ = layers.activation_backward(dA, activation_cache)
        dA_prev, dW, db = layers.dense_backward(dZ, dense_cache)
        grads.append((dW, db))
    return grads[::-1]


def backward_skips_activation_derivative(dA, caches):
    grads = []
    for dense_cache, _ in reversed(caches):
        dA, dW, db = layers.dense_backward(dA, dense_cache)
        grads.append((dW, db))
    return grads[::-1]


_BACKWARD_MISTAKES = [
    Mistake(backward_grads_in_reverse_order,
            "the gradients come out in the order the loop met them, last layer first; reverse "
            "the list (grads[::-1]) so that grads[l] belongs to params[l]."),
    Mistake(backward_divides_by_n_again,
            "every gradient is n_samples times too small: the 1/n of the mean cost is already in "
            "dA, so dividing dW and db by n again applies it twice."),
    Mistake(backward_output_gradient_every_layer,
            "each layer received the output's gradient dA instead of the one coming down from "
            "the layer above: keep the dA_prev = dZ @ W.T that dense_backward returns and feed "
            "it to the next layer down."),
    Mistake(backward_skips_activation_derivative,
            "the activations' derivatives are missing: each layer's dZ = dA * f'(Z) "
            "(layers.activation_backward) must come before the dense layer's backward pass."),
]


def _reference_backward(dA, caches):
    return deep.backward(dA, caches)


def _judge_backward(student):
    for stage in (_SQUARE, _GENERAL):
        args = [_backward_args(inputs) for inputs in stage]
        inputs_of = {id(a): i for a, i in zip(args, stage)}

        def explain(a, path, inputs_of=inputs_of):
            return _numerical_note(inputs_of[id(a)], path)

        verdict = _verdict(student, "backward", args, _reference_backward, _BACKWARD_MISTAKES,
                           _describe_backward, explain)
        if verdict:
            return verdict
    return None


backward_pass = Property(name="backward_pass", answer="backward", judge=_judge_backward,
                         mistakes=_BACKWARD_MISTAKES, uses=("forward",), model=deep.backward)


# --- init_params: He and Glorot, measured --------------------------------------------------

_INIT_CALLS = (([200, 50, 100], "he"), ([200, 50, 100], "glorot"), ([40, 300, 20], "he"),
               ([40, 300, 20], "glorot"))

VARIANCE_AS_STD = ("the weights' spread is the variance, not its square root: numpy's "
                   "rng.normal(0, scale, size) takes the standard deviation, "
                   "sqrt(2 / n_in) for He.")
FAN_OUT = ("He's variance is 2 / n_in, the number of inputs each neuron sums over; yours "
           "follows n_out, the layer's width.")
BIASES_NOT_ZERO = ("the biases are random; start them at 0 (np.zeros(n_out)): the random "
                   "weights already make the neurons differ.")
NOT_REPRODUCIBLE = ("the same seed gave different weights: draw with the rng you are given "
                    "(rng.normal), not np.random, so that a run can be repeated.")


IGNORES_RNG = ("Draw from the generator you are given (rng.normal): a generator of your own, "
               "or a fixed seed, ignores the caller's, and every network would start alike.")


def _judge_init(student):
    for k, (sizes, scheme) in enumerate(_INIT_CALLS):
        call = f"init_params({sizes}, {scheme!r}, rng)"
        try:
            params = student(list(sizes), scheme, np.random.default_rng(80 + k))
            again = student(list(sizes), scheme, np.random.default_rng(80 + k))
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any student error becomes a message
            return f"{call} raised {type(exc).__name__}: {exc}."
        lead = f"`init_params` is not right yet: {call}"
        pairs = list(zip(sizes[:-1], sizes[1:]))
        if not isinstance(params, (list, tuple)) or len(params) != len(pairs):
            return (f"{lead} should return a list of {len(pairs)} (W, b) pairs, one per layer, "
                    f"but it returned {fmt(params, 3)}.")
        for layer, ((n_in, n_out), pair) in enumerate(zip(pairs, params), start=1):
            try:
                W, b = (np.asarray(x, dtype=float) for x in pair)
            except (TypeError, ValueError):
                return f"{lead}: layer {layer} should be a pair (W, b) of arrays, got {fmt(pair, 3)}."
            if W.shape != (n_in, n_out) or b.shape != (n_out,):
                return (f"{lead}: layer {layer} has W of shape {W.shape} and b of shape {b.shape}; "
                        f"expected ({n_in}, {n_out}) and ({n_out},).")
        if _difference(again, params) is not None:
            return f"{lead}: {NOT_REPRODUCIBLE}"
        other = student(list(sizes), scheme, np.random.default_rng(180 + k))
        if _difference(other, params) is None:
            return (f"{lead}: a generator seeded with {80 + k} and one seeded with {180 + k} gave "
                    f"the same weights. {IGNORES_RNG}")
        for layer, ((n_in, n_out), (W, b)) in enumerate(zip(pairs, params), start=1):
            W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
            if np.any(b != 0):
                return f"{lead}: layer {layer}'s b is {fmt(b, 3)}; {BIASES_NOT_ZERO}"
            want = np.sqrt(deep.SCHEMES[scheme](n_in, n_out))
            std, mean = float(W.std()), float(W.mean())
            if abs(std / want - 1) <= 0.05 and abs(mean) <= 0.1 * want:
                continue
            measured = (f"{lead}: the weights of layer {layer} ({n_in} inputs, {n_out} outputs) have "
                        f"mean {mean:.3g} and standard deviation {std:.3g}; expected mean 0 and "
                        f"{want:.3g}.")
            if abs(std / (want ** 2) - 1) <= 0.05:
                return f"{measured} {VARIANCE_AS_STD}"
            if scheme == "he" and abs(std / np.sqrt(2 / n_out) - 1) <= 0.05:
                return f"{measured} {FAN_OUT}"
            return measured
    return None


def init_variance_as_std(layer_sizes, scheme, rng):
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        variance = 2 / n_in if scheme == "he" else 2 / (n_in + n_out)
        params.append((rng.normal(0, variance, size=(n_in, n_out)), np.zeros(n_out)))
    return params


def init_fan_out(layer_sizes, scheme, rng):
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        variance = 2 / n_out if scheme == "he" else 2 / (n_in + n_out)
        params.append((rng.normal(0, np.sqrt(variance), size=(n_in, n_out)), np.zeros(n_out)))
    return params


def init_biases_random(layer_sizes, scheme, rng):
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        std = np.sqrt(2 / n_in if scheme == "he" else 2 / (n_in + n_out))
        params.append((rng.normal(0, std, size=(n_in, n_out)), rng.normal(0, std, size=n_out)))
    return params


def init_own_generator(layer_sizes, scheme, rng):
    mine = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        std = np.sqrt(2 / n_in if scheme == "he" else 2 / (n_in + n_out))
        params.append((mine.normal(0, std, size=(n_in, n_out)), np.zeros(n_out)))
    return params


def init_ignores_rng(layer_sizes, scheme, rng):
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        std = np.sqrt(2 / n_in if scheme == "he" else 2 / (n_in + n_out))
        params.append((np.random.normal(0, std, size=(n_in, n_out)), np.zeros(n_out)))
    return params


init_params = Property(
    name="init_params",
    judge=_judge_init,
    model=deep.init_params,
    mistakes=[
        Mistake(init_variance_as_std, VARIANCE_AS_STD),
        Mistake(init_fan_out, FAN_OUT),
        Mistake(init_biases_random, BIASES_NOT_ZERO),
        Mistake(init_ignores_rng, NOT_REPRODUCIBLE),
        Mistake(init_own_generator, IGNORES_RNG),
    ],
)


# --- train: full-batch gradient descent with the learner's forward and backward ----------

def _train_cases():
    rng = np.random.default_rng(880)
    cases = []
    for sizes, acts, n, rate, epochs in (([2, 3, 1], ["tanh", "sigmoid"], 6, 0.5, 3),
                                         ([2, 4, 3, 1], ["relu", "tanh", "sigmoid"], 8, 0.3, 5),
                                         ([3, 2, 1], ["sigmoid", "sigmoid"], 5, 1.0, 1),
                                         ([2, 3, 1], ["tanh", "sigmoid"], 4, 0.1, 0)):
        X = rng.normal(size=(n, sizes[0]))
        Y = rng.integers(0, 2, size=(n, 1)).astype(float)
        cases.append((X, Y, _network(rng, sizes, scale=0.7), acts, rate, epochs))
    return cases


def _reference_train(X, Y, params, activations, learning_rate, epochs):
    params, history = deep.train(X, Y, params, activations, learning_rate, epochs)
    return params, np.array(history)


def _describe_train(args):
    X, Y, params, acts, rate, epochs = args
    return (f"train(X of shape {X.shape}, Y of shape {Y.shape}, a network of layer sizes "
            f"{_sizes(params)}, activations {acts}, learning_rate={rate:g}, epochs={epochs})")


def _train_template(X, Y, params, activations, learning_rate, epochs):
    history = []
    for _ in range(epochs):
        A, caches = forward(X, params, activations)
        history.append(losses.binary_cross_entropy(Y, A))
        grads = backward(losses.binary_cross_entropy_grad(Y, A), caches)
        params = [(W - learning_rate * dW, b - learning_rate * db)
                  for (W, b), (dW, db) in zip(params, grads)]
    return params, history


#: The lesson's training loop as the grader runs it (a test checks it is ``ann_lib``'s ``train``);
#: every catalogued mistake of ``train`` is one hunk of it replaced.
_PIECES = {"forward": forward, "backward": backward, "losses": losses}
train_loop = variants.bind(_train_template, _PIECES)
_train = variants.variants_of(_train_template, _PIECES)
_NEW_PARAMS = """
params = [(W - learning_rate * dW, b - learning_rate * db)
          for (W, b), (dW, db) in zip(params, grads)]"""

train_passes_dZ_as_dA = _train(
    "train_passes_dZ_as_dA",
    "grads = backward(losses.binary_cross_entropy_grad(Y, A), caches)",
    "grads = backward((A - Y) / len(X), caches)")


def _each_pair_updated(name, update):
    """The mistake ``name``: a loop over the pairs instead of a new list, ``W{update} ...``."""
    return _train(name, _NEW_PARAMS, f"""
for (W, b), (dW, db) in zip(params, grads):
    W{update}learning_rate * dW
    b{update.replace("W", "b")}learning_rate * db""")


train_params_not_updated = _each_pair_updated("train_params_not_updated", " = W - ")
train_updates_in_place = _each_pair_updated("train_updates_in_place", " -= ")
train_climbs_the_cost = _train(
    "train_climbs_the_cost",
    "params = [(W - learning_rate * dW, b - learning_rate * db)",
    "params = [(W + learning_rate * dW, b + learning_rate * db)")


TRAIN_IN_PLACE = Mistake(
    train_updates_in_place,
    "the caller's arrays were changed: `W -= learning_rate * dW` updates the W the caller passed "
    "in, so her starting parameters are lost (and a second run starts where the first ended). "
    "Build new arrays, params = [(W - learning_rate * dW, b - learning_rate * db) for ...].")

_TRAIN_MISTAKES = [
    Mistake(train_passes_dZ_as_dA,
            "you passed (A - Y) / n to backward, but that is dJ/dZ of the sigmoid output, not "
            "dJ/dA: backward multiplies by the sigmoid's derivative once more. Pass "
            "losses.binary_cross_entropy_grad(Y, A)."),
    Mistake(train_params_not_updated,
            "the parameters never change: `W = W - learning_rate * dW` inside a for loop only "
            "rebinds the loop's name W; build the new list, params = [(W - lr * dW, b - lr * db) "
            "for ...]."),
    Mistake(train_climbs_the_cost,
            "your network climbs the cost: every epoch moved the parameters along +gradient; "
            "step against it, W - learning_rate * dW."),
]


def _judge_train(student):
    return _verdict(student, "train", _train_cases(), _reference_train, _TRAIN_MISTAKES,
                    _describe_train, in_place=TRAIN_IN_PLACE)


train = Property(name="train", judge=_judge_train, mistakes=[*_TRAIN_MISTAKES, TRAIN_IN_PLACE],
                 uses=("forward", "backward"), model=_reference_train)


#: While graded: the earlier lessons' layers, activations, losses and numerical gradient (what the
#: answers build on and the visible tests use), the data sets, and the cost the visible tests
#: differentiate; never ann_lib.deep, this lesson's reference.
GRADED = Reach(ann_lib=("activations", "datasets", "gradcheck", "layers", "losses"),
               helpers=("deep_cost",))
