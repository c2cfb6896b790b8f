"""Lesson 09, optimizers: SGD, momentum, RMSProp and Adam trained on one problem, a learning-rate
schedule, and an explorer of the learner's optimizers.

The problem is linear regression ``y ~ X @ w + b`` on :func:`ann_lib.datasets.make_scaled_regression`
(two features whose spreads differ tenfold, lesson 02's data), trained by mini-batch descent from
zero. It is small (200 samples, 3 parameters), so every curve takes milliseconds, and convex, so
the best possible cost is known exactly (least squares): the figures show how far above it each
optimizer still is after every epoch.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ann_lib import datasets, optim
from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The optimizers of the lesson with their usual settings, in the order they are drawn.
OPTIMIZERS = ("SGD", "momentum", "RMSProp", "Adam")
#: Each optimizer's learning rate in :func:`optimizer_race`. SGD's must stay below about 0.01 on
#: this problem (the steep feature's stability limit), and its batches' noise makes runs near the
#: limit jumpy; momentum 0.9 makes steps up to 10 times longer and tolerates a larger rate.
RATES = {"SGD": 0.005, "momentum": 0.002, "RMSProp": 0.05, "Adam": 0.05}
EPOCHS = 20
BATCH_SIZE = 20
COLORS = {"SGD": "#7f7f7f", "momentum": "#1f4e8c", "RMSProp": "#2ca02c", "Adam": "#c0392b"}


def problem(n_samples: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
    """The lesson's data and the least cost any ``(w, b)`` reaches on it.

    Returns
    -------
    X : ndarray, shape (n_samples, 2)
    y : ndarray, shape (n_samples,)
    best_cost : float
        The mean squared error of the least-squares fit.
    """
    X, y = datasets.make_scaled_regression(scale=10.0, n_samples=n_samples, noise=0.3, seed=seed)
    A = np.column_stack([X, np.ones(len(X))])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return X, y, float(np.mean((A @ theta - y) ** 2))


def _updates(rmsprop_step, adam_step):
    """``name -> (initial state, update(theta, state, grad, rate, t) -> (theta, state))``; the
    learner's functions are called with the lesson's signatures."""

    def sgd(theta, state, grad, rate, t):
        return optim.gradient_descent_step(theta, grad, rate), state

    def momentum(theta, velocity, grad, rate, t):
        return optim.momentum_step(theta, grad, velocity, rate, 0.9)

    def rmsprop(theta, sq_avg, grad, rate, t):
        new_theta, new_sq_avg = rmsprop_step(theta, sq_avg, grad, rate, 0.9, 1e-8)
        return new_theta, new_sq_avg

    def adam(theta, state, grad, rate, t):
        new_theta, m, v = adam_step(theta, state[0], state[1], grad, t, rate, 0.9, 0.999, 1e-8)
        return new_theta, (m, v)

    zeros = np.zeros(3)
    return {"SGD": ((), sgd), "momentum": (zeros, momentum),
            "RMSProp": (None if rmsprop_step is None else zeros, rmsprop),
            "Adam": (None if adam_step is None else (zeros, np.zeros(3)), adam)}


def train(update: Callable, state: Any, rates: Sequence[float], batch_size: int = BATCH_SIZE,
          seed: int = 0) -> np.ndarray:
    """Mini-batch training of ``y ~ X @ w + b`` from zero on :func:`problem`'s data.

    Parameters
    ----------
    update : callable
        ``update(theta, state, grad, learning_rate, t) -> (theta, state)`` with ``theta`` of
        shape (3,), ``(w_1, w_2, b)``, and ``t`` the number of the step, counting from 1.
    state : the optimizer's initial state
        Copied first, so an update that changes its arrays in place changes no other run.
    rates : sequence of float
        The learning rate of each epoch (its length is the number of epochs).
    batch_size : int, default 20
    seed : int, default 0
        Seeds the shuffling; every optimizer sees the same batches.

    Returns
    -------
    costs : ndarray, shape (len(rates) + 1,)
        The mean squared error on the whole data before training and after every epoch; the
        run stops early (the rest is inf) once the parameters leave every sensible range.
    """
    X, y, _ = problem()
    A = np.column_stack([X, np.ones(len(X))])
    theta, t, state = np.zeros(3), 0, copy.deepcopy(state)
    costs = np.full(len(rates) + 1, np.inf)
    costs[0] = np.mean((A @ theta - y) ** 2)
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        for epoch, rate in enumerate(rates, start=1):
            for A_batch, y_batch in optim.minibatches(A, y, batch_size, rng):
                grad = 2.0 / len(y_batch) * A_batch.T @ (A_batch @ theta - y_batch)
                t += 1
                theta, state = update(theta, state, grad, float(rate), t)
                theta = np.asarray(theta, dtype=float).reshape(3)
            if not np.all(np.isfinite(theta)) or np.abs(theta).max() > 1e6:
                break
            costs[epoch] = np.mean((A @ theta - y) ** 2)
    return costs


def _curve(name, who, update, state, rates):
    """The learner's curve, or :class:`learner.NotReady` saying what to write first."""
    fn = None if state is None else (lambda: train(update, state, rates))
    return learner.call(fn, who, convert=learner.floats)


def _excess(costs, best):
    """Cost above the least possible, floored so that a log axis can show it."""
    return np.maximum(np.asarray(costs, dtype=float) - best, 1e-6)


def _cost_axis(ax, epochs):
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost above the best possible (log scale)")
    ax.set_xlim(0, epochs)
    ax.minorticks_off()  # a log axis has dozens of minor ticks, each laid out when drawn
    ax.grid(alpha=0.3)


def optimizer_race(rmsprop_step: Callable | None, adam_step: Callable | None, epochs: int = EPOCHS,
                   rates: Mapping[str, float] | None = None) -> Figure:
    """SGD, momentum, and the learner's RMSProp and Adam trained on the same data and batches.

    SGD and momentum use :mod:`ann_lib.optim` (lesson 07); RMSProp and Adam call the learner's
    ``rmsprop_step(theta, sq_avg, grad, learning_rate, beta, eps)`` and
    ``adam_step(theta, m, v, grad, t, learning_rate, beta1, beta2, eps)``. A function not written
    yet (None, or raising) is left out, with a printed message saying so.

    Parameters
    ----------
    rmsprop_step, adam_step : callable or None
    epochs : int, default 30
    rates : dict, optional
        Learning rate per optimizer name; missing names take :data:`RATES`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rates = {**RATES, **(rates or {})}
    _, _, best = problem()
    fig, ax = canvas.figure(figsize=(7.5, 4.2))
    for name, (state, update) in _updates(rmsprop_step, adam_step).items():
        who = {"RMSProp": "rmsprop_step", "Adam": "adam_step"}.get(name, name)
        try:
            costs = _curve(name, who, update, state, [rates[name]] * epochs)
        except learner.NotReady as why:
            print(f"{name} is not drawn: {why}")
            continue
        ax.plot(np.arange(epochs + 1), _excess(costs, best), "o-", ms=3, lw=1.6,
                color=COLORS[name], label=f"{name} (learning rate {rates[name]:g})")
    _cost_axis(ax, epochs)
    ax.set_title(f"Same data, same batches of {BATCH_SIZE}: cost after each epoch", fontsize=10)
    ax.legend(fontsize=9)
    return fig


def schedule_comparison(step_decay: Callable | None, cosine_decay: Callable | None,
                        adam_step: Callable | None, base_rate: float = 0.2, drop: float = 0.5,
                        epochs_per_drop: int = 4, epochs: int = EPOCHS) -> Figure:
    """Adam at a constant learning rate against Adam whose rate follows the learner's schedules.

    Left: the learning rate of each epoch 0, 1, ...: constant, ``step_decay(epoch, base_rate,
    drop, epochs_per_drop)`` and ``cosine_decay(epoch, base_rate, epochs, 0.0)``; right: the cost
    above the best possible after every epoch of each run (the learner's ``adam_step``). A
    function not written yet is left out, with a printed message saying so.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _, _, best = problem()
    fig, (left, right) = canvas.figure(1, 2, figsize=(10, 3.8))
    runs = {f"constant {base_rate:g}": np.full(epochs, float(base_rate))}
    schedules = {"step decay": (step_decay, "step_decay", (base_rate, drop, epochs_per_drop)),
                 "cosine decay": (cosine_decay, "cosine_decay", (base_rate, epochs, 0.0))}
    for label, (fn, who, args) in schedules.items():
        try:
            runs[label] = np.array([learner.call(fn, who, epoch, *args, convert=float)
                                    for epoch in range(epochs)])
        except learner.NotReady as why:
            print(f"The {label} is not drawn: {why}")
    state, update = _updates(None, adam_step)["Adam"]
    styles = {f"constant {base_rate:g}": ("--", "#7f7f7f"), "step decay": ("-", "#c0392b"),
              "cosine decay": ("-", "#1f4e8c")}
    last = {}
    for label, rates in runs.items():
        style, color = styles[label]
        left.step(np.arange(epochs), rates, style, color=color, where="post", lw=2, label=label)
        try:
            costs = _curve("Adam", "adam_step", update, state, rates)
        except learner.NotReady as why:
            print(f"Adam is not drawn: {why}")
            break
        excess = _excess(costs, best)
        last[label] = float(excess[-1])
        right.plot(np.arange(epochs + 1), excess, style, color=color, lw=2,
                   label=f"Adam, {label}")
    _print_last(last, epochs)
    left.set_xlabel("epoch")
    left.set_ylabel("learning rate")
    left.set_title(f"base rate {base_rate:g}; step decay: x {drop:g} every {epochs_per_drop} "
                   f"epochs", fontsize=10)
    left.legend(fontsize=9)
    left.grid(alpha=0.3)
    _cost_axis(right, epochs)
    right.set_title("Adam with each learning rate", fontsize=10)
    if right.lines:
        right.legend(fontsize=9)
    return fig


def _print_last(last, epochs):
    """Print each run's cost above the best after the last epoch, and how many times closer to
    the best than the first (constant) run each other run ends."""
    if not last:
        return
    (first, reference), *others = last.items()
    print(f"cost above the best after epoch {epochs}: Adam, {first}: {reference:.2g}")
    for label, value in others:
        print(f"  Adam, {label}: {value:.2g}, {reference / value:.1f} times closer")


def optimizer_explorer(rmsprop_step: Callable | None, adam_step: Callable | None,
                       step_decay: Callable | None) -> Any:
    """Pick an optimizer, its learning rate and a step-decay schedule; see its cost per epoch.

    The curve is drawn over the same optimizer at its default learning rate (grey). RMSProp and
    Adam are the learner's functions; a schedule (``drop`` below 1) uses the learner's
    ``step_decay(epoch, base_rate, drop, epochs_per_drop)``. Until a function needed is written
    the explorer says which.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` is the cost curve drawn, shape (epochs + 1,), or None.
    """
    W = canvas.widgets()
    _, _, best = problem()

    @learner.says_why
    def show(optimizer="Adam", learning_rate=0.05, drop=1.0, epochs_per_drop=4):
        state, update = _updates(rmsprop_step, adam_step)[optimizer]
        who = {"RMSProp": "rmsprop_step", "Adam": "adam_step"}.get(optimizer, optimizer)
        if drop < 1:
            rates = [learner.call(step_decay, "step_decay", epoch, learning_rate, drop,
                                  epochs_per_drop, convert=float) for epoch in range(EPOCHS)]
        else:
            rates = [learning_rate] * EPOCHS
        costs = _curve(optimizer, who, update, state, rates)
        default = _curve(optimizer, who, update, state, [RATES[optimizer]] * EPOCHS)
        fig, ax = canvas.figure(figsize=(7.5, 3.8))
        epochs = np.arange(EPOCHS + 1)
        ax.plot(epochs, _excess(default, best), "-", color="#bbbbbb", lw=2,
                label=f"{optimizer}, learning rate {RATES[optimizer]:g}, constant")
        schedule = f", drop {drop:g} every {epochs_per_drop}" if drop < 1 else ", constant"
        ax.plot(epochs, _excess(costs, best), "o-", ms=3, lw=1.6, color=COLORS[optimizer],
                label=f"{optimizer}, learning rate {learning_rate:.3g}{schedule}")
        _cost_axis(ax, EPOCHS)
        final = costs[-1]
        ax.set_title(f"your {who if optimizer in ('RMSProp', 'Adam') else optimizer}: cost after "
                     f"{EPOCHS} epochs {final:.4g} (best possible {best:.4g})", fontsize=10)
        ax.legend(fontsize=9)
        canvas.show()
        return costs

    return W.interactive(
        show,
        optimizer=W.Dropdown(options=list(OPTIMIZERS), value="Adam", description="optimizer"),
        learning_rate=W.FloatLogSlider(value=0.05, base=10, min=-4, max=0, step=0.1,
                                       readout_format=".4f", description="learning rate"),
        drop=W.FloatSlider(value=1.0, min=0.1, max=1.0, step=0.05, description="drop"),
        epochs_per_drop=W.IntSlider(value=4, min=1, max=15, description="every (epochs)"),
    )
