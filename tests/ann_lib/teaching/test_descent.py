"""ann_lib.teaching.descent: learning-rate paths, local minima and the descent explorer."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from numpy.testing import assert_allclose

from ann_lib.teaching import descent

from .conftest import drawn, printed


def my_gradient_descent(grad_fn, x0, learning_rate, n_steps):
    path = [np.asarray(x0, dtype=float)]
    for _ in range(n_steps):
        path.append(path[-1] - learning_rate * grad_fn(path[-1]))
    return np.array(path)


def my_momentum_step(theta, velocity, grad, learning_rate, beta):
    velocity = beta * velocity - learning_rate * grad
    return theta + velocity, velocity


def not_written_yet(*args):
    raise NotImplementedError


@pytest.mark.parametrize("figure, n_axes", [(descent.learning_rate_paths, 4),
                                            (descent.local_minima, 1)])
def test_figures_return_a_figure(figure, n_axes):
    fig = figure()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == n_axes


def test_descent_explorer_draws_the_learners_gradient_descent(capsys):
    path, printed = drawn(capsys, descent.descent_explorer(my_gradient_descent, not_written_yet))
    assert printed == ""
    # on theta0**2 + 10 theta1**2 each coordinate shrinks by (1 - 2 lr) and (1 - 20 lr) per step
    steps = np.arange(31)[:, None]
    assert_allclose(path, np.array([4.0, 1.0]) * np.array([0.9, 0.0]) ** steps)


def test_descent_explorer_with_momentum_loops_the_learners_momentum_step(capsys):
    explorer = descent.descent_explorer(my_gradient_descent, my_momentum_step)
    explorer.children[1].value = 0.5  # momentum
    path = explorer.result
    assert path.shape == (31, 2)
    # first two steps by hand: v1 = -lr g0, v2 = beta v1 - lr g1
    g0 = np.array([8.0, 20.0])
    theta1 = np.array([4.0, 1.0]) - 0.05 * g0
    assert_allclose(path[1], theta1)
    assert_allclose(path[2], theta1 + 0.5 * (-0.05 * g0) - 0.05 * np.array([2, 20]) * theta1)


@pytest.mark.parametrize("momentum, name", [(0.0, "gradient_descent"), (0.5, "momentum_step")])
def test_descent_explorer_asks_for_the_function_the_momentum_needs(capsys, momentum, name):
    explorer = descent.descent_explorer(not_written_yet, None)
    explorer.children[1].value = momentum
    capsys.readouterr()
    explorer.update()
    assert explorer.result is None
    assert f"write `{name}` above first" in printed(capsys)


# --- the training loops' loss curves ----------------------------------------------------

def my_train_linear(X, y, learning_rate, epochs, batch_size, rng):
    """A stand-in that records its calls and returns a history that says its batch size."""
    my_train_linear.calls.append((batch_size, rng.random()))
    return np.zeros(X.shape[1]), 0.0, np.full(epochs, float(batch_size))


def my_train_linear_momentum(X, y, learning_rate, beta, epochs, batch_size, rng):
    return np.zeros(X.shape[1]), 0.0, np.full(epochs, 100.0 * beta)


def test_descent_variants_draws_the_learners_loop_with_three_batch_sizes(capsys):
    my_train_linear.calls = []
    X, y = np.ones((10, 2)), np.ones(10)
    fig = descent.descent_variants(my_train_linear, X, y, learning_rate=0.1, epochs=4,
                                   batch_size=3, seed=5)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    # batch (all 10), stochastic (1), mini-batch (3), each with a fresh generator of the seed
    first = np.random.default_rng(5).random()
    assert my_train_linear.calls == [(10, first), (1, first), (3, first)]
    lines = fig.axes[0].get_lines()
    assert [line.get_ydata().tolist() for line in lines] == [[10.0] * 4, [1.0] * 4, [3.0] * 4]
    assert lines[0].get_xdata().tolist() == [1, 2, 3, 4]


def test_momentum_curves_draw_plain_descent_and_each_beta(capsys):
    my_train_linear.calls = []
    X, y = np.ones((6, 1)), np.ones(6)
    fig = descent.momentum_curves(my_train_linear, my_train_linear_momentum, X, y,
                                  betas=(0.5, 0.9), epochs=3)
    assert [line.get_ydata().tolist() for line in fig.axes[0].get_lines()] == [
        [6.0] * 3, [50.0] * 3, [90.0] * 3]
    assert [size for size, _ in my_train_linear.calls] == [6]


@pytest.mark.parametrize("train, momentum, name", [
    (not_written_yet, my_train_linear_momentum, "train_linear"),
    (my_train_linear, not_written_yet, "train_linear_momentum"),
    (my_train_linear, None, "train_linear_momentum")])
def test_momentum_curves_say_which_loop_to_write_first(capsys, train, momentum, name):
    my_train_linear.calls = []
    assert descent.momentum_curves(train, momentum, np.ones((4, 1)), np.ones(4)) is None
    assert f"write `{name}` above first" in printed(capsys)


def test_descent_variants_explain_a_result_that_is_not_a_triple(capsys):
    def returns_history_only(X, y, learning_rate, epochs, batch_size, rng):
        return np.zeros(epochs)

    assert descent.descent_variants(returns_history_only, np.ones((4, 1)), np.ones(4)) is None
    assert "your `train_linear` returned ndarray" in printed(capsys)
