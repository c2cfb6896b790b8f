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


def _data():
    X, y = datasets.make_two_classes(n_samples=80, cluster_std=0.5, seed=1)
    return X[:60], y[:60], X[60:], y[60:]


def test_training_explorer_trains_the_learners_network_and_scores_its_predictions(capsys):
    calls = []

    def my_train(X, y, n_hidden=16, learning_rate=0.5, epochs=200, seed=0):
        calls.append((n_hidden, learning_rate, epochs, seed))
        return {"w": np.array([1.0, 1.0])}, np.linspace(0.7, 0.1, epochs)

    def my_predict(X, params):
        return (X @ params["w"] > 0).astype(int)

    X_train, y_train, X_test, y_test = _data()
    accuracy, printed = drawn(capsys, training.training_explorer(my_train, my_predict, X_train,
                                                                 y_train, X_test, y_test, seed=3))
    assert printed == ""
    assert calls == [(16, 0.5, 100, 3)]
    assert accuracy == np.mean((X_test.sum(axis=1) > 0) == y_test)


@pytest.mark.parametrize("written", ["predict", "train"])
def test_training_explorer_says_which_function_is_not_written_yet(capsys, written):
    def my_train(X, y, **kw):
        return None, [0.5]

    def my_predict(X, params):
        return np.zeros(len(X))

    def not_written_yet(*args, **kwargs):
        raise NotImplementedError

    train, predict = (my_train, not_written_yet) if written == "train" else (None, my_predict)
    missing = "predict" if written == "train" else "train"
    result, printed = drawn(capsys, training.training_explorer(train, predict, *_data()))
    assert result is None
    assert f"write `{missing}` above first" in printed
