"""Regularisation: the L2 penalty (weight decay) and inverted dropout.

Both fight overfitting, a network that fits its training samples far better than new ones.

* **L2.** The cost gets a penalty on the size of the weights,
  ``J_total = J + lam / (2 n) * sum_l ||W_l||^2`` (``||W||^2`` the sum of the
  squared entries, ``n`` the number of training samples); its gradient adds
  ``lam / n * W_l`` to every ``dW_l``, so each step also shrinks the weights
  ("weight decay"). Biases are not penalised: they shift a unit, they do not
  make it more sensitive to its inputs.
* **Inverted dropout.** While training, each unit of a layer's output is kept
  with probability ``keep_prob`` and set to 0 otherwise, afresh for every
  batch; the kept ones are divided by ``keep_prob`` so that every unit's
  expected value is unchanged. In evaluation the layer is left as it is.

``params`` is the list of ``(W, b)`` pairs of :mod:`ann_lib.deep`.
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ann_lib._validation import as_float_array

__all__ = ["l2_penalty", "l2_penalty_grad", "dropout_forward", "dropout_backward"]


def _check_l2(params, lam, n_samples):
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)) \
            or not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be a number >= 0, got {lam!r}")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    try:
        pairs = [(as_float_array(W, "W"), as_float_array(b, "b")) for W, b in params]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"params must be a list of (W, b) pairs of arrays: {exc}") from None
    return pairs


def l2_penalty(params: Sequence[tuple[ArrayLike, ArrayLike]], lam: float, n_samples: int) -> float:
    """The L2 penalty of a network's weights, added to its cost.

        penalty = lam / (2 n) * sum_l sum_ij W_l[i, j]**2

    Parameters
    ----------
    params : list of (W, b)
        W of shape (n_in, n_out), b of shape (n_out,); the biases are not penalised.
    lam : float >= 0
        The regularisation strength lambda.
    n_samples : int
        n, the number of training samples the cost averages over.

    Returns
    -------
    float
    """
    pairs = _check_l2(params, lam, n_samples)
    return float(lam / (2 * n_samples) * sum(np.sum(W ** 2) for W, _ in pairs))


def l2_penalty_grad(
    params: Sequence[tuple[ArrayLike, ArrayLike]], lam: float, n_samples: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The gradient of :func:`l2_penalty` with respect to every parameter.

        dW_l = lam / n * W_l,   db_l = 0

    Add it to the cost's gradients, pair by pair.

    Parameters
    ----------
    params, lam, n_samples
        As in :func:`l2_penalty`.

    Returns
    -------
    grads : list of (dW, db)
        One pair per layer, with the shapes of ``params``; every ``db`` is zeros.
    """
    pairs = _check_l2(params, lam, n_samples)
    return [(lam / n_samples * W, np.zeros_like(b)) for W, b in pairs]


def _check_keep_prob(keep_prob):
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (int, float, np.integer,
                                                                 np.floating)) \
            or not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must be a probability in (0, 1], got {keep_prob!r}")


def dropout_forward(
    A: ArrayLike, keep_prob: float, rng: np.random.Generator, training: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout of a layer's output.

    In training, ``mask = rng.random(A.shape) < keep_prob`` (one uniform draw per
    entry, from the generator passed in) and ``A_out = A * mask / keep_prob``: each
    entry is kept with probability ``keep_prob`` and scaled up so that its
    expected value stays ``A``. In evaluation (``training=False``) nothing is
    drawn and ``A_out`` is `A` unchanged (a copy), with a mask of ones.

    Parameters
    ----------
    A : array_like, shape (n_samples, n_units)
        The activations of a hidden layer (any shape works).
    keep_prob : float in (0, 1]
        The probability of keeping a unit; 1 keeps them all (the draw is made
        anyway, so the generator advances the same way for every keep_prob).
    rng : numpy.random.Generator
        The only source of randomness.
    training : bool, default True

    Returns
    -------
    A_out : ndarray, shape of `A`
    mask : ndarray of bool, shape of `A`
        True where the unit was kept; :func:`dropout_backward` needs it.
    """
    A = as_float_array(A, "A")
    _check_keep_prob(keep_prob)
    if not training:
        return A.copy(), np.ones(A.shape, dtype=bool)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}")
    mask = rng.random(A.shape) < keep_prob
    return A * mask / keep_prob, mask


def dropout_backward(dA: ArrayLike, mask: ArrayLike, keep_prob: float) -> np.ndarray:
    """The gradient through :func:`dropout_forward` (in training).

        dA_prev = dA * mask / keep_prob

    A dropped unit passed nothing forward, so it gets no gradient; a kept one
    was multiplied by ``1 / keep_prob``, and so is its gradient.

    Parameters
    ----------
    dA : array_like, shape (n_samples, n_units)
        Gradient of the cost with respect to the dropout's output.
    mask : array_like of bool, same shape
        From :func:`dropout_forward`.
    keep_prob : float in (0, 1]
        The one used in the forward pass.

    Returns
    -------
    ndarray, shape of `dA`
    """
    dA = as_float_array(dA, "dA")
    mask = np.asarray(mask)
    if mask.shape != dA.shape:
        raise ValueError(f"dA has shape {dA.shape} but mask has shape {mask.shape}: they must "
                         "have the same shape")
    _check_keep_prob(keep_prob)
    return dA * mask / keep_prob
