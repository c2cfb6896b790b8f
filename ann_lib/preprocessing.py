"""Preparing data: feature standardization, and class labels as one-hot rows.

Standardization rescales each feature to mean 0 and variance 1:

    x_scaled = (x - mean) / scale,   scale = standard deviation (ddof=0)

Gradient descent converges much faster when all features have the same
scale. The statistics are learned on the training data only (``fit``) and
then applied unchanged to any data (``transform``).
"""

from typing import Self

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import NotFittedError, as_2d, check_is_fitted

__all__ = ["NotFittedError", "StandardScaler", "one_hot", "standardize"]


class StandardScaler:
    """Standardize features by removing the mean and dividing by the standard deviation.

    Follows the contract of ``sklearn.preprocessing.StandardScaler``.

    Attributes
    ----------
    mean_ : ndarray, shape (n_features,)
        Mean of each feature in the training data.
    var_ : ndarray, shape (n_features,)
        Variance of each feature (population variance, ddof=0).
    scale_ : ndarray, shape (n_features,)
        ``sqrt(var_)``, except that a constant feature (all values equal) gets
        scale 1.0, so it is only centred and no division by zero happens.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Examples
    --------
    >>> scaler = StandardScaler().fit([[0.0, 1.0], [2.0, 1.0]])
    >>> scaler.mean_, scaler.scale_
    (array([1., 1.]), array([1., 1.]))
    >>> scaler.transform([[4.0, 3.0]])
    array([[3., 2.]])
    """

    def fit(self, X: ArrayLike) -> Self:
        """Learn the mean and scale of each feature.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        self : StandardScaler
        """
        X = as_2d(X, "X")
        if X.shape[0] == 0:
            raise ValueError(f"X has shape {X.shape}: fit needs at least one sample")
        self.mean_ = X.mean(axis=0, dtype=np.float64)
        self.var_ = X.var(axis=0, dtype=np.float64)
        constant = X.max(axis=0) == X.min(axis=0)
        self.scale_ = np.where(constant, 1.0, np.sqrt(self.var_))
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Standardize `X` with the learned statistics: ``(X - mean_) / scale_``.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray, shape (n_samples, n_features)
            A new array; a float32 `X` gives float32, otherwise float64.
        """
        X = self._check(X)
        return ((X - self.mean_) / self.scale_).astype(X.dtype, copy=False)

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        """``fit(X)``, then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """Undo :meth:`transform`: ``X * scale_ + mean_``.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray, shape (n_samples, n_features)
        """
        X = self._check(X)
        return (X * self.scale_ + self.mean_).astype(X.dtype, copy=False)

    def _check(self, X: ArrayLike) -> np.ndarray:
        check_is_fitted(self, "mean_")
        X = as_2d(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has shape {X.shape}, i.e. {X.shape[1]} features, but this StandardScaler "
                f"was fitted with {self.n_features_in_} features"
            )
        return X


def standardize(X: ArrayLike) -> np.ndarray:
    """Standardize the columns of `X` with their own mean and standard deviation.

    Shortcut for ``StandardScaler().fit_transform(X)``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)

    Returns
    -------
    ndarray, shape (n_samples, n_features)
    """
    return StandardScaler().fit_transform(X)


def check_labels(y: ArrayLike, n_classes: int, name: str = "y") -> np.ndarray:
    """`y` as a 1-D int64 array of class labels ``0 .. n_classes - 1`` (else ``ValueError``)."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n_samples,) class labels, got shape {y.shape}")
    if y.dtype.kind not in "biuf" or (y.dtype.kind == "f" and not np.all(y == np.round(y))):
        raise ValueError(f"{name} must hold whole class numbers 0 .. {n_classes - 1}, "
                         f"got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"{name} must hold class numbers 0 .. {n_classes - 1}, got values from "
                         f"{y.min():g} to {y.max():g}")
    return y.astype(np.int64)


def one_hot(y: ArrayLike, n_classes: int) -> np.ndarray:
    """Class labels as one-hot rows: ``Y[i, y[i]] = 1``, every other entry 0.

    Parameters
    ----------
    y : array_like of int, shape (n_samples,)
        Class numbers ``0 .. n_classes - 1``.
    n_classes : int
        The number of classes k, the width of the result (a batch need not hold
        every class, so it cannot be read from `y`).

    Returns
    -------
    Y : ndarray of float64, shape (n_samples, n_classes)

    Raises
    ------
    ValueError
        If `y` is not 1-D, holds a value that is not a whole number in
        ``0 .. n_classes - 1``, or `n_classes` is not a positive integer.

    Examples
    --------
    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    y = check_labels(y, n_classes)
    Y = np.zeros((y.size, n_classes))
    Y[np.arange(y.size), y] = 1.0
    return Y
