"""CSV files an instructor opens: every cell safe for a spreadsheet.

CSV injection (OWASP): a *text* cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is written with a leading ``'``, so a spreadsheet shows it as text instead of
running it as a formula. Numbers (scores, points, totals; a late penalty is ``-2``) are not text:
they are written as plain numbers, so that an LMS imports them as numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: What a text cell may not begin with (OWASP's CSV injection rule).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Number(float):
    """A number cell: written as a plain number (``-2``, ``4.5``), never neutralised."""

    def __str__(self):
        return f"{float(self):g}"


def cell(value: object) -> str:
    """What a CSV cell holds: numbers as numbers; text with a leading ``'`` if it could run."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(Number(value))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(path: str | Path, header: Iterable[Any], records: Iterable[Iterable[Any]]) -> Path:
    """Write a CSV file, every cell through :func:`cell` (the header too)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow([cell(h) for h in header])
        for record in records:
            w.writerow([cell(v) for v in record])
    return path
