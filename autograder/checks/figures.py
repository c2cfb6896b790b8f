"""Pictures of a failing answer, drawn from plain data (the ``plot`` of a
:class:`~autograder.checks.core.Verdict`).

One drawing serves both sides: a learner's self-check shows it in her notebook, and the grader
draws it in its own process, from the values the kernel returned, and adds it to the failing test
cell's outputs before the feedback is written (:func:`autograder.outputs.feedback.verdict_outputs`).
matplotlib's Agg canvas draws it directly: no pyplot, so no backend is chosen or changed.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

#: The picture's size in inches and its resolution: 640 x 400 pixels, wide enough that its
#: text reads at the size of the message it illustrates.
SIZE = (6.4, 4.0)
DPI = 100


def _y_limits(expected, got):
    """A y range showing the expected curve and the learner's values, far outliers at its edge."""
    finite = expected[np.isfinite(expected)]
    e_lo, e_hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    span = max(e_hi - e_lo, 1.0)
    lo, hi = e_lo, e_hi
    shown = got[np.isfinite(got)]
    if shown.size:
        lo = max(min(lo, float(shown.min())), e_lo - 2 * span)
        hi = min(max(hi, float(shown.max())), e_hi + 2 * span)
    pad = 0.08 * max(hi - lo, span)
    return lo - pad, hi + pad


def png(plot: dict[str, Any]) -> bytes:
    """PNG of a verdict's picture: a decision boundary (``kind: "boundary"``) or a curve."""
    return boundary_png(plot) if plot.get("kind") == "boundary" else disagreement_png(plot)


def _canvas():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig):
    fig.tight_layout(pad=0.4)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def boundary_png(plot: dict[str, Any]) -> bytes:
    """PNG of a learner's linear decision boundary ``w . x + b = 0`` over 2-D points.

    ``plot`` is plain data: ``title``, ``points`` (n x 2), ``wanted`` and ``got`` (n classes, 0 or
    1), ``w`` (2 numbers) and ``b``. The side where the learner's neuron fires is shaded; points
    are filled where the class wanted is 1, and those it classifies wrong are circled.
    """
    points = np.asarray(plot["points"], dtype=float).reshape(-1, 2)
    wanted, got = (np.asarray(plot[k], dtype=float).ravel() for k in ("wanted", "got"))
    w = np.asarray(plot["w"], dtype=float).ravel()
    b = float(plot["b"])
    lo, hi = points.min(axis=0) - 0.75, points.max(axis=0) + 0.75
    fig = _canvas()
    ax = fig.add_subplot()
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 121), np.linspace(lo[1], hi[1], 121))
    fires = (w[0] * gx + w[1] * gy + b >= 0).astype(float)
    ax.contourf(gx, gy, fires, levels=[-0.5, 0.5, 1.5], colors=["white", "tab:orange"], alpha=0.25)
    if np.any(w != 0):
        ax.contour(gx, gy, w[0] * gx + w[1] * gy + b, levels=[0.0], colors="tab:orange",
                   linewidths=1.5)
    ax.scatter(points[:, 0], points[:, 1], s=40, c=["tab:blue" if v else "white" for v in wanted],
               edgecolors="tab:blue", zorder=3, label="wanted 1 (filled) / 0")
    bad = wanted != got
    ax.scatter(points[bad, 0], points[bad, 1], s=160, facecolors="none", edgecolors="tab:red",
               linewidths=1.5, zorder=4, label=f"wrong ({int(bad.sum())} of {len(wanted)})")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_title(str(plot.get("title", ""))[:80], fontsize=12)
    ax.set_xlabel("x1 (shaded: your neuron fires)", fontsize=11)
    ax.set_ylabel("x2", fontsize=11)
    ax.tick_params(labelsize=10)
    ax.legend(fontsize=10, loc="upper left")
    return _png(fig)


def disagreement_png(plot: dict[str, Any]) -> bytes:
    """PNG of the learner's values against the expected curve, the points that disagree circled.

    ``plot`` is plain data: ``title``, ``xlabel``, ``x``, ``expected``, ``got`` (lists of numbers
    of one length), ``rtol`` and ``atol`` (what counts as agreeing). Values off the chart (or not
    finite) are drawn at its top or bottom edge.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    x, expected, got = (np.asarray(plot[k], dtype=float) for k in ("x", "expected", "got"))
    bad = ~np.isclose(got, expected, rtol=plot.get("rtol", 1e-6), atol=plot.get("atol", 1e-9),
                      equal_nan=True)
    lo, hi = _y_limits(expected, got)
    shown = np.clip(np.nan_to_num(got, nan=hi, posinf=hi, neginf=lo), lo, hi)

    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(x, expected, "-", color="0.35", lw=1.5, label="expected")
    ax.plot(x, shown, ".", color="tab:blue", ms=4, label="yours")
    ax.plot(x[bad], shown[bad], "o", mfc="none", mec="tab:red", mew=1.2, ms=7,
            label=f"disagree ({int(bad.sum())} of {x.size})")
    ax.set_ylim(lo, hi)
    ax.set_title(str(plot.get("title", ""))[:80], fontsize=12)
    ax.set_xlabel(str(plot.get("xlabel", ""))[:40], fontsize=11)
    ax.tick_params(labelsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=10, loc="best")
    fig.tight_layout(pad=0.4)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
