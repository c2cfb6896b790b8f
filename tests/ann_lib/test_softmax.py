"""ann_lib.activations.softmax and ann_lib.losses.softmax_cross_entropy: against scikit-learn,
stable at +-1000, and gradients against centred differences."""

import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.special import softmax as scipy_softmax
from sklearn.metrics import log_loss

from ann_lib import activations, losses, preprocessing
from ann_lib.gradcheck import numerical_gradient

FAST = settings(max_examples=40, deadline=None)
LOGITS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
                    elements=st.floats(-1000, 1000))


def labelled(Z, seed=0):
    y = np.random.default_rng(seed).integers(0, Z.shape[1], size=len(Z))
    return y, preprocessing.one_hot(y, Z.shape[1])


@FAST
@given(LOGITS)
def test_softmax_rows_are_probabilities_that_keep_the_order_of_the_logits(Z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = activations.softmax(Z)
    assert P.shape == Z.shape and np.all((P >= 0) & (P <= 1))
    assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
    # a larger logit never gets a smaller probability (equal ones may round to equal)
    order = np.argsort(Z, axis=1, kind="stable")
    assert np.all(np.diff(np.take_along_axis(P, order, axis=1), axis=1) >= 0)


@FAST
@given(LOGITS, st.floats(-500, 500))
def test_softmax_does_not_change_when_a_row_is_shifted(Z, c):
    assert_allclose(activations.softmax(Z + c), activations.softmax(Z), atol=1e-12)


def test_softmax_matches_scipy_and_the_formula():
    Z = np.random.default_rng(0).normal(size=(7, 4)) * 3
    assert_allclose(activations.softmax(Z), scipy_softmax(Z, axis=1), rtol=1e-14)
    E = np.exp(Z)
    assert_allclose(activations.softmax(Z), E / E.sum(axis=1, keepdims=True), rtol=1e-14)


def test_softmax_at_plus_minus_1000_raises_no_floating_point_error():
    Z = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1001.0]])
    with np.errstate(all="raise", under="ignore"):
        P = activations.softmax(Z)
    assert_allclose(P[0], [1.0, 0.0, 0.0])
    assert_allclose(P[1], np.array([1, 1, np.exp(-1)]) / (2 + np.exp(-1)), rtol=1e-14)


def test_softmax_grad_is_the_numerical_jacobian():
    Z = np.random.default_rng(1).normal(size=(3, 4))
    J = activations.softmax_grad(Z)
    assert J.shape == (3, 4, 4)
    for i in range(3):
        for j in range(4):
            numeric = numerical_gradient(lambda z, j=j: activations.softmax(z[None])[0, j], Z[i])
            assert_allclose(J[i, j], numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("bad", [np.float64(3.0), np.zeros((2, 0)), "ab"])
def test_softmax_refuses_inputs_without_classes(bad):
    with pytest.raises(ValueError, match="Z"):
        activations.softmax(bad)


def test_cross_entropy_matches_sklearn_log_loss():
    Z = np.random.default_rng(2).normal(size=(30, 5)) * 2
    y, Y = labelled(Z)
    expected = log_loss(y, scipy_softmax(Z, axis=1), labels=range(5))
    assert losses.softmax_cross_entropy(Z, Y) == pytest.approx(expected, rel=1e-12)
    per_sample = losses.softmax_cross_entropy(Z, Y, reduction="none")
    assert per_sample.shape == (30,)
    assert_allclose(per_sample, -np.log(scipy_softmax(Z, axis=1)[np.arange(30), y]), rtol=1e-12)


@FAST
@given(LOGITS)
def test_cross_entropy_is_finite_and_non_negative_at_any_logits(Z):
    _, Y = labelled(Z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J = losses.softmax_cross_entropy(Z, Y, reduction="none")
        G = losses.softmax_cross_entropy_grad(Z, Y)
    assert np.all(np.isfinite(J)) and np.all(J >= 0)
    assert np.all(np.isfinite(G)) and G.shape == Z.shape
    assert_allclose(G.sum(axis=1), 0.0, atol=1e-12)  # P and Y rows both sum to 1


def test_cross_entropy_of_a_confident_wrong_row_is_its_margin():
    Z = np.array([[1000.0, -1000.0]])
    Y = np.array([[0.0, 1.0]])
    assert losses.softmax_cross_entropy(Z, Y) == pytest.approx(2000.0)
    assert_allclose(losses.softmax_cross_entropy_grad(Z, Y), [[1.0, -1.0]])


@pytest.mark.parametrize("seed", range(4))
def test_cross_entropy_grad_is_the_numerical_gradient(seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(5, 3)) * 2
    _, Y = labelled(Z, seed)
    numeric = numerical_gradient(lambda z: losses.softmax_cross_entropy(z, Y), Z)
    assert_allclose(losses.softmax_cross_entropy_grad(Z, Y), numeric, rtol=1e-6, atol=1e-9)
    P = activations.softmax(Z)
    assert_allclose(losses.softmax_cross_entropy_grad(Z, Y), (P - Y) / 5, rtol=1e-14)


def test_cross_entropy_says_to_one_hot_encode_labels_and_refuses_rows_that_are_not_probabilities():
    Z = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"one_hot"):
        losses.softmax_cross_entropy(Z, np.array([0, 1, 3]))
    with pytest.raises(ValueError, match="row 1 sums to 2"):
        losses.softmax_cross_entropy(Z, np.array([[1.0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1]]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.softmax_cross_entropy_grad(Z, np.array([[2.0, -1, 0, 0]] * 3))
    with pytest.raises(ValueError, match="2-D"):
        losses.softmax_cross_entropy(np.zeros(4), np.eye(4)[0])
