"""The capstone's checks: the analytic reference gradients and the early-stopping judge."""

import numpy as np
import pytest

from ann_lib import gradcheck, losses
from autograder.lessons import capstone


def _random_network(rng, n, d, h):
    X = rng.normal(size=(n, d))
    y = rng.integers(0, 2, size=n).astype(float)
    params = [(0.5 * rng.normal(size=(d, h)), 0.3 * rng.normal(size=h)),
              (0.5 * rng.normal(size=(h, 1)), 0.3 * rng.normal(size=1))]
    return X, y, params


@pytest.mark.parametrize("seed", range(5))
def test_the_reference_backward_agrees_with_centred_differences(seed):
    X, y, params = _random_network(np.random.default_rng(seed), 7, 4, 5)
    probs, cache = capstone._ref_forward(X, params)
    analytic = capstone._ref_backward(X, y, params, probs, cache)
    for i, pair in enumerate(params):
        for j, P in enumerate(pair):
            def cost(P_new, i=i, j=j):
                trial = [list(p) for p in params]
                trial[i][j] = P_new
                return losses.binary_cross_entropy(y, capstone._ref_forward(X, trial)[0])

            numeric = gradcheck.numerical_gradient(cost, P)
            assert analytic[i][j].shape == P.shape
            assert gradcheck.relative_error(analytic[i][j], numeric) < 1e-6, (i, j)


@pytest.mark.parametrize(("costs", "patience", "epochs"), [
    ([3.0, 2.0, 1.0, 2.0, 3.0, 4.0], 2, 5),   # best at 2; epochs 3 and 4 do not improve: stop
    ([3.0, 2.0, 1.0, 2.0, 3.0, 4.0], 3, 6),   # best at 2; the third epoch without improvement
    ([3.0, 2.0, 1.0, 2.0, 3.0, 4.0], 10, 6),  # patience never runs out: every epoch is run
    ([1.0, 2.0, 3.0], 1, 2),                  # best at 0; epoch 1 does not improve: stop
    ([1.0, 1.0, 1.0], 2, 3),                  # an equal cost is no improvement
])
def test_the_stopping_rule_counts_epochs_without_improvement(costs, patience, epochs):
    assert capstone._epochs_run(costs, patience) == epochs


def test_the_early_stopping_judge_recomputes_the_kept_parameters_validation_cost():
    def reports_the_right_histories_but_keeps_the_initial_weights(X_train, y_train, X_val, y_val,
                                                                   **kwargs):
        _, train_history, val_history = capstone._ref_train_early_stopping(
            X_train, y_train, X_val, y_val, **kwargs)
        initial = capstone._ref_init_params([X_train.shape[1], kwargs["n_hidden"], 1],
                                            kwargs["seed"])
        return initial, train_history, val_history

    verdict = capstone.train_early_stopping.verdict(
        reports_the_right_histories_but_keeps_the_initial_weights)
    assert "but the lowest one, at epoch 33, was 0.105877" in verdict


def test_the_early_stopping_judge_refuses_made_up_costs():
    def made_up(X_train, y_train, X_val, y_val, **kwargs):
        best, train_history, val_history = capstone._ref_train_early_stopping(
            X_train, y_train, X_val, y_val, **kwargs)
        return best, train_history, [0.5] * len(val_history)

    verdict = capstone.train_early_stopping.verdict(made_up)
    assert "recorded the validation costs" in verdict


def test_the_early_stopping_judge_says_what_a_wrong_shape_of_answer_is():
    verdict = capstone.train_early_stopping.verdict(lambda *args, **kwargs: ([], [0.5]))
    assert verdict == ("`train_early_stopping` should return a triple (best_params, "
                       "train_history, val_history), but it returned tuple.")
