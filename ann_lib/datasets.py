"""Small data sets for the lessons: toy generators and real data shipped with scikit-learn.

Generators take a ``seed`` (an int or a ``numpy.random.Generator``) and give
the same data for the same seed. The loaders read files installed with
scikit-learn; nothing is ever downloaded.

Features are float64 arrays ``X`` of shape ``(n_samples, n_features)``;
class labels are int64 arrays ``y`` of 0s and 1s (of 0-9 for :func:`load_digits`).
"""

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import check_same_length


def make_two_classes(
    n_samples: int = 200, cluster_std: float = 0.7, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs in the plane, one per class.

    Class 0 is centred at (-1, -1), class 1 at (1, 1); the classes are
    linearly separable up to some overlap that grows with `cluster_std`.

    Parameters
    ----------
    n_samples : int, default 200
        Class 0 gets ``n_samples // 2`` samples, class 1 the rest.
    cluster_std : float, default 0.7
        Standard deviation of each blob along each axis.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], [n_samples // 2, n_samples - n_samples // 2])
    centres = np.array([[-1.0, -1.0], [1.0, 1.0]])
    X = centres[y] + cluster_std * rng.standard_normal((n_samples, 2))
    return X, y


make_blobs_2d = make_two_classes


def make_xor(n_samples: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: four Gaussian clusters at the corners (±1, ±1).

    A point is class 1 when its corner's coordinates have different signs,
    (1, -1) and (-1, 1), and class 0 at (1, 1) and (-1, -1). No straight line
    separates the classes; one hidden layer suffices.

    Parameters
    ----------
    n_samples : int, default 200
        Split as evenly as possible over the four corners.
    noise : float, default 0.2
        Standard deviation of the Gaussian noise around each corner.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,)
    """
    rng = np.random.default_rng(seed)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    corner = np.arange(n_samples) % 4
    X = corners[corner] + noise * rng.standard_normal((n_samples, 2))
    y = (corners[corner, 0] != corners[corner, 1]).astype(np.int64)
    return X, y


def make_regression_with_outliers(
    n_samples: int = 100, n_outliers: int = 10, slope: float = 2.0, intercept: float = 1.0,
    noise: float = 1.0, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Points near a line, some of them replaced by outliers far above it.

        y = slope * x + intercept + noise * N(0, 1),   x uniform in [0, 10]

    then `n_outliers` randomly chosen points get 20 to 40 added to ``y``.
    Squared error is pulled towards the outliers; absolute and Huber loss much
    less so.

    Parameters
    ----------
    n_samples : int, default 100
    n_outliers : int, default 10
    slope, intercept : float, default 2.0, 1.0
        The true line.
    noise : float, default 1.0
        Standard deviation of the noise on the inliers.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    x : ndarray of float64, shape (n_samples,)
    y : ndarray of float64, shape (n_samples,)
    """
    if not 0 <= n_outliers <= n_samples:
        raise ValueError(f"n_outliers must be in [0, n_samples={n_samples}], got {n_outliers}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, n_samples)
    y = slope * x + intercept + noise * rng.standard_normal(n_samples)
    outliers = rng.choice(n_samples, size=n_outliers, replace=False)
    y[outliers] += rng.uniform(20.0, 40.0, n_outliers)
    return x, y


def make_scaled_regression(
    scale: float = 10.0, n_samples: int = 100, noise: float = 0.3, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Linear-regression data whose two features have very different spreads.

    The features are centred on 0, ``x1`` with standard deviation 1 and ``x2`` with standard
    deviation `scale` (exactly, over the sample); the targets are

        y = 2 x1 + 3 x2 / scale + noise * N(0, 1)

    so both features matter about equally, but gradient descent on the raw features crawls
    along the wide one: the data of the lesson on standardizing.

    Parameters
    ----------
    scale : float, default 10.0
        Standard deviation of ``x2``; must be positive.
    n_samples : int, default 100
        At least 2.
    noise : float, default 0.3
        Standard deviation of the noise on ``y``.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of float64, shape (n_samples,)
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2 (a spread needs two points), got {n_samples}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, 2))
    X = (X - X.mean(axis=0)) / X.std(axis=0) * np.array([1.0, scale])
    y = 2.0 * X[:, 0] + 3.0 * X[:, 1] / scale + noise * rng.standard_normal(n_samples)
    return X, y


def load_breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """Wisconsin breast cancer data (569 tumours, 30 features), from scikit-learn.

    Returns
    -------
    X : ndarray of float64, shape (569, 30)
    y : ndarray of int64, shape (569,)
        scikit-learn's coding: 0 = malignant (212), 1 = benign (357).
    """
    from sklearn import datasets

    X, y = datasets.load_breast_cancer(return_X_y=True)
    return X.astype(np.float64), y.astype(np.int64)


def load_digits_binary(digits: tuple[int, int] = (3, 8)) -> tuple[np.ndarray, np.ndarray]:
    """8x8 images of two handwritten digits, from scikit-learn's digits data.

    Parameters
    ----------
    digits : pair of int, default (3, 8)
        The two digits to keep; the first is class 0, the second class 1.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 64)
        Pixel intensities 0 to 16, row by row.
    y : ndarray of int64, shape (n_samples,)
        0 for ``digits[0]``, 1 for ``digits[1]``.
    """
    from sklearn import datasets

    negative, positive = digits
    if negative == positive or not {negative, positive} <= set(range(10)):
        raise ValueError(f"digits must be two different digits 0-9, got {digits!r}")
    X, labels = datasets.load_digits(return_X_y=True)
    keep = (labels == negative) | (labels == positive)
    return X[keep].astype(np.float64), (labels[keep] == positive).astype(np.int64)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """8x8 images of the ten handwritten digits, from scikit-learn's digits data (1797 images).

    Each image is a digit 0-9 written by one of 43 people, scanned and reduced to 8 x 8 blocks
    whose values count the inked pixels of a 4 x 4 square of the scan: 0 (white) to 16 (black).

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
        Pixel intensities 0 to 16, row by row (``X[i].reshape(8, 8)`` is image i).
    y : ndarray of int64, shape (1797,)
        The digit shown, 0 to 9 (about 180 images each).
    """
    from sklearn import datasets

    X, y = datasets.load_digits(return_X_y=True)
    return X.astype(np.float64), y.astype(np.int64)


def train_test_split(X: ArrayLike, y: ArrayLike, test_size: float | int = 0.25, seed: int = 0,
                     stratify: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split samples at random into a training and a test set.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
    y : array_like, shape (n_samples, ...)
    test_size : float in (0, 1) or int, default 0.25
        Fraction of the samples for the test set (rounded up, as in
        scikit-learn), or their number.
    seed : int or numpy.random.Generator, default 0
    stratify : bool, default False
        If True, split each class of `y` separately, so both sets keep the
        class proportions: a class of ``n_class`` samples gives
        ``round(n_test / n_samples * n_class)`` test samples (the total may
        then differ from ``n_test`` by rounding).

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Samples keep the random order of the split.
    """
    X, y = np.asarray(X), np.asarray(y)
    check_same_length(X, y)
    n = len(X)
    if isinstance(test_size, (int, np.integer)):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count, got {test_size!r}")
    if not 0 < n_test < n:
        raise ValueError(
            f"test_size={test_size!r} puts {n_test} of {n} samples in the test set; "
            "both sets need at least one sample"
        )
    rng = np.random.default_rng(seed)
    if stratify:
        if y.ndim != 1:
            raise ValueError(f"stratify needs 1-D class labels y, got shape {y.shape}")
        test: Any = []
        for label in np.unique(y):
            members = rng.permutation(np.flatnonzero(y == label))
            test.extend(members[: round(n_test / n * len(members))])
        test = rng.permutation(np.array(test, dtype=np.int64))
    else:
        test = rng.permutation(n)[:n_test]
    is_test = np.zeros(n, dtype=bool)
    is_test[test] = True
    train = rng.permutation(np.flatnonzero(~is_test))
    return X[train], X[test], y[train], y[test]
