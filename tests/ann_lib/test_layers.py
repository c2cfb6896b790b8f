"""ann_lib.layers: dense and activation layers, forward and backward."""

import re

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ann_lib.activations import ACTIVATIONS
from ann_lib.gradcheck import numerical_gradient
from ann_lib.layers import activation_backward, activation_forward, dense_backward, dense_forward

FAST = settings(max_examples=30, deadline=None)
small = st.floats(-3, 3, allow_nan=False)


def test_dense_forward_matches_an_explicit_loop():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    Z, cache = dense_forward(X, W, b)
    expected = [
        [sum(X[i, k] * W[k, j] for k in range(3)) + b[j] for j in range(2)] for i in range(4)
    ]
    assert_allclose(Z, expected, rtol=1e-14)
    assert cache[0] is X and cache[1] is W


@FAST
@given(data=st.data(), n=st.integers(1, 4), n_in=st.integers(1, 4), n_out=st.integers(1, 4))
def test_dense_backward_matches_numerical_gradients(data, n, n_in, n_out):
    X = data.draw(hnp.arrays(np.float64, (n, n_in), elements=small))
    W = data.draw(hnp.arrays(np.float64, (n_in, n_out), elements=small))
    b = data.draw(hnp.arrays(np.float64, (n_out,), elements=small))
    G = data.draw(hnp.arrays(np.float64, (n, n_out), elements=small))  # upstream dZ
    # the cost sum(Z * G) has dCost/dZ = G
    cost_of = {
        "X": lambda v: np.sum(dense_forward(v, W, b)[0] * G),
        "W": lambda v: np.sum(dense_forward(X, v, b)[0] * G),
        "b": lambda v: np.sum(dense_forward(X, W, v)[0] * G),
    }
    dX, dW, db = dense_backward(G, dense_forward(X, W, b)[1])
    for name, analytic, point in (("X", dX, X), ("W", dW, W), ("b", db, b)):
        assert analytic.shape == point.shape
        assert_allclose(analytic, numerical_gradient(cost_of[name], point), rtol=1e-6, atol=1e-8)


def test_dense_backward_can_skip_the_input_gradient():
    X, W, b = np.ones((2, 3)), np.ones((3, 4)), np.zeros(4)
    dZ = np.arange(8.0).reshape(2, 4)
    dX, dW, db = dense_backward(dZ, dense_forward(X, W, b)[1], compute_dX=False)
    full = dense_backward(dZ, dense_forward(X, W, b)[1])
    assert dX is None
    assert_array_equal(dW, full[1])
    assert_array_equal(db, full[2])


@pytest.mark.parametrize(
    ("X", "W", "b", "message"),
    [
        (
            np.ones((5, 3)),
            np.ones((4, 2)),
            np.ones(2),
            "X has shape (5, 3) but W has shape (4, 2): X's 3 features must match W's 4 rows",
        ),
        (
            np.ones((5, 4)),
            np.ones((4, 2)),
            np.ones((1, 2)),
            "b has shape (1, 2) but W has shape (4, 2)",
        ),
        (np.ones(4), np.ones((4, 2)), np.ones(2), "got X of shape (4,) and W of shape (4, 2)"),
    ],
)
def test_dense_forward_shape_errors_name_the_shapes(X, W, b, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        dense_forward(X, W, b)


def test_dense_backward_rejects_a_gradient_of_the_wrong_shape():
    _, cache = dense_forward(np.ones((5, 3)), np.ones((3, 2)), np.zeros(2))
    with pytest.raises(
        ValueError, match=re.escape("dZ has shape (5, 3) but Z = X @ W + b has shape (5, 2)")
    ):
        dense_backward(np.ones((5, 3)), cache)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@FAST
@given(
    Z=hnp.arrays(np.float64, (3, 4), elements=small),
    G=hnp.arrays(np.float64, (3, 4), elements=small),
)
def test_activation_layer_backward_matches_numerical_gradient(name, Z, G):
    Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)  # keep away from the kinks at 0
    A, cache = activation_forward(Z, name)
    assert_array_equal(A, ACTIVATIONS[name][0](Z))
    numeric = numerical_gradient(lambda v: np.sum(activation_forward(v, name)[0] * G), Z)
    assert_allclose(activation_backward(G, cache), numeric, rtol=1e-6, atol=1e-8)


def test_activation_layer_errors():
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        activation_forward(np.ones(3), "softmax")
    _, cache = activation_forward(np.ones((2, 3)), "relu")
    with pytest.raises(ValueError, match=re.escape("dA has shape (3, 2) but Z has shape (2, 3)")):
        activation_backward(np.ones((3, 2)), cache)
