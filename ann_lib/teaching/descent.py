"""Lesson 07, gradient descent: learning rates on an elongated bowl, local minima, an explorer
of the learner's gradient descent and momentum step, and the loss curves of the learner's
training loops (batch, stochastic and mini-batch descent; plain descent against momentum)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib import optim
from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Where the descents on the bowl start.
START = np.array([4.0, 1.0])


def bowl(theta0: np.ndarray | float, theta1: np.ndarray | float) -> np.ndarray | float:
    """The elongated bowl of lesson 07, ``theta0**2 + 10 theta1**2``."""
    return theta0 ** 2 + 10 * theta1 ** 2


def bowl_grad(theta: np.ndarray) -> np.ndarray:
    """The gradient of :func:`bowl` at ``theta`` of shape (2,): ``(2 theta0, 20 theta1)``."""
    return np.array([2 * theta[0], 20 * theta[1]])


def bowl_contours(ax: Axes, lim: tuple[float, float, float, float] = (-5.0, 5.0, -2.0, 2.0)) -> None:
    """Draw the contours of :func:`bowl` and its minimum on `ax`."""
    t0, t1 = np.meshgrid(np.linspace(lim[0], lim[1], 201), np.linspace(lim[2], lim[3], 161))
    ax.contour(t0, t1, bowl(t0, t1), levels=[0.1, 0.5, 1, 2, 4, 8, 16, 32], colors="grey",
               linewidths=0.7)
    ax.plot([0], [0], "*", color="black", ms=10)
    ax.set_xlim(lim[0], lim[1])
    ax.set_ylim(lim[2], lim[3])
    ax.set_xlabel(r"$\theta_0$")
    ax.set_ylabel(r"$\theta_1$")


def learning_rate_paths(rates: Sequence[float] = (0.01, 0.09, 0.098, 0.102), n_steps: int = 30,
                        start: ArrayLike = (4.0, 1.0),
                        labels: Sequence[str] = ("too small", "about right", "too large: oscillates",
                                                 "far too large: diverges")) -> Figure:
    """Gradient descent on the bowl ``theta0**2 + 10 theta1**2`` with several learning rates.

    One panel per learning rate: the contours, the path of `n_steps` steps from `start`
    (computed with :func:`ann_lib.optim.gradient_descent`) and the loss at its end.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = canvas.figure(2, 2, figsize=(10, 6.4), sharex=True, sharey=True)
    for ax, rate, label in zip(axes.ravel(), rates, labels):
        bowl_contours(ax)
        path = optim.gradient_descent(bowl_grad, np.asarray(start, dtype=float), rate, n_steps)
        ax.plot(path[:, 0], path[:, 1], "o-", color="#c0392b", ms=3, lw=1.2)
        ax.plot(path[0, 0], path[0, 1], "s", color="#1f4e8c", ms=7)
        ax.set_title(f"learning rate {rate:g}: {label}\nloss after {n_steps} steps = "
                     f"{bowl(*path[-1]):.3g}", fontsize=10)
    for ax in axes[0]:
        ax.set_xlabel("")
    for ax in axes[:, 1]:
        ax.set_ylabel("")
    return fig


def local_minima(starts: Sequence[float] = (-2.0, -0.4, 0.6, 2.0), learning_rate: float = 0.02,
                 n_steps: int = 60) -> Figure:
    """Gradient descent on the non-convex ``f(x) = x**4 - 3 x**2 + x`` from several starts.

    The function has a global minimum near x = -1.30 and a local one near x = 1.13, separated
    by a local maximum near x = 0.17; each start ends in the minimum of its own valley.

    Returns
    -------
    matplotlib.figure.Figure
    """

    def f(x):
        return x ** 4 - 3 * x ** 2 + x

    def grad(x):
        return 4 * x ** 3 - 6 * x + 1

    x = np.linspace(-2.2, 2.2, 301)
    fig, ax = canvas.figure(figsize=(7.5, 4.2))
    ax.plot(x, f(x), color="black", lw=2)
    for start in starts:
        path = optim.gradient_descent(grad, np.array([start]), learning_rate, n_steps)[:, 0]
        line, = ax.plot(path, f(path), "o-", ms=3.5, lw=1, alpha=0.85,
                        label=f"start {start:g} -> ends at {path[-1]:.2f}")
        ax.plot(path[0], f(path[0]), "s", color=line.get_color(), ms=8)
    ax.set_ylim(-4.2, 6)
    ax.set_xlabel("x")
    ax.set_ylabel(r"$f(x) = x^4 - 3x^2 + x$")
    ax.set_title("Different starts, different minima (squares: starting points)", fontsize=10)
    ax.legend(loc="upper center", fontsize=9)
    ax.grid(alpha=0.3)
    return fig


def momentum_path(momentum_step: Callable, learning_rate: float, beta: float, n_steps: int) -> np.ndarray:
    """Loop the learner's ``momentum_step(theta, velocity, grad, learning_rate, beta)`` on the
    bowl from :data:`START`, stopping early once the path leaves every sensible range.

    Returns
    -------
    ndarray, shape (n_taken + 1, 2)
    """
    theta, velocity, path = START.copy(), np.zeros(2), [START.copy()]
    for _ in range(n_steps):
        theta, velocity = momentum_step(theta, velocity, bowl_grad(theta), learning_rate, beta)
        theta = np.asarray(theta, dtype=float).reshape(2)
        path.append(theta)
        if not np.all(np.isfinite(theta)) or np.abs(theta).max() > 1e6:
            break
    return np.array(path)


def descent_explorer(gradient_descent: Callable | None, momentum_step: Callable | None) -> Any:
    """Sliders for the learning rate, the momentum and the number of steps on the bowl.

    Draws the path of the learner's descent on ``theta0**2 + 10 theta1**2`` from (4, 1): with
    momentum 0 their ``gradient_descent(grad_fn, x0, learning_rate, n_steps)``, with momentum
    above 0 their ``momentum_step(theta, velocity, grad, learning_rate, beta)`` in a loop. Until
    the function needed is written the explorer says so.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the path drawn, shape (n_steps + 1, 2), or None when nothing was drawn.
    """
    W = canvas.widgets()

    def two_columns(path):
        path = np.atleast_2d(learner.floats(path))
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"a path of shape {path.shape}, not (n_steps + 1, 2)")
        return path

    @learner.says_why
    def show(learning_rate=0.05, momentum=0.0, n_steps=30):
        with np.errstate(all="ignore"):
            if momentum == 0:
                who = "gradient_descent"
                path = learner.call(gradient_descent, who, bowl_grad, START.copy(), learning_rate,
                                    n_steps, convert=two_columns)
            else:
                who = "momentum_step"
                steps = (None if momentum_step is None
                         else functools.partial(momentum_path, momentum_step))
                path = learner.call(steps, who, learning_rate, momentum, n_steps,
                                    convert=two_columns)
            final = bowl(*path[-1])
        fig, ax = canvas.figure(figsize=(7.5, 3.8))
        bowl_contours(ax)
        shown = np.clip(path, -50, 50)
        ax.plot(shown[:, 0], shown[:, 1], "o-", color="#c0392b", ms=3, lw=1.2)
        ax.plot(START[0], START[1], "s", color="#1f4e8c", ms=7)
        ax.set_title(f"your {who}: {len(path) - 1} steps, final loss {final:.3g}", fontsize=10)
        canvas.show()
        return path

    return W.interactive(
        show,
        learning_rate=W.FloatSlider(value=0.05, min=0.001, max=0.11, step=0.001,
                                    readout_format=".3f", description="learning rate"),
        momentum=W.FloatSlider(value=0.0, min=0.0, max=0.95, step=0.05, description="momentum"),
        n_steps=W.IntSlider(value=30, min=1, max=100, description="steps"),
    )



def _history(result):
    """The loss history of a learner's ``(w, b, history)``, as a 1-D float array."""
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise ValueError("a result that is not the triple (w, b, history)")
    history = np.asarray(result[2], dtype=float)
    if history.ndim != 1:
        raise ValueError(f"a history of shape {history.shape}, not (epochs,)")
    return history


def _loss_axes(ax, title):
    ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost on all samples (MSE), log scale")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)


@learner.says_why
def descent_variants(train_linear: Callable | None, X: np.ndarray, y: np.ndarray, learning_rate: float = 0.05,
                     epochs: int = 20, batch_size: int = 8, seed: int = 0) -> Figure:
    """Batch, stochastic and mini-batch descent on the same data: the learner's loss curves.

    Runs the learner's ``train_linear(X, y, learning_rate, epochs, batch_size, rng)`` three
    times, with ``batch_size = n_samples`` (batch), ``1`` (stochastic) and `batch_size`
    (mini-batch), each with ``numpy.random.default_rng(seed)``, and draws the three per-epoch
    histories on one axes. Until ``train_linear`` is written it prints what to do instead.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    n = len(X)
    variants = ((f"batch (all {n} samples, 1 step per epoch)", n),
                (f"stochastic (1 sample, {n} steps per epoch)", 1),
                (f"mini-batch ({batch_size} samples, {-(-n // batch_size)} steps per epoch)",
                 batch_size))
    curves = [(label, learner.call(train_linear, "train_linear", X, y, learning_rate, epochs,
                                   size, np.random.default_rng(seed), convert=_history))
              for label, size in variants]
    fig, ax = canvas.figure(figsize=(7.5, 4.2))
    for (label, history), style in zip(curves, ("o-", "s-", "^-")):
        ax.plot(np.arange(1, history.size + 1), np.clip(history, 1e-12, 1e12), style, ms=3.5,
                lw=1.2, label=label)
    _loss_axes(ax, f"your train_linear, learning rate {learning_rate:g}, {epochs} epochs")
    return fig


@learner.says_why
def momentum_curves(train_linear: Callable | None, train_linear_momentum: Callable | None,
                    X: np.ndarray, y: np.ndarray, learning_rate: float = 0.01,
                    betas: Sequence[float] = (0.8, 0.9), epochs: int = 30,
                    batch_size: int | None = None, seed: int = 0) -> Figure:
    """Plain descent against momentum on the same data: the learner's loss curves.

    Draws the per-epoch history of the learner's ``train_linear`` and, for each momentum
    coefficient of `betas`, of their ``train_linear_momentum(X, y, learning_rate, beta, epochs,
    batch_size, rng)``, all with the same learning rate, batch size (None: all the samples)
    and ``numpy.random.default_rng(seed)``.

    Returns
    -------
    matplotlib.figure.Figure or None
    """
    size = len(X) if batch_size is None else batch_size
    curves = [("plain (train_linear)",
               learner.call(train_linear, "train_linear", X, y, learning_rate, epochs, size,
                            np.random.default_rng(seed), convert=_history))]
    for beta in betas:
        curves.append((f"momentum, beta = {beta:g}",
                       learner.call(train_linear_momentum, "train_linear_momentum", X, y,
                                    learning_rate, beta, epochs, size,
                                    np.random.default_rng(seed), convert=_history)))
    fig, ax = canvas.figure(figsize=(7.5, 4.2))
    for (label, history), style in zip(curves, ("o-", "s-", "^-", "v-", "d-")):
        ax.plot(np.arange(1, history.size + 1), np.clip(history, 1e-12, 1e12), style, ms=3.5,
                lw=1.2, label=label)
    _loss_axes(ax, f"learning rate {learning_rate:g}, batches of {size}, {epochs} epochs")
    return fig
