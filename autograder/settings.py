"""The course's constants: where it lives, what a student sees in place of a solution.

:func:`autograder.nbgrader_api.configure` turns them into nbgrader's settings, shared by
``nbgrader_config.py`` and the ``ann-course`` commands.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: What a student sees in place of a solution.
CODE_STUB = (
    "# YOUR CODE HERE\n"
    'raise NotImplementedError("not implemented yet: replace this line with your code")'
)

#: Warnings printed on stderr must never zero a test cell (nbgrader scores any stderr output 0).
WARNING_PATTERN = r"Warning"
