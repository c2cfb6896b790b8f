"""What a student's feedback may show.

A failing test cell's traceback would print the lines around the failing call, hidden tests
included. In feedback we keep only the error's name and message, which is where the checks put
what was expected, what came back and the diagnosed mistake.
"""

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor


def short_error(output):
    """Reduce an error output to ``Name: message`` (no traceback, no source lines)."""
    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
    return output


class SanitizeTestOutputs(NbGraderPreprocessor):
    """Strip tracebacks from the outputs of test cells (grade cells that are not answers)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    short_error(output)
        return cell, resources
