"""Checks for lesson 03, forward propagation."""

import numpy as np

from ann_lib import activations, layers, network
from autograder import core
from autograder.core import Exercise, Mistake, Property, case, expect

__all__ = ["expect", "self_check", "dense", "layer_output", "layer_shapes", "count_parameters",
           "forward"]


#: ``checks.self_check(globals())``: every exercise of this lesson, on the learner's answers.
self_check = core.self_check_for(__name__)


_NAMES = {f: name for name, (f, _) in activations.ACTIVATIONS.items()}


# --- references, built from ann_lib ------------------------------------------------------

def _ref_dense(X, W, b):
    return layers.dense_forward(X, W, b)[0]


def _ref_layer_output(X, W, b, activation):
    return layers.activation_forward(layers.dense_forward(X, W, b)[0], _NAMES[activation])[0]


def _ref_layer_shapes(layer_sizes):
    return tuple((W.shape, b.shape) for W, b in network.init_params(layer_sizes, 0))


def _ref_count_parameters(layer_sizes):
    return sum(W.size + b.size for W, b in network.init_params(layer_sizes, 0))


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


# --- layer_output: A = f(X @ W + b) --------------------------------------------------------

def _layer_output_cases(rng):
    cases = [case(np.array([[1.0, 2.0]]), _W1, _B1, activations.relu),
             case(np.array([[1.0, 2.0], [0.0, 0.0]]), _W1, _B1, activations.sigmoid)]
    for (n, n_in, n_out), f in zip(((5, 3, 4), (2, 4, 2), (6, 2, 3), (3, 3, 1)),
                                   (activations.tanh, activations.sigmoid, activations.relu,
                                    activations.sigmoid)):
        cases.append(case(rng.normal(size=(n, n_in)), *_layer(rng, n_in, n_out), f))
    return cases


def layer_returns_z(X, W, b, activation):
    return X @ W + b


def layer_bias_after_activation(X, W, b, activation):
    return activation(X @ W) + b


def layer_activates_inputs(X, W, b, activation):
    return activation(X) @ W + b


layer_output = Exercise(
    name="layer_output",
    reference=_ref_layer_output,
    cases=_layer_output_cases,
    uses=("dense",),
    mistakes=[
        Mistake(layer_returns_z, "that is the layer's pre-activation Z; the layer's output is "
                                 "A = activation(Z)."),
        Mistake(layer_bias_after_activation, "the bias went in after the activation; the layer "
                                             "computes activation(X @ W + b), bias inside."),
        Mistake(layer_activates_inputs, "the activation was applied to the layer's inputs X; it "
                                        "acts on Z = X @ W + b, the sums the neurons compute."),
    ],
)


# --- layer_shapes: the shape of every W and b -----------------------------------------------

def _shapes_cases(rng):
    return [case([2, 3, 1]), case([5, 2]), case([3, 8, 8, 2]), case([1, 4, 1]),
            case([784, 128, 64, 10])]


def shapes_reversed(layer_sizes):
    return tuple(((n_out, n_in), (n_out,)) for n_in, n_out in zip(layer_sizes[:-1],
                                                                   layer_sizes[1:]))


def shapes_bias_per_input(layer_sizes):
    return tuple(((n_in, n_out), (n_in,)) for n_in, n_out in zip(layer_sizes[:-1],
                                                                  layer_sizes[1:]))


layer_shapes = Exercise(
    name="layer_shapes",
    reference=_ref_layer_shapes,
    cases=_shapes_cases,
    mistakes=[
        Mistake(shapes_reversed, "W's shape is reversed: with samples as rows, Z = X @ W needs W "
                                 "of shape (n_in, n_out), one row per input."),
        Mistake(shapes_bias_per_input, "the bias has one entry per neuron of the layer it belongs "
                                       "to, shape (n_out,), not one per input."),
    ],
)


# --- count_parameters ---------------------------------------------------------------------

def params_weights_only(layer_sizes):
    return sum(n_in * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))


def params_bias_on_inputs_too(layer_sizes):
    weights = sum(n_in * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
    return weights + sum(layer_sizes)


def params_neurons(layer_sizes):
    return sum(layer_sizes)


count_parameters = Exercise(
    name="count_parameters",
    reference=_ref_count_parameters,
    cases=_shapes_cases,
    mistakes=[
        Mistake(params_weights_only, "only the weights were counted; each layer also has n_out "
                                     "biases."),
        Mistake(params_bias_on_inputs_too, "the input layer got biases too; the inputs are just "
                                           "the data, so only the n_out neurons of each computing "
                                           "layer have a bias."),
        Mistake(params_neurons, "you counted neurons, not parameters; a layer has n_in * n_out "
                                "weights plus n_out biases."),
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
    uses=("dense", "layer_output"),
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
