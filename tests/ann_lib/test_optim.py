"""ann_lib.optim: update rules, mini-batches, descent paths."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from ann_lib.optim import gradient_descent, gradient_descent_step, minibatches, momentum_step


def two_layer_params():
    return [
        (np.array([[1.0, 2.0]]), np.array([0.5, -0.5])),
        (np.array([[3.0], [4.0]]), np.array([1.0])),
    ]


def two_layer_grads():
    return [
        (np.array([[10.0, -10.0]]), np.array([1.0, 2.0])),
        (np.array([[0.0], [5.0]]), np.array([-2.0])),
    ]


def test_gradient_descent_step_by_hand_keeps_structure_and_inputs():
    params, grads = two_layer_params(), two_layer_grads()
    new = gradient_descent_step(params, grads, learning_rate=0.1)
    assert isinstance(new, list) and all(isinstance(layer, tuple) for layer in new)
    assert_allclose(new[0][0], [[0.0, 3.0]])
    assert_allclose(new[0][1], [0.4, -0.7])
    assert_allclose(new[1][0], [[3.0], [3.5]])
    assert_allclose(new[1][1], [1.2])
    for (p, q), (p0, q0) in zip(params, two_layer_params()):  # inputs untouched
        assert_array_equal(p, p0)
        assert_array_equal(q, q0)


def test_gradient_descent_step_on_a_single_array():
    assert_array_equal(
        gradient_descent_step(np.array([1.0, 2.0]), np.array([4.0, -4.0]), 0.25), [0.0, 3.0]
    )


def test_momentum_step_by_hand_over_two_steps():
    p, g = np.array([1.0]), np.array([2.0])
    p1, v1 = momentum_step(p, g, None, learning_rate=0.1, beta=0.9)
    assert_allclose(v1, [-0.2])
    assert_allclose(p1, [0.8])
    p2, v2 = momentum_step(p1, g, v1, learning_rate=0.1, beta=0.9)
    assert_allclose(v2, [0.9 * -0.2 - 0.2])
    assert_allclose(p2, [0.8 - 0.38])
    assert_array_equal(p, [1.0])  # not modified


def test_momentum_with_beta_0_is_plain_gradient_descent():
    params, grads = two_layer_params(), two_layer_grads()
    velocity = [(np.ones((1, 2)), np.ones(2)), (np.ones((2, 1)), np.ones(1))]
    new, _ = momentum_step(params, grads, velocity, 0.1, beta=0.0)
    expected = gradient_descent_step(params, grads, 0.1)
    for (W, b), (W0, b0) in zip(new, expected):
        assert_array_equal(W, W0)
        assert_array_equal(b, b0)


def test_gradient_descent_step_in_place_updates_the_given_arrays_by_hand():
    params = two_layer_params()
    arrays = [array for layer in params for array in layer]
    assert gradient_descent_step(params, two_layer_grads(), 0.1, inplace=True) is params
    assert all(a is b for a, b in zip(arrays, [array for layer in params for array in layer]))
    assert_allclose(params[0][0], [[0.0, 3.0]])
    assert_allclose(params[0][1], [0.4, -0.7])
    assert_allclose(params[1][0], [[3.0], [3.5]])
    assert_allclose(params[1][1], [1.2])


def test_momentum_step_in_place_over_two_steps_by_hand():
    p, v, g = np.array([1.0]), np.zeros(1), np.array([2.0])
    assert momentum_step(p, g, v, 0.1, beta=0.9, inplace=True) == (p, v)
    assert_allclose(v, [-0.2])
    assert_allclose(p, [0.8])
    momentum_step(p, g, v, 0.1, beta=0.9, inplace=True)
    assert_allclose(v, [0.9 * -0.2 - 0.2])
    assert_allclose(p, [0.8 - 0.38])


def test_in_place_steps_refuse_what_they_cannot_update():
    with pytest.raises(ValueError, match="params in place: .* got float"):
        gradient_descent_step(1.0, 2.0, 0.1, inplace=True)
    params = [(np.ones(2), np.ones(1)), (np.ones(2), np.arange(1))]  # the last entry is not float
    with pytest.raises(ValueError, match="got ndarray of dtype int64"):
        gradient_descent_step(params, [(np.ones(2), np.ones(1))] * 2, 0.1, inplace=True)
    assert_array_equal(params[0][0], [1.0, 1.0])  # a bad entry changes nothing
    with pytest.raises(ValueError, match="got ndarray of dtype int64"):
        gradient_descent_step(np.arange(2), np.ones(2), 0.1, inplace=True)
    with pytest.raises(ValueError, match="velocity in place: .* got ndarray of dtype int64"):
        momentum_step(np.ones(2), np.ones(2), np.zeros(2, dtype=np.int64), 0.1, inplace=True)
    with pytest.raises(ValueError, match="needs the velocity arrays"):
        momentum_step(np.ones(2), np.ones(2), None, 0.1, inplace=True)


def test_mismatched_shapes_or_structure_raise_value_error():
    with pytest.raises(ValueError, match=re.escape("shape (2,) but grads entry has shape (1, 2)")):
        gradient_descent_step(np.ones(2), np.ones((1, 2)), 0.1)
    with pytest.raises(ValueError, match="a list or tuple of 2 entries"):
        gradient_descent_step(two_layer_params(), two_layer_grads()[:1], 0.1)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), batch_size=st.integers(1, 45), seed=st.integers(0, 10))
def test_minibatches_cover_every_sample_exactly_once(n, batch_size, seed):
    X = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n) * 10
    batches = list(minibatches(X, y, batch_size, np.random.default_rng(seed)))
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == y.tolist()
    for Xb, yb in batches:
        assert_array_equal(Xb[:, 0] // 2 * 10, yb)  # rows stay paired
    sizes = [len(yb) for _, yb in batches]
    assert all(s == batch_size for s in sizes[:-1]) and 1 <= sizes[-1] <= batch_size


def test_minibatches_are_shuffled_deterministically_by_the_seed():
    X, y = np.arange(100.0).reshape(50, 2), np.arange(50)
    first = np.concatenate([yb for _, yb in minibatches(X, y, 8, 0)])
    again = np.concatenate([yb for _, yb in minibatches(X, y, 8, 0)])
    other = np.concatenate([yb for _, yb in minibatches(X, y, 8, 1)])
    assert_array_equal(first, again)
    assert not np.array_equal(first, y) and not np.array_equal(first, other)


def test_full_batch_and_stochastic_batches():
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    for batch_size in (None, 5, 99):
        ((Xb, yb),) = minibatches(X, y, batch_size, 0)
        assert_array_equal(Xb, X)
        assert_array_equal(yb, y)
    assert [len(yb) for _, yb in minibatches(X, y, 1, 0)] == [1] * 5


def test_minibatches_shuffle_into_the_given_buffers_in_the_same_order():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    out = (np.empty_like(X), np.empty_like(y))
    copied = list(minibatches(X, y, 4, 3))
    reused = list(minibatches(X, y, 4, 3, out=out))
    for (Xc, yc), (Xr, yr) in zip(copied, reused, strict=True):
        assert_array_equal(Xr, Xc)
        assert_array_equal(yr, yc)
        assert np.shares_memory(Xr, out[0]) and np.shares_memory(yr, out[1])
    with pytest.raises(ValueError, match=re.escape("y is int64 of shape (10,), its buffer float64")):
        next(minibatches(X, y, 4, 3, out=(out[0], np.empty(10))))


def test_minibatches_reject_bad_arguments():
    with pytest.raises(ValueError, match=r"\(5, 2\).*\(4,\)"):
        list(minibatches(np.ones((5, 2)), np.ones(4), 2, 0))
    for bad in (0, -3, 2.5):
        with pytest.raises(ValueError, match="batch_size"):
            list(minibatches(np.ones((5, 2)), np.ones(5), bad, 0))


def test_gradient_descent_on_a_quadratic_follows_the_closed_form():
    # f(x) = (a1 x1^2 + a2 x2^2) / 2, so x_t = (1 - lr * a)^t * x0 coordinate-wise
    a = np.array([1.0, 10.0])
    path = gradient_descent(lambda x: a * x, [1.0, 1.0], learning_rate=0.05, n_steps=20)
    assert path.shape == (21, 2)
    assert_array_equal(path[0], [1.0, 1.0])
    t = np.arange(21)[:, None]
    assert_allclose(path, (1 - 0.05 * a) ** t, rtol=1e-12)


def test_gradient_descent_with_momentum_by_hand_and_zero_momentum_matches_plain():
    grad = lambda x: 2 * x  # noqa: E731  (f = x^2)
    path = gradient_descent(grad, [1.0], learning_rate=0.1, n_steps=2, momentum=0.5)
    # v1 = -0.2, x1 = 0.8; v2 = 0.5 * -0.2 - 0.16 = -0.26, x2 = 0.54
    assert_allclose(path[:, 0], [1.0, 0.8, 0.54], rtol=1e-14)
    plain = gradient_descent(grad, [1.0], 0.1, 5)
    assert_array_equal(gradient_descent(grad, [1.0], 0.1, 5, momentum=0.0), plain)
    assert_allclose(plain[:, 0], 0.8 ** np.arange(6), rtol=1e-14)


def test_gradient_descent_checks_shapes():
    with pytest.raises(ValueError, match=r"x0 must be 1-D.*\(2, 1\)"):
        gradient_descent(lambda x: x, np.ones((2, 1)), 0.1, 3)
    with pytest.raises(ValueError, match=r"\(3,\) but x has shape \(2,\)"):
        gradient_descent(lambda x: np.ones(3), np.ones(2), 0.1, 3)


# --- least_squares_descent and fit_line (the lessons' figures train with these) --------------

def test_least_squares_descent_takes_the_stated_fraction_of_the_stability_limit():
    from ann_lib.optim import least_squares_descent

    # X = I (n = 2): the Hessian 2/n X^T X is I, the limit 2 / 1; a quarter of it is 0.5, and
    # each step halves the distance to the solution w = y: w_t = y (1 - 0.5**t)
    y = np.array([1.0, 2.0])
    path, learning_rate = least_squares_descent(np.eye(2), y, n_steps=5, lr_fraction=0.25)
    assert learning_rate == pytest.approx(0.5)
    assert_allclose(path, y * (1 - 0.5 ** np.arange(6))[:, None])


@pytest.mark.parametrize("X, y, kwargs, message", [
    (np.eye(2), np.ones(3), {}, r"got shapes \(2, 2\) and \(3,\)"),
    (np.eye(2), np.ones(2), {"lr_fraction": 0.0}, "lr_fraction must be positive"),
    (np.zeros((2, 2)), np.ones(2), {}, "X is all zeros"),
])
def test_least_squares_descent_rejects_bad_input(X, y, kwargs, message):
    from ann_lib.optim import least_squares_descent

    with pytest.raises(ValueError, match=message):
        least_squares_descent(X, y, n_steps=3, **kwargs)


def test_fit_line_under_squared_error_is_the_least_squares_line():
    from ann_lib.losses import mse_grad
    from ann_lib.optim import fit_line

    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    y = np.array([1.0, 2.0, 2.0, 5.0, 30.0])
    assert_allclose(fit_line(x, y, mse_grad), np.polyfit(x, y, 1))


def test_fit_line_under_absolute_error_ignores_one_outlier():
    from ann_lib.losses import mae_grad, mse_grad
    from ann_lib.optim import fit_line

    x = np.arange(9.0)
    y = 2.0 * x + 1.0
    y[4] += 40.0  # one outlier: the line through the eight others is the L1 line
    slope, intercept = fit_line(x, y, mae_grad)
    assert slope == pytest.approx(2.0, abs=1e-4)
    assert intercept == pytest.approx(1.0, abs=1e-4)
    assert fit_line(x, y, mse_grad)[1] > 5.0  # the squared error is pulled up by 40 / 9


def test_fit_line_rejects_x_and_y_of_different_lengths():
    from ann_lib.losses import mse_grad
    from ann_lib.optim import fit_line

    with pytest.raises(ValueError, match=r"got shapes \(3,\) and \(2,\)"):
        fit_line(np.ones(3), np.ones(2), mse_grad)


# --- descent loops: linear_regression_descent --------------------------------------------

def _identical_samples(n, x=1.0, target=2.0):
    """n copies of the sample x -> target: every batch then has the same mean gradient."""
    return np.full((n, 1), x), np.full(n, target)


def test_linear_regression_descent_by_hand_on_identical_samples():
    from ann_lib.optim import linear_regression_descent

    # x = 1, y = 2: with s = w + b each gradient is 2 (s - 2), so one step of 0.125 moves s by
    # 0.5 (2 - s). Batches of 2 and 1 (n = 3): s = 0 -> 1 -> 1.5 | -> 1.75 -> 1.875
    w, b, history = linear_regression_descent(*_identical_samples(3), 0.125, 2, 2, 0)
    assert_allclose(w, [0.9375], rtol=1e-14)
    assert b == pytest.approx(0.9375, rel=1e-14) and isinstance(b, float)
    assert_allclose(history, [0.25, 0.015625], rtol=1e-14)


def test_linear_regression_descent_with_momentum_by_hand():
    from ann_lib.optim import linear_regression_descent

    # one batch of both samples, beta 0.5: v = 0.125 * 4 = 0.5, s = 1; v = 0.25 + 0.25, s = 2
    w, b, history = linear_regression_descent(*_identical_samples(2), 0.125, 2, None, 0,
                                              momentum=0.5)
    assert_allclose(w, [1.0], rtol=1e-14)
    assert b == pytest.approx(1.0, rel=1e-14)
    assert_allclose(history, [1.0, 0.0], atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 12), batch_size=st.integers(1, 15), epochs=st.integers(0, 4),
       learning_rate=st.floats(0.01, 0.2))
def test_linear_regression_descent_steps_once_per_batch_remainder_included(
        n, batch_size, epochs, learning_rate):
    from ann_lib.optim import linear_regression_descent

    # identical samples x = 1, y = 2: each step multiplies 2 - s by (1 - 4 lr), and an epoch
    # makes ceil(n / batch_size) steps; the cost after epoch e is (2 - s)**2
    w, b, history = linear_regression_descent(*_identical_samples(n), learning_rate, epochs,
                                              batch_size, 0)
    steps = -(-n // batch_size) * np.arange(1, epochs + 1)
    assert history.shape == (epochs,)
    assert_allclose(history, (2 * (1 - 4 * learning_rate) ** steps) ** 2, rtol=1e-9, atol=1e-15)
    assert_allclose(w[0] + b, 2 - 2 * (1 - 4 * learning_rate) ** (steps[-1] if epochs else 0))


@pytest.mark.parametrize("momentum", [0.0, 0.7])
def test_batch_linear_regression_descent_follows_gradient_descent_on_w_and_b(momentum):
    from ann_lib.optim import linear_regression_descent

    # with one batch the loop is gradient descent on theta = (w, b) of the full-data cost
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(9, 2)), rng.normal(size=9)
    A = np.column_stack([X, np.ones(9)])
    path = gradient_descent(lambda t: 2 / 9 * A.T @ (A @ t - y), np.zeros(3), 0.05, 6,
                            momentum=momentum)
    w, b, history = linear_regression_descent(X, y, 0.05, 6, 9, rng, momentum=momentum)
    assert_allclose(np.append(w, b), path[-1], rtol=1e-12)
    assert_allclose(history, np.mean((path[1:] @ A.T - y) ** 2, axis=1), rtol=1e-12)


def test_linear_regression_descent_draws_one_permutation_per_epoch_and_is_reproducible():
    from ann_lib.optim import linear_regression_descent

    X, y = np.random.default_rng(0).normal(size=(10, 2)), np.arange(10.0)
    X0, y0 = X.copy(), y.copy()
    rng, twin = np.random.default_rng(3), np.random.default_rng(3)
    first = linear_regression_descent(X, y, 0.05, 3, 4, rng)
    for _ in range(3):
        twin.permutation(10)
    assert rng.random() == twin.random()
    again = linear_regression_descent(X, y, 0.05, 3, 4, 3)
    for a, b in zip(first, again, strict=True):
        assert_array_equal(a, b)
    assert_array_equal(X, X0)
    assert_array_equal(y, y0)
    # another order of the batches gives other parameters (the order is drawn, not fixed)
    other = linear_regression_descent(X, y, 0.05, 3, 4, 4)
    assert not np.allclose(first[0], other[0])


def test_minibatch_and_stochastic_descent_reach_the_least_squares_fit():
    from ann_lib.optim import linear_regression_descent

    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5 + 0.1 * rng.normal(size=30)
    best = np.linalg.lstsq(np.column_stack([X, np.ones(30)]), y, rcond=None)[0]
    for batch_size, learning_rate in ((5, 0.05), (1, 0.002)):
        w, b, history = linear_regression_descent(X, y, learning_rate, 300, batch_size, 0)
        assert_allclose(np.append(w, b), best, atol=0.02)
        assert history[-1] < history[0]


@pytest.mark.parametrize("X, y, kwargs, message", [
    (np.ones(5), np.ones(5), {}, r"X must be 2-D .* shapes \(5,\) and \(5,\)"),
    (np.ones((5, 2)), np.ones(4), {}, r"shapes \(5, 2\) and \(4,\)"),
    (np.ones((0, 2)), np.ones(0), {}, "no samples"),
    (np.ones((5, 2)), np.ones(5), {"learning_rate": 0.0}, "learning_rate must be a positive"),
    (np.ones((5, 2)), np.ones(5), {"learning_rate": "fast"}, "learning_rate must be a positive"),
    (np.ones((5, 2)), np.ones(5), {"epochs": -1}, "epochs must be a non-negative integer"),
    (np.ones((5, 2)), np.ones(5), {"epochs": 2.0}, "epochs must be a non-negative integer"),
    (np.ones((5, 2)), np.ones(5), {"batch_size": 0}, "batch_size must be a positive integer"),
    (np.ones((5, 2)), np.ones(5), {"momentum": 1.0}, r"momentum must be in \[0, 1\)"),
    (np.ones((5, 2)), np.full(5, "a"), {}, "y must hold real numbers"),
])
def test_linear_regression_descent_rejects_bad_input(X, y, kwargs, message):
    from ann_lib.optim import linear_regression_descent

    args = {"learning_rate": 0.1, "epochs": 2, "batch_size": 2, "rng": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        linear_regression_descent(X, y, **args)


def test_linear_regression_descent_stays_finite_for_inputs_of_size_1000():
    from ann_lib.optim import linear_regression_descent

    # features and targets of size 1000: a learning rate below the stability limit
    # 1 / lambda_max(X^T X / n) keeps every number finite and the cost falling
    X = np.array([[1000.0], [-1000.0], [500.0]])
    y = np.array([1000.0, -1000.0, 0.0])
    with np.errstate(all="raise"):
        w, b, history = linear_regression_descent(X, y, 1e-7, 5, 3, 0)
    assert np.all(np.isfinite(history)) and history[-1] < history[0]


# --- adaptive steps and schedules

def test_adam_first_step_by_hand_moves_each_entry_by_the_learning_rate():
    from ann_lib.optim import adam_step

    theta, grad = np.array([1.0, -2.0]), np.array([0.5, -4.0])
    new, m, v = adam_step(theta, grad, None, None, t=1, learning_rate=0.1)
    # m = 0.1 g, v = 0.001 g**2; corrected: m_hat = g, v_hat = g**2, step = 0.1 g / |g|
    assert_allclose(m, [0.05, -0.4])
    assert_allclose(v, [0.00025, 0.016])
    assert_allclose(new, [0.9, -1.9])
    assert_array_equal(theta, [1.0, -2.0])  # input untouched


def test_adam_second_step_by_hand_with_its_own_state():
    from ann_lib.optim import adam_step

    # beta1 = 0.5, beta2 = 0.75, eps = 0.5 make the arithmetic exact:
    # m = 0.5 * 2 + 0.5 * 2 = 2,  v = 0.75 * 4 + 0.25 * 4 = 4,
    # m_hat = 2 / (1 - 0.25) = 8/3,  v_hat = 4 / (1 - 0.5625) = 64/7,  sqrt(v_hat) = 8/sqrt(7)
    new, m, v = adam_step(np.array([1.0]), np.array([2.0]), np.array([2.0]), np.array([4.0]),
                          t=2, learning_rate=0.3, beta1=0.5, beta2=0.75, eps=0.5)
    assert_allclose(m, [2.0])
    assert_allclose(v, [4.0])
    assert_allclose(new, [1.0 - 0.3 * (8 / 3) / (8 / np.sqrt(7) + 0.5)])


def test_adam_without_decay_takes_sign_steps_whatever_the_step_number():
    from ann_lib.optim import adam_step

    grad = np.array([3.0, -0.2, 0.0])
    for t in (1, 2, 10):
        new, m, v = adam_step(np.zeros(3), grad, np.ones(3), np.ones(3), t, learning_rate=0.5,
                              beta1=0.0, beta2=0.0, eps=1e-12)
        assert_allclose(new, [-0.5, 0.5, 0.0])
        assert_allclose(v, grad ** 2)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.floats(-1000, 1000).filter(lambda x: abs(x) > 1e-3), min_size=1,
                       max_size=6),
       scale=st.floats(1e-2, 1e2), t=st.integers(1, 200))
def test_adaptive_steps_do_not_depend_on_the_scale_of_the_gradient(values, scale, t):
    from ann_lib.optim import adam_step, rmsprop_step

    grad = np.array(values)
    m, v = 0.1 * grad, 0.5 * grad ** 2
    eps = 1e-14
    with np.errstate(all="raise"):
        step = adam_step(np.zeros_like(grad), grad, m, v, t, 0.01, eps=eps)[0]
        scaled = adam_step(np.zeros_like(grad), scale * grad, scale * m, scale ** 2 * v, t, 0.01,
                           eps=eps)[0]
        r_step = rmsprop_step(np.zeros_like(grad), grad, v, 0.01, eps=eps)[0]
        r_scaled = rmsprop_step(np.zeros_like(grad), scale * grad, scale ** 2 * v, 0.01,
                                eps=eps)[0]
    assert_allclose(scaled, step, rtol=1e-6)
    assert_allclose(r_scaled, r_step, rtol=1e-6)


def test_rmsprop_first_step_and_mean_of_squares_by_hand():
    from ann_lib.optim import rmsprop_step

    # s = 0.75 * (5, 0) + 0.25 * (1, 16) = (4, 4); theta - 0.1 * (-1, 4) / 2
    new, s = rmsprop_step(np.array([1.0, 1.0]), np.array([-1.0, 4.0]), np.array([5.0, 0.0]),
                          0.1, beta=0.75, eps=1e-8)
    assert_allclose(s, [4.0, 4.0])
    assert_allclose(new, [1.05, 0.8])
    # eps goes after the root: s = 0.25, sqrt(s) + 0.5 = 1
    new, _ = rmsprop_step(np.array([0.0]), np.array([1.0]), None, 0.1, beta=0.75, eps=0.5)
    assert_allclose(new, [-0.1])


@settings(max_examples=40, deadline=None)
@given(g=st.floats(-100, 100).filter(lambda x: abs(x) > 1e-3), k=st.integers(1, 30),
       beta=st.floats(0.0, 0.99))
def test_rmsprop_mean_of_a_constant_gradient_follows_the_closed_form(g, k, beta):
    from ann_lib.optim import rmsprop_step

    theta, s = np.array([0.0]), None
    for _ in range(k):
        theta, s = rmsprop_step(theta, np.array([g]), s, 0.01, beta=beta)
    # s_k = (1 - beta**k) g**2: a geometric sum of the same squared gradient
    assert_allclose(s, [(1 - beta ** k) * g * g], rtol=1e-9)


def test_adaptive_steps_keep_the_structure_of_a_network_and_leave_inputs_untouched():
    from ann_lib.optim import adam_step, rmsprop_step

    params, grads = two_layer_params(), two_layer_grads()
    new, m, v = adam_step(params, grads, None, None, 1, 0.1)
    assert isinstance(new, list) and all(isinstance(layer, tuple) for layer in new)
    assert_allclose(new[0][0], [[0.9, 2.1]])  # first step: learning_rate against the sign
    assert_allclose(new[1][0], [[3.0], [3.9]])  # a zero gradient does not move
    new2, s = rmsprop_step(params, grads, None, 0.1, beta=0.0)
    assert_allclose(new2[1][1], [1.1])
    assert_allclose(s[0][1], [1.0, 4.0])
    for (p, q), (p0, q0) in zip(params, two_layer_params()):
        assert_array_equal(p, p0)
        assert_array_equal(q, q0)


@pytest.mark.parametrize("call, message", [
    (lambda o: o.adam_step(1.0, 1.0, None, None, 0), r"counting from 1.*got 0"),
    (lambda o: o.adam_step(1.0, 1.0, None, None, 1.0), r"an integer counting from 1"),
    (lambda o: o.adam_step(1.0, 1.0, None, None, 1, beta1=1.0), r"beta1 must be in \[0, 1\)"),
    (lambda o: o.adam_step(1.0, 1.0, None, None, 1, beta2=-0.1), r"beta2 must be in \[0, 1\)"),
    (lambda o: o.adam_step(1.0, 1.0, None, None, 1, eps=0.0), r"eps must be a small positive"),
    (lambda o: o.rmsprop_step(1.0, 1.0, None, -0.1), r"learning_rate must be a finite number"),
    (lambda o: o.rmsprop_step(1.0, 1.0, None, float("nan")), r"learning_rate must be a finite"),
    (lambda o: o.rmsprop_step(np.ones(2), np.ones(3), None, 0.1), r"shape \(2,\).*shape \(3,\)"),
    (lambda o: o.adam_step([np.ones(2)], [np.ones(2), np.ones(1)], None, None, 1),
     r"a list or tuple of 1 entries"),
])
def test_adaptive_steps_reject_bad_arguments_with_a_clear_message(call, message):
    from ann_lib import optim

    with pytest.raises(ValueError, match=message):
        call(optim)


def test_step_decay_by_hand_counts_epochs_from_zero():
    from ann_lib.optim import step_decay

    rates = [step_decay(epoch, 0.1, drop=0.5, epochs_per_drop=10) for epoch in (0, 9, 10, 19, 20)]
    assert_allclose(rates, [0.1, 0.1, 0.05, 0.05, 0.025])
    assert_allclose(step_decay(np.arange(4), 0.3, drop=0.1, epochs_per_drop=1),
                    [0.3, 0.03, 0.003, 0.0003])
    assert isinstance(step_decay(3, 0.1), float)


@settings(max_examples=50, deadline=None)
@given(base=st.floats(1e-4, 10.0), drop=st.floats(0.05, 1.0), every=st.integers(1, 20),
       n=st.integers(0, 10))
def test_step_decay_is_flat_within_a_block_and_drops_by_the_factor_between_blocks(base, drop,
                                                                                   every, n):
    from ann_lib.optim import step_decay

    block = np.arange(n * every, (n + 1) * every)
    rates = step_decay(block, base, drop, every)
    assert_allclose(rates, np.full(every, base * drop ** n), rtol=1e-12)
    assert step_decay((n + 1) * every, base, drop, every) <= rates[-1]


def test_cosine_decay_by_hand():
    from ann_lib.optim import cosine_decay

    assert_allclose(cosine_decay(np.array([0, 5, 10, 12]), 1.0, n_epochs=10),
                    [1.0, 0.5, 0.0, 0.0], atol=1e-15)
    # a quarter of the way: (1 + cos(pi / 4)) / 2 of the span above min_rate
    assert cosine_decay(5, 0.2, 20, min_rate=0.1) == pytest.approx(
        0.1 + 0.1 * (1 + np.sqrt(0.5)) / 2)


@pytest.mark.parametrize("call, message", [
    (lambda o: o.step_decay(-1, 0.1), r"epoch must be an integer >= 0"),
    (lambda o: o.step_decay(1.5, 0.1), r"epoch must be an integer >= 0"),
    (lambda o: o.step_decay(1, 0.1, drop=0.0), r"drop must be in \(0, 1\]"),
    (lambda o: o.step_decay(1, 0.1, drop=1.5), r"drop must be in \(0, 1\]"),
    (lambda o: o.step_decay(1, 0.1, epochs_per_drop=0), r"epochs_per_drop must be a positive"),
    (lambda o: o.step_decay(1, -0.1), r"base_rate must be a finite number >= 0"),
    (lambda o: o.cosine_decay(1, 0.1, n_epochs=0), r"n_epochs must be a positive integer"),
    (lambda o: o.cosine_decay(1, 0.1, 10, min_rate=0.2), r"min_rate must be between 0"),
])
def test_schedules_reject_bad_arguments_with_a_clear_message(call, message):
    from ann_lib import optim

    with pytest.raises(ValueError, match=message):
        call(optim)
