"""ann_lib.regularization: the L2 penalty against its formula and numerical gradients, and
inverted dropout's masks, scaling and modes."""

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ann_lib import regularization as reg
from ann_lib.gradcheck import numerical_gradient


def network(seed=0, sizes=(3, 4, 2)):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes[:-1], sizes[1:])]


def test_l2_penalty_is_lambda_over_2n_times_the_squared_weights_without_biases():
    params = [(np.array([[1.0, -2.0]]), np.array([100.0, 100.0])), (np.array([[3.0], [0.0]]),
                                                                     np.array([-7.0]))]
    # ||W1||^2 + ||W2||^2 = 1 + 4 + 9 = 14; lam / (2 n) = 0.5 / 10
    assert reg.l2_penalty(params, 0.5, 5) == pytest.approx(14 * 0.05)
    assert reg.l2_penalty(params, 0.0, 5) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_l2_penalty_grad_is_the_numerical_gradient_and_leaves_biases_alone(seed):
    params = network(seed, (4, 3, 3, 2))
    grads = reg.l2_penalty_grad(params, 0.7, 6)
    assert len(grads) == len(params)
    for k, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
        def penalty_of_W(P, k=k, b=b):
            return reg.l2_penalty(params[:k] + [(P, b)] + params[k + 1:], 0.7, 6)

        assert_allclose(dW, numerical_gradient(penalty_of_W, W), rtol=1e-6, atol=1e-9)
        assert_array_equal(db, np.zeros_like(b))
        assert_allclose(dW, 0.7 / 6 * W)


@pytest.mark.parametrize(("lam", "n"), [(-1.0, 3), (np.nan, 3), (1.0, 0), (1.0, 2.5), (True, 3)])
def test_l2_refuses_a_negative_strength_or_a_sample_count_that_is_not_a_count(lam, n):
    with pytest.raises(ValueError, match="lam|n_samples"):
        reg.l2_penalty(network(), lam, n)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=8),
                  elements=st.floats(-1000, 1000)),
       st.floats(0.05, 1.0), st.integers(0, 2**32 - 1))
def test_dropout_keeps_or_zeroes_each_unit_and_scales_the_kept_ones(A, keep_prob, seed):
    out, mask = reg.dropout_forward(A, keep_prob, np.random.default_rng(seed))
    assert mask.shape == A.shape and mask.dtype == bool
    expected_mask = np.random.default_rng(seed).random(A.shape) < keep_prob
    assert_array_equal(mask, expected_mask)
    assert_allclose(out, np.where(mask, A / keep_prob, 0.0), rtol=1e-15)
    dA = np.ones_like(A)
    assert_allclose(reg.dropout_backward(dA, mask, keep_prob), np.where(mask, 1 / keep_prob, 0))


def test_dropout_keeps_each_unit_with_probability_keep_prob_and_the_mean_unchanged():
    A = np.full((400, 500), 2.0)
    out, mask = reg.dropout_forward(A, 0.8, np.random.default_rng(0))
    assert mask.mean() == pytest.approx(0.8, abs=0.005)
    assert out.mean() == pytest.approx(2.0, rel=0.01)
    assert set(np.unique(out)) == {0.0, 2.0 / 0.8}


def test_dropout_in_evaluation_draws_nothing_and_changes_nothing():
    A = np.arange(6.0).reshape(2, 3)
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    out, mask = reg.dropout_forward(A, 0.5, rng, training=False)
    assert_array_equal(out, A)
    assert out is not A
    assert mask.all()
    assert rng.bit_generator.state == state


def test_dropout_draws_from_the_rng_passed_in_even_with_keep_prob_1():
    rng = np.random.default_rng(3)
    out, mask = reg.dropout_forward(np.ones((2, 2)), 1.0, rng)
    assert mask.all() and np.array_equal(out, np.ones((2, 2)))
    assert rng.random() == np.random.default_rng(3).random(5)[4]


def test_dropout_backward_is_the_numerical_gradient_of_the_forward_with_its_mask():
    A = np.random.default_rng(1).normal(size=(3, 4))
    out, mask = reg.dropout_forward(A, 0.6, np.random.default_rng(2))
    G = np.random.default_rng(3).normal(size=(3, 4))

    def cost(a):
        return float(np.sum(G * reg.dropout_forward(a, 0.6, np.random.default_rng(2))[0]))

    assert_allclose(reg.dropout_backward(G, mask, 0.6), numerical_gradient(cost, A), atol=1e-8)


@pytest.mark.parametrize("keep_prob", [0.0, 1.5, -0.2, "0.5"])
def test_dropout_refuses_a_keep_prob_outside_0_1(keep_prob):
    with pytest.raises(ValueError, match="keep_prob"):
        reg.dropout_forward(np.ones((2, 2)), keep_prob, np.random.default_rng(0))


def test_dropout_refuses_a_missing_rng_and_a_mask_of_another_shape():
    with pytest.raises(ValueError, match="numpy.random.Generator"):
        reg.dropout_forward(np.ones((2, 2)), 0.5, 42)
    with pytest.raises(ValueError, match=r"mask has shape \(2, 3\)"):
        reg.dropout_backward(np.ones((2, 2)), np.ones((2, 3), dtype=bool), 0.5)
