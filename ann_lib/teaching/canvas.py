"""Creating figures: matplotlib is imported on first use, never when the package is imported.

Figures use matplotlib's constrained layout, which is computed when a figure is drawn: making a
figure is cheap, and with a non-drawing backend (Agg, as in a grading kernel) nothing more is paid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType

    from matplotlib.figure import Figure


def pyplot() -> ModuleType:
    """``matplotlib.pyplot``, imported on first use."""
    import matplotlib.pyplot as plt

    return plt


def figure(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """``plt.subplots(nrows, ncols, layout="constrained", **kwargs)``: the figure and its axes."""
    return pyplot().subplots(nrows, ncols, layout="constrained", **kwargs)


def show() -> None:
    """Show the explorer's current figure in its output area (``plt.show()``)."""
    pyplot().show()


def widgets() -> ModuleType:
    """``ipywidgets``, imported on first use."""
    import ipywidgets

    return ipywidgets
