"""What a student's feedback shows, and how.

A failing test cell's traceback would print the lines around the failing call, hidden tests
included. In feedback we keep only the error's name and message, which is where the checks put
what was expected, what came back and the diagnosed mistake (:class:`SanitizeTestOutputs`), with
the picture of the mistake when the check has one (:func:`verdict_outputs`). Long messages wrap
in the feedback page instead of scrolling sideways (:class:`WrapLongLines`).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

if TYPE_CHECKING:
    from autograder.checks.core import Verdict

#: CSS added to every feedback page: a long message or array in an output wraps within the
#: page's width (code keeps its lines).
WRAP_CSS = """
div.output_area pre, div.output_subarea pre {
    white-space: pre-wrap;
    word-break: break-word;
    overflow-wrap: anywhere;
}
"""


def short_error(output: NotebookNode) -> NotebookNode:
    """Reduce an error output to ``Name: message`` (no traceback, no source lines)."""
    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
    return output


def error_output(ename: str, evalue: object) -> NotebookNode:
    """An error output as the grader adds it to a test cell (traceback: just ``Name: message``)."""
    return NotebookNode(output_type="error", ename=ename, evalue=str(evalue),
                        traceback=[f"{ename}: {evalue}"])


def verdict_outputs(verdict: Verdict) -> list[NotebookNode]:
    """The outputs a failing verdict adds to its test cell: the ``CheckFailed`` error, then the
    picture of the mistake (PNG, drawn here in the grader's process) when the verdict has one."""
    outputs = [error_output("CheckFailed", verdict)]
    plot = getattr(verdict, "plot", None)
    if plot is not None:
        from autograder.checks.figures import png as picture

        png = base64.b64encode(picture(plot)).decode("ascii")
        outputs.append(NotebookNode(output_type="display_data", metadata={},
                                    data={"image/png": png,
                                          "text/plain": "<the picture of this mistake>"}))
    return outputs


class SanitizeTestOutputs(NbGraderPreprocessor):
    """Strip tracebacks from the outputs of test cells (grade cells that are not answers)."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    short_error(output)
        return cell, resources


class WrapLongLines(NbGraderPreprocessor):
    """Add :data:`WRAP_CSS` to the page's inlined CSS (after ``CSSHTMLHeaderPreprocessor``)."""

    def preprocess(self, nb: NotebookNode,
                   resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        inlining = resources.setdefault("inlining", {})
        inlining["css"] = [*inlining.get("css", []), WRAP_CSS]
        return nb, resources
