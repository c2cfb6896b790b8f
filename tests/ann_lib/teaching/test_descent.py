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
