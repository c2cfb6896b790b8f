"""What the grader writes once the sandboxes are gone.

``grades`` (the grade rows, ``grades.csv`` and ``totals.csv``), ``report`` (``report.html``),
``feedback`` (nbgrader's feedback pages: sanitised outputs, the verdicts' pictures),
``similarity`` (similar answers, for the report's review section).

May import: settings, notebooks, regular, checks.
"""
