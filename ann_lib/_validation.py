"""Input checks shared by the ann_lib modules (private).

Every public function converts its inputs with :func:`as_float_array` and
reports wrong shapes as a ``ValueError`` that names the shapes involved.
"""

from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike

T = TypeVar("T")


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before ``fit`` (as in scikit-learn)."""


def as_float_array(x: ArrayLike, name: str = "x") -> np.ndarray:
    """Return `x` as a NumPy array of floats.

    Floating dtypes (float16/32/64) are kept, booleans and integers become
    float64. Anything else (complex, strings, objects) raises ``ValueError``.
    """
    x = np.asarray(x)
    if x.dtype.kind == "f":  # floating
        return x
    if x.dtype.kind in "biu":  # boolean, signed or unsigned integer
        return x.astype(np.float64)
    raise ValueError(f"{name} must hold real numbers, got dtype {x.dtype}")


def as_2d(X: ArrayLike, name: str = "X") -> np.ndarray:
    """Return `X` as a 2-D float array ``(n_samples, n_features)``."""
    X = as_float_array(X, name)
    if X.ndim != 2:
        hint = f"; use {name}.reshape(-1, 1) for a single feature" if X.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {X.shape}{hint}")
    return X


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` unless `a` and `b` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}: "
            "they must have the same shape"
        )


def check_same_length(X: np.ndarray, y: np.ndarray) -> None:
    """Raise ``ValueError`` unless `X` and `y` have the same number of samples (rows)."""
    if len(X) != len(y):
        raise ValueError(
            f"X has shape {X.shape} but y has shape {y.shape}: they need the same number "
            "of samples (rows)"
        )


def is_integer(value: object) -> bool:
    """True for an integer (Python's or NumPy's), never a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_finite_number(value: object) -> bool:
    """True for a finite real number (int or float, NumPy's included), never a bool, inf or nan."""
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_)) and bool(np.isfinite(value)))


def check_batch_size(batch_size: object) -> None:
    """Raise ``ValueError`` unless `batch_size` is a positive integer or None (the whole set)."""
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")


def check_is_fitted(model: object, attribute: str) -> None:
    """Raise :class:`NotFittedError` unless `model` has `attribute` (set by fit)."""
    if not hasattr(model, attribute):
        name = type(model).__name__
        raise NotFittedError(f"This {name} is not fitted yet: call fit(X) first.")


def lookup(table: Mapping[Any, T], name: object, what: str) -> T:
    """Return ``table[name]``, or raise ``ValueError`` listing the valid names."""
    try:
        return table[name]
    except (KeyError, TypeError):
        choices = ", ".join(repr(key) for key in table)
        raise ValueError(f"unknown {what} {name!r}; choose one of {choices}") from None
