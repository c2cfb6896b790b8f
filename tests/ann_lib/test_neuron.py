"""ann_lib.neuron: the weighted sum and the output of a single neuron."""

import math
import re

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ann_lib import activations
from ann_lib.neuron import neuron_output, weighted_sum

FAST = settings(max_examples=50, deadline=None)
finite = st.floats(-1e3, 1e3, allow_nan=False)


def test_weighted_sum_of_one_sample_by_hand():
    # 1*0.5 + 2*(-1) + 3*2 + 0.5
    z = weighted_sum([1.0, 2.0, 3.0], [0.5, -1.0, 2.0], 0.5)
    assert z == 5.0
    assert np.ndim(z) == 0 and isinstance(z, float)


def test_weighted_sum_of_a_batch_gives_one_value_per_row():
    X = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]])
    assert_array_equal(weighted_sum(X, [0.5, -1.0, 2.0], 0.5), [5.0, -2.5])


@FAST
@given(data=st.data(), n_samples=st.integers(1, 6), n_features=st.integers(1, 6))
def test_weighted_sum_matches_an_explicit_loop(data, n_samples, n_features):
    X = data.draw(hnp.arrays(np.float64, (n_samples, n_features), elements=finite))
    w = data.draw(hnp.arrays(np.float64, (n_features,), elements=finite))
    b = data.draw(finite)
    expected = [math.fsum([*(xi * wi for xi, wi in zip(row, w)), b]) for row in X]
    assert_allclose(weighted_sum(X, w, b), expected, rtol=1e-9, atol=1e-6)
    assert_allclose(weighted_sum(X[0], w, b), expected[0], rtol=1e-9, atol=1e-6)


def test_integer_inputs_give_floats():
    assert weighted_sum(np.array([1, 2]), np.array([3, 4]), 1) == 12.0
    assert weighted_sum(np.array([[1, 2]]), [3, 4], 1).dtype == np.float64


def test_feature_mismatch_raises_value_error_naming_both_shapes():
    with pytest.raises(ValueError, match=re.escape("X has shape (5, 3) but w has shape (4,)")):
        weighted_sum(np.ones((5, 3)), np.ones(4), 0.0)
    with pytest.raises(ValueError, match=re.escape("x has shape (3,) but w has shape (2,)")):
        weighted_sum(np.ones(3), np.ones(2), 0.0)


@pytest.mark.parametrize(
    ("x", "w", "b", "shape"),
    [
        (np.ones(3), np.ones((3, 1)), 0.0, "(3, 1)"),  # w must be 1-D
        (np.ones(3), np.ones(3), np.ones(2), "(2,)"),  # b must be a scalar
        (np.ones((2, 2, 3)), np.ones(3), 0.0, "(2, 2, 3)"),  # x must be 1-D or 2-D
    ],
)
def test_wrong_dimensions_raise_value_error_naming_the_shape(x, w, b, shape):
    with pytest.raises(ValueError, match=re.escape(shape)):
        weighted_sum(x, w, b)


def test_neuron_output_applies_the_activation_to_the_weighted_sum():
    x, w, b = np.array([1.0, 2.0]), np.array([0.5, -0.25]), 0.1  # z = 0.1
    expected = 1 / (1 + math.exp(-0.1))
    assert neuron_output(x, w, b, activations.sigmoid) == pytest.approx(expected, rel=1e-15)
    assert neuron_output(x, w, b, "sigmoid") == pytest.approx(expected, rel=1e-15)
    assert neuron_output(x, w, b, np.tanh) == pytest.approx(math.tanh(0.1), rel=1e-15)


def test_neuron_output_on_a_batch():
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    out = neuron_output(X, [0.3, -0.7], 0.2, "relu")  # z = [-0.9, -0.45]
    assert_array_equal(out, [0.0, 0.0])
    out = neuron_output(X, [-0.3, 0.7], 0.2, "relu")  # z = [1.3, 0.85]
    assert_allclose(out, [1.3, 0.85], rtol=1e-15)


def test_step_neuron_fires_at_exactly_zero():
    assert neuron_output([1.0, 1.0], [1.0, -1.0], 0.0, "step") == 1.0
    assert neuron_output([1.0, 1.0], [1.0, -1.0], -1e-12, "step") == 0.0


def test_step_neuron_computes_and():
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    assert_array_equal(neuron_output(inputs, [1.0, 1.0], -1.5, "step"), [0.0, 0.0, 0.0, 1.0])


def test_unknown_activation_name_raises_value_error_listing_the_names():
    with pytest.raises(ValueError, match="unknown activation 'sigmod'.*'sigmoid'"):
        neuron_output([1.0], [1.0], 0.0, "sigmod")
