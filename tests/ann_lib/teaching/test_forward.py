"""ann_lib.teaching.forward: the network diagram and the forward explorer."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from numpy.testing import assert_allclose

from ann_lib.teaching import forward

from .conftest import drawn


def my_forward(X, params, hidden_activation, output_activation):
    (W1, b1), (W2, b2) = params
    return output_activation(hidden_activation(X @ W1 + b1) @ W2 + b2)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("kwargs", [
    {},
    {"params": [(np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0]]), np.array([0.0, 0.5, 1.0])),
                (np.array([[2.0], [-2.0], [3.0]]), np.array([1.0]))],
     "X": np.array([1.0, 2.0]), "activations": [np.tanh, sigmoid]},
], ids=["bare", "with weights and a forward pass"])
def test_network_diagram_returns_a_figure(kwargs):
    assert isinstance(forward.network_diagram([2, 3, 1], **kwargs), Figure)


def test_forward_explorer_starts_on_xor_with_the_learners_forward(capsys):
    result, printed = drawn(capsys, forward.forward_explorer(my_forward))
    assert printed == "" and result.shape == (101, 101)
    grid = np.linspace(-0.5, 1.5, 101)
    corner = {v: int(np.argmin(abs(grid - v))) for v in (0.0, 1.0)}
    outputs = {(a, b): result[corner[b], corner[a]] for a in (0.0, 1.0) for b in (0.0, 1.0)}
    assert_allclose([outputs[0, 1], outputs[1, 0]], 0.993, atol=0.001)  # XOR true
    assert max(outputs[0, 0], outputs[1, 1]) < 0.01  # XOR false


def test_forward_explorer_says_the_function_is_not_written_yet(capsys):
    def not_written_yet(*args):
        raise NotImplementedError

    result, printed = drawn(capsys, forward.forward_explorer(not_written_yet))
    assert result is None
    assert "write `forward` above first" in printed
