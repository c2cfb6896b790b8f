"""ann_lib.teaching.neuron: the bias-shift figure and the neuron explorer."""

import numpy as np
from matplotlib.figure import Figure
from numpy.testing import assert_allclose

from ann_lib.teaching import neuron

from .conftest import drawn


def my_neuron_output(X, w, b, activation):
    return activation(X @ w + b)


def not_written_yet(X, w, b, activation):
    raise NotImplementedError


def test_bias_shift_draws_one_curve_per_bias():
    fig = neuron.bias_shift(np.tanh, w=2.0, biases=(-1.0, 0.0, 1.0, 3.0))
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].get_legend().get_texts()) == 4


def test_neuron_explorer_draws_the_learners_neuron(capsys):
    result, printed = drawn(capsys, neuron.neuron_explorer(my_neuron_output))
    x = np.linspace(-6, 6, 241)
    assert_allclose(result, 1 / (1 + np.exp(-x)))  # defaults: w = 1, b = 0, sigmoid
    assert printed == ""


def test_neuron_explorer_says_the_function_is_not_written_yet(capsys):
    result, printed = drawn(capsys, neuron.neuron_explorer(not_written_yet))
    assert result is None
    assert "write `neuron_output` above first" in printed
    assert "this explorer draws your function" in printed


def test_neuron_explorer_redraws_when_a_slider_moves(capsys):
    explorer = neuron.neuron_explorer(my_neuron_output)
    explorer.children[1].value = 2.0  # the bias slider
    assert_allclose(explorer.result, 1 / (1 + np.exp(-(np.linspace(-6, 6, 241) + 2.0))))
