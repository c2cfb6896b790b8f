"""ann_lib.datasets: toy generators, offline loaders, and the train/test split."""

import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from ann_lib.datasets import (
    load_breast_cancer,
    load_digits,
    load_digits_binary,
    make_blobs_2d,
    make_regression_with_outliers,
    make_two_classes,
    make_xor,
    train_test_split,
)


@pytest.mark.parametrize("make", [make_two_classes, make_xor])
def test_toy_classification_sets_have_documented_shapes_and_are_seeded(make):
    X, y = make(101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64 and set(y.tolist()) == {0, 1}
    X2, y2 = make(101, seed=3)
    assert_array_equal(X, X2)
    assert_array_equal(y, y2)
    assert not np.array_equal(X, make(101, seed=4)[0])
    assert_array_equal(make(10, seed=np.random.default_rng(3))[0], make(10, seed=3)[0])


def test_two_classes_are_balanced_blobs_around_minus_one_and_one():
    X, y = make_two_classes(2001, seed=0)
    assert np.sum(y == 0) == 1000 and np.sum(y == 1) == 1001
    assert np.allclose(X[y == 0].mean(axis=0), [-1, -1], atol=0.1)
    assert np.allclose(X[y == 1].mean(axis=0), [1, 1], atol=0.1)
    assert make_blobs_2d is make_two_classes


def test_xor_labels_follow_the_signs_of_the_coordinates():
    X, y = make_xor(400, noise=0.1, seed=0)
    assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert np.bincount(y).tolist() == [200, 200]


def test_regression_with_outliers_has_exactly_the_requested_outliers():
    x, y = make_regression_with_outliers(100, n_outliers=7, seed=0)
    assert x.shape == y.shape == (100,)
    assert np.all((x >= 0) & (x <= 10))
    residual = y - (2 * x + 1)
    assert np.sum(residual > 15) == 7  # outliers are +20..40, inlier noise has std 1
    assert np.all(np.abs(residual[residual <= 15]) < 6)
    with pytest.raises(ValueError, match="n_outliers"):
        make_regression_with_outliers(5, n_outliers=6)


def test_breast_cancer_loader():
    X, y = load_breast_cancer()
    assert X.shape == (569, 30) and X.dtype == np.float64
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [212, 357]


def test_digits_binary_loader():
    X, y = load_digits_binary()
    assert X.shape[1] == 64 and X.dtype == np.float64 and X.min() == 0 and X.max() == 16
    assert set(y.tolist()) == {0, 1} and len(y) == len(X)
    X01, y01 = load_digits_binary((0, 1))
    assert np.bincount(y01).tolist() == [178, 182]  # scikit-learn's counts of 0s and 1s
    with pytest.raises(ValueError, match="two different digits"):
        load_digits_binary((3, 3))


def test_digits_loader_has_every_digit_as_8x8_images_of_ink_0_to_16():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.min() >= 170


def test_split_sizes_disjointness_and_pairing():
    X = np.arange(200).reshape(100, 2)
    y = np.arange(100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    assert len(X_test) == 25 and len(X_train) == 75
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(100))
    assert_array_equal(X_train[:, 0] // 2, y_train)
    assert_array_equal(X_test[:, 0] // 2, y_test)
    assert len(train_test_split(X, y, test_size=0.333, seed=0)[1]) == math.ceil(33.3)
    assert len(train_test_split(X, y, test_size=10, seed=0)[1]) == 10


def test_split_is_seeded():
    X, y = np.arange(50.0).reshape(25, 2), np.arange(25)
    first, again = train_test_split(X, y, seed=1), train_test_split(X, y, seed=1)
    other = train_test_split(X, y, seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[3], other[3])


def test_stratified_split_keeps_class_proportions():
    y = np.array([0] * 80 + [1] * 20)
    X = np.arange(100)[:, None]
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0, stratify=True)
    assert np.bincount(y_test).tolist() == [20, 5]
    assert np.bincount(y_train).tolist() == [60, 15]


@pytest.mark.parametrize("test_size", [0, 1.0, 100, -0.5, 1.5])
def test_split_rejects_sizes_that_leave_a_set_empty(test_size):
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(np.ones((100, 2)), np.ones(100), test_size=test_size)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"\(5, 2\).*\(4,\)"):
        train_test_split(np.ones((5, 2)), np.ones(4))


# --- make_scaled_regression (the data of the lesson on standardizing) ------------------------

def test_make_scaled_regression_has_the_documented_spreads_and_coefficients():
    from ann_lib.datasets import make_scaled_regression

    X, y = make_scaled_regression(scale=25.0, n_samples=400, noise=0.3, seed=5)
    assert X.shape == (400, 2) and y.shape == (400,) and X.dtype == y.dtype == np.float64
    np.testing.assert_allclose(X.mean(axis=0), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), [1.0, 25.0])
    # y = 2 x1 + 3 x2 / 25 + noise: least squares finds the coefficients up to the noise
    coef, residual = np.linalg.lstsq(X, y, rcond=None)[:2]
    np.testing.assert_allclose(coef, [2.0, 3.0 / 25.0], atol=0.05)
    assert np.sqrt(residual[0] / 400) == pytest.approx(0.3, rel=0.15)


def test_make_scaled_regression_is_seeded():
    from ann_lib.datasets import make_scaled_regression

    X, y = make_scaled_regression(seed=2)
    X2, y2 = make_scaled_regression(seed=np.random.default_rng(2))
    assert_array_equal(X, X2)
    assert_array_equal(y, y2)
    assert not np.array_equal(y, make_scaled_regression(seed=3)[1])


@pytest.mark.parametrize("kwargs, message", [({"scale": 0.0}, "scale must be positive"),
                                             ({"n_samples": 1}, "n_samples must be at least 2")])
def test_make_scaled_regression_rejects_bad_arguments(kwargs, message):
    from ann_lib.datasets import make_scaled_regression

    with pytest.raises(ValueError, match=message):
        make_scaled_regression(**kwargs)
