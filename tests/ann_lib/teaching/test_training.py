"""ann_lib.teaching.training: the capstone's figures and the training explorer."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from ann_lib import datasets
from ann_lib.teaching import training

from .conftest import drawn


def test_training_curves_draws_one_line_per_learner():
    fig = training.training_curves({"mine": [0.7, 0.4, 0.2], "theirs": [0.6, 0.3]})
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].get_lines()) == 2


def test_model_comparison_has_an_accuracy_and_a_time_panel():
    fig = training.model_comparison({"a": 0.97, "b": 0.99}, {"a": 0.02, "b": 0.3}, target=0.95)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2


def test_model_comparison_bars_start_at_zero_so_their_heights_compare_honestly():
    fig = training.model_comparison({"a": 0.97, "b": 0.99}, {"a": 0.02, "b": 0.3})
    for ax in fig.axes:
        low, high = ax.get_ylim()
        assert low == 0 and high >= max(bar.get_height() for bar in ax.patches)


def test_model_comparison_rejects_learners_without_a_time():
    with pytest.raises(ValueError, match="must name the same learners"):
        training.model_comparison({"a": 0.97, "b": 0.99}, {"a": 0.02})


def test_confusion_matrix_counts_each_true_and_predicted_pair():
    fig = training.confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0])
    assert isinstance(fig, Figure)
    cells = sorted(t.get_text() for t in fig.axes[0].texts)
    assert cells == ["1", "1", "1", "2"]
    assert "accuracy 60.0%" in fig.axes[0].get_title()


def test_confusion_matrix_rejects_labels_other_than_0_and_1():
    with pytest.raises(ValueError, match="class labels 0 and 1 only"):
        training.confusion_matrix([0, 2], [0, 1])


def test_validation_curves_draws_both_costs_and_marks_the_lowest_validation_cost():
    fig = training.validation_curves([0.7, 0.4, 0.2, 0.1], [0.8, 0.5, 0.6, 0.9])
    ax = fig.axes[0]
    train, val, best = ax.get_lines()[0], ax.get_lines()[1], ax.get_lines()[-1]
    np.testing.assert_array_equal(train.get_ydata(), [0.7, 0.4, 0.2, 0.1])
    np.testing.assert_array_equal(val.get_ydata(), [0.8, 0.5, 0.6, 0.9])
    assert (list(best.get_xdata()), list(best.get_ydata())) == ([1], [0.5])
    assert "epoch 1" in best.get_label()


def test_validation_curves_rejects_histories_of_different_lengths():
    with pytest.raises(ValueError, match="same, non-zero number of epochs, got 3 and 2"):
        training.validation_curves([0.7, 0.4, 0.2], [0.8, 0.5])


def test_model_comparison_names_the_set_the_accuracies_come_from():
    fig = training.model_comparison({"a": 0.97}, {"a": 0.02})
    assert fig.axes[0].get_ylabel() == "validation accuracy (%)"


def _data():
    X, y = datasets.make_two_classes(n_samples=80, cluster_std=0.5, seed=1)
    return X[:60], y[:60], X[60:], y[60:]


def test_training_explorer_trains_with_early_stopping_and_scores_on_the_validation_set(capsys):
    calls = []

    def my_train_early_stopping(X_train, y_train, X_val, y_val, layer_sizes, learning_rate=0.5,
                                lam=0.1, max_epochs=300, patience=20, seed=0):
        calls.append((len(X_train), len(X_val), layer_sizes, learning_rate, lam, max_epochs,
                      patience, seed))
        return {"w": np.array([1.0, 1.0])}, np.linspace(0.7, 0.1, 30), np.linspace(0.8, 0.3, 30)

    def my_predict(X, params):
        return (X @ params["w"] > 0).astype(int)

    X_train, y_train, X_val, y_val = _data()
    accuracy, printed = drawn(capsys, training.training_explorer(
        my_train_early_stopping, my_predict, X_train, y_train, X_val, y_val, seed=3))
    assert printed == ""
    n_features = X_train.shape[1]
    assert calls == [(60, 20, [n_features, 16, 16, 1], 0.01, 1.0, 200, 20, 3)]
    assert accuracy == np.mean((X_val.sum(axis=1) > 0) == y_val)


def test_training_explorer_never_takes_a_test_set():
    import inspect

    parameters = inspect.signature(training.training_explorer).parameters
    assert not [name for name in parameters if "test" in name], list(parameters)


def test_training_explorer_says_when_the_histories_do_not_match(capsys):
    def uneven(X_train, y_train, X_val, y_val, **kw):
        return None, [0.5, 0.4], [0.6]

    result, printed = drawn(capsys, training.training_explorer(
        uneven, lambda X, params: np.zeros(len(X)), *_data()))
    assert result is None
    assert "2 training and 1 validation costs" in printed


@pytest.mark.parametrize("written", ["predict", "train"])
def test_training_explorer_says_which_function_is_not_written_yet(capsys, written):
    def my_train_early_stopping(X_train, y_train, X_val, y_val, **kw):
        return None, [0.5], [0.6]

    def my_predict(X, params):
        return np.zeros(len(X))

    def not_written_yet(*args, **kwargs):
        raise NotImplementedError

    if written == "train":
        fit, predict = my_train_early_stopping, not_written_yet
        missing = "predict"
    else:
        fit, predict, missing = None, my_predict, "train"
    result, printed = drawn(capsys, training.training_explorer(fit, predict, *_data()))
    assert result is None
    assert f"write `{missing}` above first" in printed
