"""nbgrader settings shared by ``nbgrader_config.py`` and the ``ann-course`` commands.

One place says how the course is built and graded, so that running nbgrader by hand (formgrader,
``nbgrader validate``) and running ``ann-course`` give the same results.
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


def configure(c, root=REPO):
    """Apply the course's nbgrader settings to a traitlets Config ``c``."""
    from autograder.feedback import SanitizeTestOutputs, WrapLongLines

    root = Path(root)
    c.CourseDirectory.course_id = "ann-course"
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = "solutions"
    c.CourseDirectory.release_directory = "course"
    # nbgrader's usual place, at the course's root: it exists in a fresh clone, so every
    # `nbgrader db ...`, `collect`, formgrader and `ann-course grade submitted` share one gradebook.
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    c.ClearSolutions.code_stub = {"python": CODE_STUB}
    c.ClearSolutions.enforce_metadata = True
    c.Execute.timeout = 60
    c.Execute.interrupt_on_timeout = True
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = WARNING_PATTERN
    c.OverwriteCells.add_missing_cells = True
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    c.GenerateFeedback.preprocessors = [
        GetGrades,
        ClearHiddenTests,
        SanitizeTestOutputs,
        CSSHTMLHeaderPreprocessor,
        WrapLongLines,
    ]
    return c
