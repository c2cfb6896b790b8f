"""ann_lib.metrics: precision and recall of ``scores >= t`` at every threshold."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ann_lib.metrics import precision_recall_curve


def test_a_small_example_counted_by_hand():
    precision, recall, t = precision_recall_curve([0, 1, 1, 0, 1], [0.2, 0.6, 0.9, 0.7, 0.4],
                                                  [0.3, 0.6, 0.95])
    np.testing.assert_allclose(precision, [0.75, 2 / 3, 1.0])   # >= at 0.6; nothing called: 1
    np.testing.assert_allclose(recall, [1.0, 2 / 3, 0.0])
    np.testing.assert_array_equal(t, [0.3, 0.6, 0.95])


def test_default_thresholds_are_the_distinct_scores_in_increasing_order():
    _, recall, t = precision_recall_curve([1, 0, 1], [0.5, 0.2, 0.5])
    np.testing.assert_array_equal(t, [0.2, 0.5])
    np.testing.assert_array_equal(recall, [1.0, 1.0])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(2, 60))
def test_recall_never_rises_with_the_threshold_and_matches_scikit_learn(seed, n):
    from sklearn.metrics import precision_score, recall_score

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    y[0] = 1
    scores = rng.random(n).round(2)
    precision, recall, t = precision_recall_curve(y, scores)
    assert np.all(np.diff(recall) <= 0)
    for p, r, threshold in zip(precision, recall, t):
        called = (scores >= threshold).astype(int)
        assert r == pytest.approx(recall_score(y, called))
        assert p == pytest.approx(precision_score(y, called, zero_division=1.0))


@pytest.mark.parametrize(("y", "s", "match"), [([0, 0], [0.1, 0.2], "no positive"),
                                               ([0, 2], [0.1, 0.2], "labels 0 and 1"),
                                               ([0, 1, 1], [0.1, 0.2], "one label and one score per sample")])
def test_bad_labels_and_shapes_are_refused(y, s, match):
    with pytest.raises(ValueError, match=match):
        precision_recall_curve(y, s)
