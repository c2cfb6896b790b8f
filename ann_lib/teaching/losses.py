"""Lesson 05, loss functions: the regression losses side by side, lines fitted under each of them,
and an explorer of the learner's costs with one outlier."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ann_lib import losses, optim
from ann_lib.teaching import canvas, learner

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def loss_panel(r: ArrayLike | None = None, delta: float = 1.0,
               quantiles: Sequence[float] = (0.25, 0.5, 0.75), epsilon: float = 1.0, *,
               mse: Callable | None = None, mae: Callable | None = None, huber: Callable | None = None,
               log_cosh: Callable | None = None, quantile: Callable | None = None,
               epsilon_insensitive: Callable | None = None) -> Figure:
    """The regression losses as functions of the residual ``r = y_true - y_pred``, panels (a)-(f).

    (a) squared, (b) absolute, (c) Huber (`delta`), (d) log-cosh, (e) quantile for each of
    `quantiles`, (f) epsilon-insensitive (`epsilon`). Each panel draws the learner's own cost
    when it is given, else the :mod:`ann_lib.losses` reference. A learner's cost that is not
    written yet, or fails, is not replaced by the reference: its panel says what to do.

    Parameters
    ----------
    r : ndarray of shape (n_points,), optional
        Residuals to draw; defaults to 241 points on [-3, 3].
    delta, quantiles, epsilon : float, tuple of float, float
        Huber's delta, the q of each quantile curve, the half-width of the epsilon tube.
    mse, mae, huber, log_cosh, quantile, epsilon_insensitive : callable, optional
        The learner's costs, ``cost(y_true, y_pred, ...)`` returning the mean loss (``huber``
        takes ``delta``, ``quantile`` takes ``q``, ``epsilon_insensitive`` takes ``epsilon``).
        The loss at residual ``r`` is the cost of the single sample ``y_true = r``,
        ``y_pred = 0``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    r = np.linspace(-3, 3, 241) if r is None else np.asarray(r, dtype=float)
    mine = {"mse": mse, "mae": mae, "huber": huber, "log_cosh": log_cosh, "quantile": quantile,
            "epsilon_insensitive": epsilon_insensitive}

    def curve(name, **kw):
        """The loss at every residual of `r`: the learner's if given, else the reference's."""
        if mine[name] is None:
            loss, _ = losses.LOSSES[name]
            return loss(r, np.zeros_like(r), reduction="none", **kw)
        return np.array([learner.call(mine[name], name, r[i:i + 1], np.zeros(1), convert=float,
                                      **kw) for i in range(r.size)])

    def whose(name):
        return "your " if mine[name] is not None else ""

    fig, axes = canvas.figure(2, 3, figsize=(12, 6.4))
    axes = axes.ravel()
    panels: list[tuple[Any, str, list[dict[str, float]], str]]
    panels = [
        (axes[0], "mse", [{}], f"(a) {whose('mse')}squared: $r^2$"),
        (axes[1], "mae", [{}], f"(b) {whose('mae')}absolute: $|r|$"),
        (axes[2], "huber", [{"delta": delta}], f"(c) {whose('huber')}Huber, $\\delta$ = {delta:g}"),
        (axes[3], "log_cosh", [{}], f"(d) {whose('log_cosh')}log-cosh: $\\log\\cosh r$"),
        (axes[4], "quantile", [{"q": q} for q in quantiles],
         f"(e) {whose('quantile')}quantile (pinball)"),
        (axes[5], "epsilon_insensitive", [{"epsilon": epsilon}],
         f"(f) {whose('epsilon_insensitive')}$\\epsilon$-insensitive, $\\epsilon$ = {epsilon:g}"),
    ]
    for ax, name, settings, title in panels:
        ax.set_title(title)
        try:
            for kw in settings:
                ax.plot(r, curve(name, **kw), lw=2.2, label=f"q = {kw['q']:g}" if "q" in kw else None)
        except learner.NotReady as why:
            message = str(why).replace("this explorer", "this figure")
            ax.text(0.5, 0.5, textwrap.fill(message, 34), transform=ax.transAxes, ha="center",
                    va="center", fontsize=8, color="crimson")
    axes[2].plot(r, 0.5 * r**2, color="grey", ls=":", lw=1)
    for s in (-delta, delta):
        axes[2].axvline(s, color="grey", ls="--", lw=0.8)
    if axes[4].get_lines():
        axes[4].legend(fontsize=8)
    for s in (-epsilon, epsilon):
        axes[5].axvline(s, color="grey", ls="--", lw=0.8)
    for ax in axes:
        ax.set_xlabel("residual r = y_true - y_pred")
        ax.set_xlim(r.min(), r.max())
        ax.set_ylim(-0.2, 4.2)
        ax.grid(alpha=0.3)
    return fig


#: How :func:`outlier_fits` draws each cost's line: colour, dash pattern, width (distinct
#: dashes, so that lines lying on top of each other stay visible).
FIT_STYLES = {"MSE": ("tab:blue", "-", 2.4), "MAE": ("tab:orange", "--", 2.6),
              "Huber": ("tab:green", "-.", 2.2), "log-cosh": ("tab:red", ":", 2.8)}


def outlier_fits(x: ArrayLike, y: ArrayLike, delta: float = 1.0,
                 true_line: tuple[float, float] | None = None) -> Figure:
    """A line fitted to data with outliers under MSE, MAE, Huber and log-cosh.

    Each line minimises its cost (:func:`ann_lib.optim.fit_line`). Left: the data and the four
    lines, each with its own colour and dash pattern. Right (with `true_line`): the robust fits
    (MAE, Huber, log-cosh), which almost coincide on the left, each minus the true line over the
    range of ``x``, on a scale where they can be told apart; a note says where MSE's line lies.

    Parameters
    ----------
    x, y : ndarray of shape (n_samples,)
    delta : float
        Huber's delta.
    true_line : (slope, intercept), optional
        Drawn for comparison (and the right-hand panel measured from it).

    Returns
    -------
    matplotlib.figure.Figure
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    fits: list[tuple[str, str, Callable, dict[str, Any]]]
    fits = [("MSE", "MSE", losses.mse_grad, {}), ("MAE", "MAE", losses.mae_grad, {}),
            ("Huber", f"Huber (delta {delta:g})", losses.huber_grad, {"delta": delta}),
            ("log-cosh", "log-cosh", losses.log_cosh_grad, {})]
    lines = [(key, label, *optim.fit_line(x, y, grad, **kw)) for key, label, grad, kw in fits]
    fig, axes = canvas.figure(1, 2 if true_line is not None else 1,
                              figsize=(12, 4.8) if true_line is not None else (7.5, 4.8),
                              squeeze=False)
    ax = axes[0, 0]
    ax.scatter(x, y, s=14, color="grey", alpha=0.6, label="data")
    grid = np.linspace(x.min(), x.max(), 50)
    for key, label, w, b in lines:
        colour, dashes, width = FIT_STYLES[key]
        ax.plot(grid, w * grid + b, color=colour, ls=dashes, lw=width,
                label=f"{label}: y = {w:.2f} x + {b:.2f}")
    if true_line is not None:
        ax.plot(grid, true_line[0] * grid + true_line[1], color="black", lw=1,
                label=f"true line: y = {true_line[0]:g} x + {true_line[1]:g}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("The squared error is pulled towards the outliers", fontsize=11)
    ax.legend(fontsize=9, loc="upper left")
    ax.grid(alpha=0.3)
    if true_line is not None:
        gap = axes[0, 1]
        truth = true_line[0] * grid + true_line[1]
        for key, label, w, b in lines[1:]:
            colour, dashes, width = FIT_STYLES[key]
            gap.plot(grid, w * grid + b - truth, color=colour, ls=dashes, lw=width, label=label)
        gap.axhline(0, color="black", lw=1, label="true line")
        w, b = lines[0][2:]
        off = w * grid + b - truth
        gap.text(0.02, 0.03, f"MSE's line (off this scale) lies {off.min():.1f} to {off.max():.1f} "
                 "above the true line", transform=gap.transAxes, fontsize=9, color="tab:blue")
        gap.set_xlabel("x")
        gap.set_ylabel("fitted line - true line")
        gap.set_title("The robust fits, close up: each minus the true line", fontsize=11)
        gap.legend(fontsize=9, loc="upper right")
        gap.grid(alpha=0.3)
    return fig


#: The inliers of the outlier explorer: nine values near 5.
INLIERS = np.array([3.8, 4.3, 4.6, 4.9, 5.0, 5.2, 5.5, 5.9, 6.4])


def outlier_explorer(mse: Callable | None = None, mae: Callable | None = None, huber: Callable | None = None,
                     y: ArrayLike | None = None) -> Any:
    """Drag one outlier; watch the constant that minimises each of the learner's costs follow it.

    A constant prediction ``c`` for every sample is fitted by trying 601 values of ``c`` and
    keeping the one with the smallest cost. MSE's best constant is the mean, MAE's the median,
    Huber's lies in between. Only the learner's costs are drawn; one that is not written yet is
    left out and the explorer says so.

    Parameters
    ----------
    mse, mae, huber : callable or None
        The learner's costs ``mse(y_true, y_pred)``, ``mae(y_true, y_pred)``,
        ``huber(y_true, y_pred, delta)``, each returning the mean loss.
    y : ndarray of shape (n_samples,), optional
        The inliers; defaults to :data:`INLIERS`. The outlier is added to them.

    Returns
    -------
    ipywidgets.interactive
        Its ``result`` maps the name of each cost drawn to its best constant, or is None when
        none could be drawn.
    """
    W = canvas.widgets()
    inliers = INLIERS if y is None else np.asarray(y, dtype=float)
    candidates = np.linspace(-5, 45, 601)
    costs = {"MSE (mean)": ("mse", mse), "MAE (median)": ("mae", mae), "Huber": ("huber", huber)}

    @learner.says_why
    def show(outlier=20.0, delta=1.0):
        data = np.append(inliers, outlier)
        curves, notes = {}, []
        for label, (name, fn) in costs.items():
            extra = (delta,) if name == "huber" else ()
            try:
                curves[label] = np.array([learner.call(fn, name, data, np.full(data.size, c),
                                                       *extra, convert=float)
                                          for c in candidates])
            except learner.NotReady as why:
                notes.append(str(why))
        if not curves:
            raise learner.NotReady("\n".join(notes))
        fig, (left, right) = canvas.figure(1, 2, figsize=(11, 4))
        left.scatter(np.arange(data.size - 1), inliers, color="grey", zorder=3, label="data")
        left.scatter([data.size - 1], [outlier], color="crimson", s=60, zorder=3,
                     label="outlier")
        best = {}
        for label, values in curves.items():
            best[label] = float(candidates[np.argmin(values)])
            line = right.plot(candidates, values / max(np.max(values), 1e-12), lw=2,
                              label=f"your {costs[label][0]}")[0]
            left.axhline(best[label], color=line.get_color(), lw=2,
                         label=f"{label}: c = {best[label]:.2f}")
        left.set_ylim(-6, 46)
        left.set_xlabel("sample")
        left.set_ylabel("y")
        left.legend(fontsize=8, loc="upper left")
        left.set_title("\n".join(notes) or "best constant prediction c under each of your costs",
                       fontsize=9)
        right.set_xlabel("constant prediction c")
        right.set_ylabel("cost(c) / its maximum")
        right.set_title("cost of predicting c for every sample", fontsize=9)
        right.legend(fontsize=8)
        for ax in (left, right):
            ax.grid(alpha=0.3)
        canvas.show()
        return best

    return W.interactive(
        show,
        outlier=W.FloatSlider(value=20.0, min=-5.0, max=45.0, step=0.5, description="outlier y"),
        delta=W.FloatSlider(value=1.0, min=0.1, max=5.0, step=0.1, description="Huber delta"),
    )
