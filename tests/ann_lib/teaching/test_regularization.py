"""ann_lib.teaching.regularization: the experiment's training loop calls the learner's functions
where regularisation enters, and the gap figure draws every run."""

import numpy as np
import pytest

from ann_lib import datasets, deep, losses
from ann_lib import regularization as reg
from ann_lib.teaching import regularization as teaching_reg
from ann_lib.teaching.learner import NotReady

X, y = datasets.make_xor(40, noise=0.3, seed=0)
X_val, y_val = datasets.make_xor(30, noise=0.3, seed=1)
MINE = dict(l2_penalty=reg.l2_penalty, l2_penalty_grad=reg.l2_penalty_grad,
            dropout_forward=reg.dropout_forward, dropout_backward=reg.dropout_backward)


def test_without_regularisation_it_is_full_batch_descent_on_the_softmax_cross_entropy():
    run = teaching_reg.train_regularized(X, y, X_val, y_val, [2, 5, 2], 0.5, 3, seed=0, every=1)
    params = deep.init_params([2, 5, 2], "he", np.random.default_rng(0))
    Y = np.eye(2)[y]
    for _ in range(3):
        Z, caches = deep.forward(X, params, ["relu", "linear"])
        grads = deep.backward(losses.softmax_cross_entropy_grad(Z, Y), caches)
        params = [(W - 0.5 * dW, b - 0.5 * db) for (W, b), (dW, db) in zip(params, grads)]
    for (W, b), (W_run, b_run) in zip(params, run["params"]):
        np.testing.assert_allclose(W_run, W, rtol=1e-12)
        np.testing.assert_allclose(b_run, b, rtol=1e-12)
    assert run["epochs"] == [0, 1, 2, 3]
    Z = deep.forward(X, params, ["relu", "linear"])[0]
    assert run["train_cost"][-1] == pytest.approx(losses.softmax_cross_entropy(Z, Y))
    assert run["train_accuracy"][-1] == pytest.approx(np.mean(Z.argmax(axis=1) == y))


def test_the_learners_functions_are_called_and_change_the_run():
    calls = []

    def counting(name, fn):
        def wrapped(*args, **kwargs):
            calls.append(name)
            return fn(*args, **kwargs)
        return wrapped

    mine = {name: counting(name, fn) for name, fn in MINE.items()}
    plain = teaching_reg.train_regularized(X, y, X_val, y_val, [2, 5, 2], 0.5, 4, seed=0)
    both = teaching_reg.train_regularized(X, y, X_val, y_val, [2, 5, 2], 0.5, 4, seed=0, lam=1.0,
                                          keep_prob=0.5, **mine)
    assert set(calls) == set(MINE)
    assert calls.count("dropout_backward") == 4 and calls.count("l2_penalty_grad") == 4
    assert not np.allclose(both["params"][0][0], plain["params"][0][0])
    # the recorded training cost holds the penalty (measured before the first step)
    l2 = teaching_reg.train_regularized(X, y, X_val, y_val, [2, 5, 2], 0.5, 4, seed=0, lam=1.0,
                                        **MINE)
    start = deep.init_params([2, 5, 2], "he", np.random.default_rng(0))
    assert l2["train_cost"][0] == pytest.approx(plain["train_cost"][0]
                                                + reg.l2_penalty(start, 1.0, 40))


def test_a_function_not_written_yet_says_so():
    def not_written(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(NotReady, match="write `l2_penalty` above first"):
        teaching_reg.train_regularized(X, y, X_val, y_val, [2, 3, 2], 0.5, 2, seed=0, lam=1.0,
                                       l2_penalty=not_written, l2_penalty_grad=reg.l2_penalty_grad)


def test_gap_curves_draws_training_and_validation_and_their_difference_per_run():
    runs = {"a": teaching_reg.train_regularized(X, y, X_val, y_val, [2, 4, 2], 0.5, 20, seed=0),
            "b": teaching_reg.train_regularized(X, y, X_val, y_val, [2, 4, 2], 0.5, 20, seed=1)}
    fig = teaching_reg.gap_curves(runs)
    left, right = fig.axes[:2]
    assert len(left.get_lines()) == 4 and len(right.get_lines()) == 2
    gap = np.array(runs["a"]["train_accuracy"]) - np.array(runs["a"]["val_accuracy"])
    np.testing.assert_allclose(right.get_lines()[0].get_ydata(), gap)
