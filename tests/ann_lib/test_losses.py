"""ann_lib.losses against scikit-learn metrics and explicit per-element formulas."""

import math
import re
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import metrics

from ann_lib import losses
from ann_lib.gradcheck import numerical_gradient

FAST = settings(max_examples=40, deadline=None)
RNG = np.random.default_rng(0)


def regression_pair(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape) * 3, rng.normal(size=shape) * 3


# --- against scikit-learn ---------------------------------------------------------------


@pytest.mark.parametrize("shape", [(20,), (15, 3)])
def test_mse_mae_and_quantile_match_sklearn(shape):
    y, p = regression_pair(shape)
    assert losses.mse(y, p) == pytest.approx(metrics.mean_squared_error(y, p), rel=1e-14)
    assert losses.mae(y, p) == pytest.approx(metrics.mean_absolute_error(y, p), rel=1e-14)
    for q in (0.1, 0.5, 0.9):
        expected = metrics.mean_pinball_loss(y, p, alpha=q)
        assert losses.quantile(y, p, q=q) == pytest.approx(expected, rel=1e-14)


def test_binary_cross_entropy_matches_sklearn_log_loss():
    y = RNG.integers(0, 2, size=30)
    p = RNG.uniform(0.01, 0.99, size=30)
    expected = metrics.log_loss(y, p, labels=[0, 1])
    assert losses.binary_cross_entropy(y, p) == pytest.approx(expected, rel=1e-13)


def test_hinge_matches_sklearn_hinge_loss():
    y = RNG.choice([-1, 1], size=30)
    s = RNG.normal(size=30) * 2
    assert losses.hinge(y, s) == pytest.approx(metrics.hinge_loss(y, s), rel=1e-14)


# --- against explicit per-element formulas ------------------------------------------------


def elementwise(f, y, p):
    return np.array([f(t, q) for t, q in zip(y.ravel(), p.ravel())]).reshape(y.shape)


def ref_huber(t, p, delta=1.0):
    r = t - p
    return 0.5 * r * r if abs(r) <= delta else delta * (abs(r) - 0.5 * delta)


def ref_bce_logits(t, z):
    s = 1 / (1 + math.exp(-z))
    return -(t * math.log(s) + (1 - t) * math.log(1 - s))


REFERENCES = {  # name: (per-element formula in plain Python, keyword arguments)
    "mse": (lambda t, p: (t - p) ** 2, {}),
    "mae": (lambda t, p: abs(t - p), {}),
    "huber": (lambda t, p: ref_huber(t, p, 1.5), {"delta": 1.5}),
    "log_cosh": (lambda t, p: math.log(math.cosh(t - p)), {}),
    "quantile": (lambda t, p: max(0.3 * (t - p), (0.3 - 1) * (t - p)), {"q": 0.3}),
    "epsilon_insensitive": (lambda t, p: max(0.0, abs(t - p) - 0.5), {"epsilon": 0.5}),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
@pytest.mark.parametrize("shape", [(12,), (4, 3)])
def test_regression_losses_match_explicit_formula(name, shape):
    ref, kwargs = REFERENCES[name]
    loss, _ = losses.LOSSES[name]
    y, p = regression_pair(shape, seed=3)
    expected = elementwise(ref, y, p)
    assert_allclose(loss(y, p, **kwargs, reduction="none"), expected, rtol=1e-13, atol=1e-15)
    assert loss(y, p, **kwargs) == pytest.approx(math.fsum(expected.ravel()) / y.size, rel=1e-13)


def test_classification_losses_match_explicit_formula():
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    z = np.array([-2.0, 0.5, 3.0, 1.5, -0.7])
    p = 1 / (1 + np.exp(-z))
    expected = elementwise(ref_bce_logits, y, z)
    assert_allclose(
        losses.binary_cross_entropy_with_logits(y, z, reduction="none"), expected, rtol=1e-13
    )
    assert_allclose(losses.binary_cross_entropy(y, p, reduction="none"), expected, rtol=1e-12)
    signed = 2 * y - 1
    expected_hinge = [max(0.0, 1 - t * s) for t, s in zip(signed, z)]
    assert_allclose(losses.hinge(signed, z, reduction="none"), expected_hinge, rtol=1e-15)


def test_hand_computed_values():
    assert losses.mse([1.0, 2.0], [3.0, 2.0]) == 2.0  # (4 + 0) / 2
    assert losses.mae([1.0, 2.0], [3.0, 2.0]) == 1.0
    assert losses.huber([0.0, 0.0], [0.5, 3.0]) == pytest.approx((0.125 + 2.5) / 2)
    assert losses.quantile([0.0, 0.0], [-1.0, 1.0], q=0.9) == pytest.approx((0.9 + 0.1) / 2)
    assert losses.epsilon_insensitive([0.0, 0.0], [0.5, -3.0], epsilon=1.0) == 1.0
    assert losses.hinge([1, -1, 1], [2.0, 0.5, -1.0]) == pytest.approx((0.0 + 1.5 + 2.0) / 3)


def test_two_dimensional_targets_mean_over_all_elements():
    y, p = regression_pair((6, 3))
    per_element = losses.mse(y, p, reduction="none")
    assert per_element.shape == (6, 3)
    per_sample = per_element.mean(axis=1)  # per-sample mean over outputs, then over samples
    assert losses.mse(y, p) == pytest.approx(per_sample.mean(), rel=1e-14)


# --- gradients -----------------------------------------------------------------------------


def kink_distance(name, y, p, kwargs):
    """Distance of the residuals (or margins) from the loss's kinks; inf if smooth."""
    r = y - p
    if name in ("mae", "quantile"):
        return np.min(np.abs(r))
    if name == "huber":
        return np.min(np.abs(np.abs(r) - kwargs["delta"]))
    if name == "epsilon_insensitive":
        return np.min(np.abs(np.abs(r) - kwargs["epsilon"]))
    return np.inf


@pytest.mark.parametrize("name", sorted(REFERENCES))
@FAST
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
def test_regression_gradient_matches_numerical_gradient(name, data, shape):
    elements = st.floats(-10, 10, allow_nan=False)
    y = data.draw(hnp.arrays(np.float64, shape, elements=elements))
    p = data.draw(hnp.arrays(np.float64, shape, elements=elements))
    loss, grad = losses.LOSSES[name]
    kwargs = REFERENCES[name][1]
    assume(kink_distance(name, y, p, kwargs) > 1e-3)
    numeric = numerical_gradient(lambda v: loss(y, v, **kwargs), p)
    assert_allclose(grad(y, p, **kwargs), numeric, rtol=1e-6, atol=1e-9)


@FAST
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
def test_classification_gradients_match_numerical_gradient(data, shape):
    y = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    z = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-8, 8)))
    numeric = numerical_gradient(lambda v: losses.binary_cross_entropy_with_logits(y, v), z)
    assert_allclose(
        losses.binary_cross_entropy_with_logits_grad(y, z), numeric, rtol=1e-6, atol=1e-9
    )
    p = 1 / (1 + np.exp(-z))
    numeric = numerical_gradient(lambda v: losses.binary_cross_entropy(y, v), p, eps=1e-8)
    assert_allclose(losses.binary_cross_entropy_grad(y, p), numeric, rtol=1e-5, atol=1e-9)
    signed = 2 * y - 1
    assume(np.min(np.abs(signed * z - 1)) > 1e-3)
    numeric = numerical_gradient(lambda v: losses.hinge(signed, v), z)
    assert_allclose(losses.hinge_grad(signed, z), numeric, rtol=1e-6, atol=1e-9)


def test_gradient_is_of_the_mean_so_includes_one_over_n():
    y, p = np.zeros(4), np.array([1.0, -2.0, 0.0, 3.0])
    assert_array_equal(losses.mse_grad(y, p), [0.5, -1.0, 0.0, 1.5])  # 2 * (p - y) / 4
    assert_array_equal(losses.mae_grad(y, p), [0.25, -0.25, 0.0, 0.25])


def test_documented_subgradients_at_the_kinks():
    n = 4
    y = np.zeros(n)
    assert_array_equal(losses.mae_grad(y, np.zeros(n)), 0.0)
    assert_array_equal(losses.quantile_grad(y, np.zeros(n), q=0.3), -0.3 / n)  # r >= 0 branch
    assert_array_equal(losses.epsilon_insensitive_grad(y, np.full(n, 2.0), epsilon=2.0), 0.0)
    assert_array_equal(losses.hinge_grad(np.ones(n), np.ones(n)), 0.0)  # on the margin
    # r = -delta: the quadratic and the linear piece agree, both give -clip(r) / n
    assert_array_equal(losses.huber_grad(y, np.full(n, 2.0), delta=2.0), 2.0 / n)


# --- stability -------------------------------------------------------------------------------


def test_stable_at_huge_residuals_and_logits():
    y = np.array([0.0, 1.0, 0.0, 1.0])
    z = np.array([1000.0, -1000.0, -1000.0, 1000.0])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        bce = losses.binary_cross_entropy_with_logits(y, z, reduction="none")
        bce_grad = losses.binary_cross_entropy_with_logits_grad(y, z)
        lc = losses.log_cosh(np.zeros(2), np.array([1000.0, -800.0]), reduction="none")
        lc_grad = losses.log_cosh_grad(np.zeros(2), np.array([1000.0, -800.0]))
        clipped = losses.binary_cross_entropy([1.0, 0.0], [0.0, 1.0], reduction="none")
        clipped_grad = losses.binary_cross_entropy_grad([1.0, 0.0], [0.0, 1.0])
    assert_array_equal(bce, [1000.0, 1000.0, 0.0, 0.0])
    assert_array_equal(bce_grad, [0.25, -0.25, 0.0, 0.0])
    assert_allclose(lc, [1000 - math.log(2), 800 - math.log(2)], rtol=1e-15)
    assert_array_equal(lc_grad, [0.5, -0.5])
    # p = 0 is clipped to 1e-12 and p = 1 to 1 - 1e-12 (which float64 rounds)
    assert_allclose(clipped, [-math.log(1e-12), -math.log(1 - (1 - 1e-12))], rtol=1e-15)
    assert np.all(np.isfinite(clipped_grad))


def test_losses_compute_in_float64():
    y, p = np.float32([0.0, 1.0]), np.float32([0.25, 0.5])
    assert losses.binary_cross_entropy(y, p).dtype == np.float64
    assert losses.mse_grad(y, p).dtype == np.float64


# --- arguments -----------------------------------------------------------------------------


def test_loss_table_pairs_each_loss_with_its_gradient():
    for name, (loss, grad) in losses.LOSSES.items():
        assert loss is getattr(losses, name) and grad is getattr(losses, name + "_grad")
    assert {
        "mse",
        "mae",
        "huber",
        "log_cosh",
        "quantile",
        "epsilon_insensitive",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "hinge",
    } <= set(losses.LOSSES)


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_shape_mismatch_raises_value_error_naming_both_shapes(name):
    loss, grad = losses.LOSSES[name]
    y, p = np.ones(5), np.full((5, 1), 0.5)
    expected = re.escape("y_true has shape (5,) but ")
    with pytest.raises(ValueError, match=expected + r"(y_pred|logits) has shape \(5, 1\)"):
        loss(y, p)
    with pytest.raises(ValueError, match=expected):
        grad(y, p)


def test_reduction_none_gives_per_element_losses_and_bad_reduction_raises():
    y, p = regression_pair((3, 2))
    assert losses.huber(y, p, reduction="none").shape == (3, 2)
    with pytest.raises(ValueError, match='"mean" or "none"'):
        losses.mse(y, p, reduction="sum")


def test_hinge_with_zero_one_labels_raises_and_says_how_to_map_them():
    with pytest.raises(ValueError, match=re.escape("got labels {0, 1}; map 0 -> -1")):
        losses.hinge([0, 1, 1], [0.5, -0.2, 2.0])
    with pytest.raises(ValueError, match="-1/\\+1"):
        losses.hinge_grad([2, 1], [0.5, -0.2])


def test_binary_cross_entropy_rejects_scores_outside_0_1():
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits"):
        losses.binary_cross_entropy([0, 1], [-0.5, 2.0])
    with pytest.raises(ValueError, match="y_true must lie in"):
        losses.binary_cross_entropy_with_logits([-1, 1], [0.5, 0.5])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: losses.huber([0.0], [1.0], delta=0.0), "delta must be > 0"),
        (lambda: losses.quantile([0.0], [1.0], q=1.5), r"q must be in \[0, 1\]"),
        (lambda: losses.epsilon_insensitive([0.0], [1.0], epsilon=-1), "epsilon must be >= 0"),
    ],
)
def test_invalid_parameters_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
