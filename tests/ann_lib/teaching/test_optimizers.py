"""ann_lib.teaching.optimizers: the optimizer race, the schedule figure and the explorer."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from numpy.testing import assert_allclose

from ann_lib import optim
from ann_lib.teaching import optimizers

from .conftest import drawn, printed


def my_rmsprop_step(theta, sq_avg, grad, learning_rate, beta, eps):
    sq_avg = beta * sq_avg + (1 - beta) * grad ** 2
    return theta - learning_rate * grad / (np.sqrt(sq_avg) + eps), sq_avg


def my_adam_step(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v


def my_step_decay(epoch, base_rate, drop, epochs_per_drop):
    return base_rate * drop ** (epoch // epochs_per_drop)


def my_cosine_decay(epoch, base_rate, n_epochs, min_rate):
    return min_rate + (base_rate - min_rate) * (1 + np.cos(np.pi * min(epoch, n_epochs) / n_epochs)) / 2


def not_written_yet(*args):
    raise NotImplementedError


def test_problem_best_cost_is_the_least_squares_cost_and_no_run_goes_below_it():
    X, y, best = optimizers.problem()
    A = np.column_stack([X, np.ones(len(X))])
    residual = np.linalg.lstsq(A, y, rcond=None)[1][0]
    assert best == pytest.approx(residual / len(y))
    state, update = optimizers._updates(my_rmsprop_step, my_adam_step)["Adam"]
    costs = optimizers.train(update, state, [0.05] * 10)
    assert costs.shape == (11,)
    assert costs[0] == pytest.approx(np.mean(y ** 2))  # from zero the prediction is 0
    assert np.all(costs >= best - 1e-12)


def test_train_with_plain_steps_matches_a_loop_over_the_same_batches():
    X, y, _ = optimizers.problem()
    A = np.column_stack([X, np.ones(len(X))])
    theta, rng = np.zeros(3), np.random.default_rng(0)
    for _ in range(2):
        for A_b, y_b in optim.minibatches(A, y, 20, rng):
            theta = theta - 0.005 * 2 / len(y_b) * A_b.T @ (A_b @ theta - y_b)
    state, update = optimizers._updates(None, None)["SGD"]
    costs = optimizers.train(update, state, [0.005, 0.005])
    assert costs[-1] == pytest.approx(np.mean((A @ theta - y) ** 2))


def test_the_learners_adam_beats_sgd_on_the_scaled_problem():
    _, _, best = optimizers.problem()
    updates = optimizers._updates(my_rmsprop_step, my_adam_step)
    runs = {name: optimizers.train(update, state, [optimizers.RATES[name]] * 8)
            for name, (state, update) in updates.items()}
    # SGD's rate is capped by the steep feature: it crawls along the flat one
    assert runs["Adam"][-1] - best < (runs["SGD"][-1] - best) / 10


def test_optimizer_race_draws_four_curves_and_says_which_function_is_missing(capsys):
    fig = optimizers.optimizer_race(my_rmsprop_step, my_adam_step)
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].lines) == 4
    fig = optimizers.optimizer_race(not_written_yet, None)
    assert len(fig.axes[0].lines) == 2
    out = printed(capsys)
    assert "RMSProp is not drawn: write `rmsprop_step` above first" in out
    assert "Adam is not drawn: write `adam_step` above first" in out


def test_schedule_comparison_plots_the_learners_schedules(capsys):
    fig = optimizers.schedule_comparison(my_step_decay, my_cosine_decay, my_adam_step)
    left, right = fig.axes
    assert_allclose(left.lines[1].get_ydata()[:9], [0.2] * 4 + [0.1] * 4 + [0.05])
    cosine = left.lines[2].get_ydata()
    assert cosine[0] == pytest.approx(0.2)
    assert cosine[optimizers.EPOCHS // 2] == pytest.approx(0.1)  # half-way: half the rate
    assert len(right.lines) == 3
    fig = optimizers.schedule_comparison(not_written_yet, None, my_adam_step)
    assert len(fig.axes[1].lines) == 1
    out = printed(capsys)
    assert "The step decay is not drawn: write `step_decay` above first" in out
    assert "The cosine decay is not drawn: write `cosine_decay` above first" in out


def test_schedule_comparison_prints_how_much_closer_each_schedule_ends_than_the_constant_rate(capsys):
    fig = optimizers.schedule_comparison(my_step_decay, my_cosine_decay, my_adam_step)
    lines = printed(capsys).splitlines()
    last = [line.get_ydata()[-1] for line in fig.axes[1].lines]
    assert lines[0] == (f"cost above the best after epoch {optimizers.EPOCHS}: "
                        f"Adam, constant 0.2: {last[0]:.2g}")
    assert lines[1:] == [f"  Adam, {label}: {value:.2g}, {last[0] / value:.1f} times closer"
                         for label, value in zip(["step decay", "cosine decay"], last[1:])]


def test_optimizer_explorer_draws_the_learners_adam_then_follows_the_widgets(capsys):
    explorer = optimizers.optimizer_explorer(my_rmsprop_step, my_adam_step, my_step_decay)
    costs, out = drawn(capsys, explorer)
    assert out == ""
    state, update = optimizers._updates(None, my_adam_step)["Adam"]
    assert_allclose(costs, optimizers.train(update, state, [0.05] * optimizers.EPOCHS))
    explorer.children[2].value = 0.5  # drop: the learner's schedule sets the rates
    rates = [my_step_decay(e, 0.05, 0.5, 4) for e in range(optimizers.EPOCHS)]
    assert_allclose(explorer.result, optimizers.train(update, state, rates))


def test_optimizer_explorer_asks_for_the_function_it_needs(capsys):
    explorer = optimizers.optimizer_explorer(not_written_yet, None, None)
    assert explorer.result is None
    assert "write `adam_step` above first" in printed(capsys)
    explorer.children[0].value = "RMSProp"
    assert explorer.result is None
    assert "write `rmsprop_step` above first" in printed(capsys)
    explorer.children[0].value = "SGD"
    assert explorer.result.shape == (optimizers.EPOCHS + 1,)
    explorer.children[2].value = 0.5
    assert explorer.result is None
    assert "write `step_decay` above first" in printed(capsys)


def test_an_update_in_place_changes_neither_the_initial_state_nor_the_next_run():
    def adam_in_place(theta, m, v, grad, t, learning_rate, beta1, beta2, eps):
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad ** 2
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        return theta - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v

    state, update = optimizers._updates(None, adam_in_place)["Adam"]
    first = optimizers.train(update, state, [0.05] * 3)
    assert_allclose(first, optimizers.train(update, state, [0.05] * 3))
    assert not np.any(state[0]) and not np.any(state[1])
    _, fresh = optimizers._updates(None, my_adam_step)["Adam"]
    assert_allclose(first, optimizers.train(fresh, state, [0.05] * 3))
