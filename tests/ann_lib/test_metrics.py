"""ann_lib.metrics and ann_lib.preprocessing.one_hot against scikit-learn."""

import numpy as np
import pytest
import sklearn.metrics
import sklearn.preprocessing
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from ann_lib import metrics, preprocessing

LABELS = st.integers(1, 6).flatmap(lambda k: st.tuples(
    st.just(k), st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), min_size=1,
                         max_size=40)))


@pytest.mark.filterwarnings("ignore:A single label was found")
@settings(max_examples=60, deadline=None)
@given(LABELS)
def test_accuracy_and_confusion_matrix_match_sklearn(data):
    k, pairs = data
    y_true, y_pred = (np.array(v) for v in zip(*pairs))
    C = metrics.confusion_matrix(y_true, y_pred, k)
    assert_array_equal(C, sklearn.metrics.confusion_matrix(y_true, y_pred, labels=range(k)))
    assert C.dtype == np.int64 and C.sum() == len(y_true)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(
        sklearn.metrics.accuracy_score(y_true, y_pred), abs=1e-15)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(np.trace(C) / C.sum())


def test_confusion_matrix_counts_true_classes_in_rows():
    C = metrics.confusion_matrix([0, 0, 1, 2], [0, 2, 1, 1])
    assert_array_equal(C, [[1, 0, 1], [0, 1, 0], [0, 1, 0]])
    assert metrics.confusion_matrix([0], [0], n_classes=3).shape == (3, 3)


def test_metrics_refuse_mismatched_or_invalid_labels():
    with pytest.raises(ValueError, match=r"shape \(3,\) but y_pred has shape \(2,\)"):
        metrics.accuracy([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="y_pred must hold class numbers 0 .. 1"):
        metrics.confusion_matrix([0, 1], [0, 2], n_classes=2)
    with pytest.raises(ValueError, match="whole class numbers"):
        metrics.accuracy([0.5, 1.0], [0, 1])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8).flatmap(lambda k: st.tuples(st.just(k), st.lists(st.integers(0, k - 1),
                                                                         max_size=30))))
def test_one_hot_matches_sklearn_and_has_one_1_per_row(data):
    k, y = data
    Y = preprocessing.one_hot(np.array(y, dtype=np.int64), k)
    assert Y.shape == (len(y), k) and Y.dtype == np.float64
    assert_array_equal(Y.sum(axis=1), np.ones(len(y)))
    if y:
        encoder = sklearn.preprocessing.OneHotEncoder(categories=[list(range(k))])
        assert_array_equal(Y, encoder.fit_transform(np.array(y)[:, None]).toarray())
        assert_array_equal(Y.argmax(axis=1), y)


def test_one_hot_keeps_classes_absent_from_the_batch():
    assert_array_equal(preprocessing.one_hot([1, 1], 4), [[0, 1, 0, 0], [0, 1, 0, 0]])


@pytest.mark.parametrize(("y", "k", "message"), [
    ([0, 3], 3, r"0 \.\. 2, got values from 0 to 3"),
    ([-1, 0], 2, "got values from -1"),
    ([[0, 1]], 2, "1-D"),
    ([0.0, 1.5], 2, "whole class numbers"),
    ([0, 1], 0, "n_classes must be a positive integer"),
])
def test_one_hot_refuses_labels_out_of_range_or_of_the_wrong_shape(y, k, message):
    with pytest.raises(ValueError, match=message):
        preprocessing.one_hot(y, k)
