"""Creating figures: matplotlib is imported on first use, never when the package is imported.

Figures use matplotlib's constrained layout, which is computed when a figure is drawn: making a
figure is cheap, and with a non-drawing backend (Agg, as in a grading kernel) nothing more is paid.
"""


def pyplot():
    """``matplotlib.pyplot``, imported on first use."""
    import matplotlib.pyplot as plt

    return plt


def figure(nrows=1, ncols=1, **kwargs):
    """``plt.subplots(nrows, ncols, layout="constrained", **kwargs)``: the figure and its axes."""
    return pyplot().subplots(nrows, ncols, layout="constrained", **kwargs)


def show():
    """Show the explorer's current figure in its output area (``plt.show()``)."""
    pyplot().show()


def widgets():
    """``ipywidgets``, imported on first use."""
    import ipywidgets

    return ipywidgets
