"""ann_lib.teaching.backprop: the computational graph and the tangent explorer."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from ann_lib.teaching import backprop

from .conftest import drawn


def my_neuron_gradients(x, y, w, b):
    a = 1 / (1 + np.exp(-(x @ w + b)))
    dz = 2 * (a - y) * a * (1 - a)
    return dz * x, dz


def test_neuron_graph_returns_a_figure():
    fig = backprop.neuron_graph(x=np.array([1.5, -0.5]), w=np.array([0.8, 0.4]), b=0.1, y=1.0)
    assert isinstance(fig, Figure)


def test_tangent_explorer_draws_the_learners_slope(capsys):
    result, printed = drawn(capsys, backprop.tangent_explorer(my_neuron_gradients))
    a = 1 / (1 + np.exp(-(1.5 * -1.0 - 0.25)))  # w1 = -1 at start, w2 = 0.5, b = 0
    assert result == pytest.approx(2 * (a - 1) * a * (1 - a) * 1.5)
    assert printed == ""


def test_tangent_explorer_says_the_function_is_not_written_yet(capsys):
    result, printed = drawn(capsys, backprop.tangent_explorer(None))
    assert result is None
    assert "write `neuron_gradients` above first" in printed


def test_tangent_explorer_reports_a_gradient_of_the_wrong_kind(capsys):
    result, printed = drawn(capsys, backprop.tangent_explorer(lambda x, y, w, b: None))
    assert result is None
    assert "your `neuron_gradients` returned NoneType" in printed
