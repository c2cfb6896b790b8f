"""Lesson 02, standardizing the inputs: gradient descent on raw vs standardized features."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib import datasets, optim, preprocessing
from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def descent_panel(ax: Axes, X: np.ndarray, y: np.ndarray, lr_fraction: float, n_steps: int, title: str,
                  names: Sequence[str]) -> float:
    """Draw on `ax` the MSE contours of ``y ~ X @ w`` over two weights and the descent path.

    The path is :func:`ann_lib.optim.least_squares_descent` from w = 0; the frame is a square
    that holds all of it and the minimum.

    Returns
    -------
    float
        The cost after `n_steps` steps.
    """
    path, learning_rate = optim.least_squares_descent(X, y, n_steps, lr_fraction)
    w_best = np.linalg.lstsq(X, y, rcond=None)[0]

    def cost(w):
        return float(np.mean((X @ w - y) ** 2))

    # the frame holds the whole path and the minimum (an overshooting step stays in view)
    seen = np.vstack([path, w_best])
    low_corner, high_corner = seen.min(axis=0), seen.max(axis=0)
    centre = (low_corner + high_corner) / 2
    half = 0.55 * (high_corner - low_corner).max() + 0.5
    g1 = np.linspace(centre[0] - half, centre[0] + half, 161)
    g2 = np.linspace(centre[1] - half, centre[1] + half, 161)
    W1, W2 = np.meshgrid(g1, g2)
    grid = np.stack([W1.ravel(), W2.ravel()], axis=1)
    L = np.mean((grid @ X.T - y) ** 2, axis=1).reshape(W1.shape)
    low = cost(w_best)
    levels = low + np.geomspace(1e-3, 1.0, 12) * (L.max() - low)
    ax.contour(W1, W2, L, levels=levels, cmap="viridis", linewidths=1)
    ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", ms=3, lw=1.2, label="descent path")
    ax.plot(*w_best, "*", color="black", ms=12, label="minimum")
    ax.set_xlim(g1[0], g1[-1])
    ax.set_ylim(g2[0], g2[-1])
    ax.set_aspect("equal")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    final = cost(path[-1])
    ax.set_title(f"{title}\nloss after {n_steps} steps: {final:.3f} "
                 f"(best {low:.3f}), lr = {learning_rate:.3g}", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    return final


def descent_raw_vs_standardized(scale: float = 10.0, n_steps: int = 30, lr_fraction: float = 0.8,
                                Z: ArrayLike | None = None, seed: int = 0) -> Figure:
    """Gradient descent on the MSE of a linear model, raw features vs standardized features.

    Left: the loss contours over the two weights for raw features (``x2`` is `scale` times wider
    than ``x1``, :func:`ann_lib.datasets.make_scaled_regression`); right: the same model on
    standardized features. Each run starts at w = 0 and uses ``lr_fraction`` of its own largest
    stable learning rate.

    Parameters
    ----------
    scale : float
        Standard deviation of the second feature (the first has 1).
    n_steps : int
        Gradient-descent steps.
    lr_fraction : float in (0, 1)
        Learning rate as a fraction of the stability limit 2 / lambda_max.
    Z : ndarray of shape (n_samples, 2), optional
        The standardized features; defaults to ``ann_lib.preprocessing.standardize(X)``.
    seed : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    X, y = datasets.make_scaled_regression(scale, seed=seed)
    Z = preprocessing.standardize(X) if Z is None else np.asarray(Z, dtype=float)
    fig, axes = canvas.figure(1, 2, figsize=(10, 4.8))
    descent_panel(axes[0], X, y, lr_fraction, n_steps,
                  f"raw features (std 1 and {scale:g})", ("weight of x1", "weight of x2"))
    descent_panel(axes[1], Z, y, lr_fraction, n_steps,
                  "standardized features (std 1 and 1)", ("weight of z1", "weight of z2"))
    return fig


def standardizing_explorer(standardize: Callable | None) -> Any:
    """Gradient descent on raw vs standardized features, with sliders for the feature scale.

    Parameters
    ----------
    standardize : callable or None
        The learner's ``standardize(X, mean, scale)``; it standardizes the data of the right-hand
        panel. Until it is written the explorer says so.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the pair (final loss raw, final loss standardized), or None when
        nothing was drawn.
    """
    W = canvas.widgets()

    @learner.says_why
    def show(scale=10.0, lr_fraction=0.8, n_steps=30):
        X, y = datasets.make_scaled_regression(scale)
        Z = learner.call(standardize, "standardize", X, X.mean(axis=0), X.std(axis=0),
                         convert=lambda out: _same_shape(learner.floats(out), X))
        fig, axes = canvas.figure(1, 2, figsize=(10, 4.8))
        raw = descent_panel(axes[0], X, y, lr_fraction, n_steps,
                            f"raw features (std 1 and {scale:.3g})",
                            ("weight of x1", "weight of x2"))
        std = descent_panel(axes[1], Z, y, lr_fraction, n_steps,
                            "standardized by your `standardize`", ("weight of z1", "weight of z2"))
        canvas.show()
        return raw, std

    return W.interactive(
        show,
        scale=W.FloatLogSlider(value=10.0, base=10, min=0, max=2, step=0.05,
                               description="std of x2"),
        lr_fraction=W.FloatSlider(value=0.8, min=0.05, max=0.99, step=0.01,
                                  description="lr / limit"),
        n_steps=W.IntSlider(value=30, min=1, max=200, description="steps"),
    )


def _same_shape(Z, X):
    if Z.shape != X.shape:
        raise ValueError(f"shape {Z.shape}, but the data has shape {X.shape}")
    if not np.all(np.isfinite(Z)):
        raise ValueError("it holds NaN or infinite values")
    return Z
