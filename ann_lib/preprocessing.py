"""Feature standardization: rescale each feature to mean 0 and variance 1.

    x_scaled = (x - mean) / scale,   scale = standard deviation (ddof=0)

Gradient descent converges much faster when all features have the same
scale. The statistics are learned on the training data only (``fit``) and
then applied unchanged to any data (``transform``).
"""

import numpy as np

from ann_lib._validation import NotFittedError, as_2d, check_is_fitted

__all__ = ["NotFittedError", "StandardScaler", "standardize"]


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

    def fit(self, X):
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

    def transform(self, X):
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

    def fit_transform(self, X):
        """``fit(X)``, then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
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

    def _check(self, X):
        check_is_fitted(self, "mean_")
        X = as_2d(X, "X")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has shape {X.shape}, i.e. {X.shape[1]} features, but this StandardScaler "
                f"was fitted with {self.n_features_in_} features"
            )
        return X


def standardize(X):
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
