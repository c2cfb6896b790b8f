"""Capping what a cell printed (nbgrader's LimitOutput counts lines, not characters)."""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

#: The most a notebook's outputs may hold in the grader (characters); the rest is dropped as it
#: arrives (:meth:`autograder.grading.execution.GuardedExecute.output`; each output is then cut
#: to 20000 characters for the feedback anyway, :class:`CapOutput`).
MAX_OUTPUT = 32 << 20


class CapOutput(NbGraderPreprocessor):
    """Cap each output's text at ``max_chars`` characters (LimitOutput only counts lines)."""

    max_chars = Integer(20000).tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int
                        ) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                if len(text) > self.max_chars:
                    output["text"] = (text[: self.max_chars]
                                      + f"\n... [{len(text) - self.max_chars} characters cut]\n")
            for key, value in list(output.get("data", {}).items()):
                if isinstance(value, str) and len(value) > self.max_chars and key.startswith("text"):
                    output["data"][key] = value[: self.max_chars] + "\n... [cut]"
        return cell, resources
