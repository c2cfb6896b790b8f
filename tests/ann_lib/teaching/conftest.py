"""Figures are made with the Agg backend and closed after each test."""

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def printed(capsys):
    """What was printed since the last call, without the terminal codes that ipywidgets'
    ``clear_output`` writes outside a kernel."""
    return capsys.readouterr().out.replace("\x1b[2K\r", "")


def drawn(capsys, explorer):
    """The explorer's result and what it printed when it was built."""
    return explorer.result, printed(capsys)
