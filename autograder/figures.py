"""Pictures of a failing answer, drawn from plain data (the ``plot`` of a :class:`~autograder.core.Verdict`).

One drawing serves both sides: a learner's self-check shows it in her notebook, and the grader
draws it in its own process, from the values the kernel returned, and adds it to the failing test
cell's outputs before the feedback is written (:func:`autograder.feedback.verdict_outputs`).
matplotlib's Agg canvas draws it directly: no pyplot, so no backend is chosen or changed.
"""

from __future__ import annotations

import io

import numpy as np

#: The picture's size in inches and its resolution: small, beside the message it illustrates.
SIZE = (4.0, 2.5)
DPI = 80


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


def disagreement_png(plot) -> bytes:
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
    ax.set_title(str(plot.get("title", ""))[:80], fontsize=9)
    ax.set_xlabel(str(plot.get("xlabel", ""))[:40], fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout(pad=0.4)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
