"""Late work as courses grade it: a penalty per started day late, capped, with per-student extensions.

nbgrader's own :class:`~nbgrader.plugins.LateSubmissionPlugin` knows ``none`` and ``zero``.
:class:`PenaltyPerDay` is a subclass, chosen in ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "autograder.outputs.late_policy.PenaltyPerDay"
    c.PenaltyPerDay.percent_per_day = 10      # % of the notebook's max score per started day late
    c.PenaltyPerDay.max_percent = 50          # never more than this % of the max score
    c.PenaltyPerDay.grace_minutes = 15        # a submission this little late is on time
    c.PenaltyPerDay.extension_hours = {"ann_s2": 48}   # extra time for some students

nbgrader's AssignLatePenalties calls it when a submission is late against the due date (the
gradebook's, extension included); it never takes more than the notebook's score.
:func:`describe` says in words what the rule did, for grades.csv's ``status`` and the feedback
(:class:`LateNote`).
"""

from __future__ import annotations

import math
from typing import Any

from nbformat import NotebookNode
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict, Float

DAY = 86400.0


class PenaltyPerDay(LateSubmissionPlugin):
    """``percent_per_day`` % of the max score per started day late, at most ``max_percent`` %."""

    percent_per_day = Float(10.0, help="% of the notebook's max score taken per started day "
                            "late").tag(config=True)
    max_percent = Float(100.0, help="the penalty never exceeds this % of the max score").tag(
        config=True)
    grace_minutes = Float(0.0, help="a submission at most this many minutes late is on time").tag(
        config=True)
    extension_hours = Dict(value_trait=Float(), help="{student_id: extra hours after the due "
                           "date}").tag(config=True)

    def days_late(self, student_id: str, total_seconds_late: float | None) -> int:
        """Started days late after the grace period and the student's extension (0: on time)."""
        extra = 3600.0 * self.extension_hours.get(student_id, 0.0)
        seconds = float(total_seconds_late or 0.0) - extra
        if seconds <= 60.0 * self.grace_minutes:
            return 0
        return math.ceil(seconds / DAY)

    def percent(self, student_id: str, total_seconds_late: float | None) -> float:
        """The % of the max score taken."""
        return min(self.max_percent, self.percent_per_day * self.days_late(student_id,
                                                                           total_seconds_late))

    def _max_score(self, score):
        """The notebook's max score, from the gradebook nbgrader's AssignLatePenalties has open."""
        parent = self.parent
        try:
            return parent.gradebook.find_submission_notebook(
                parent.notebook_id, parent.assignment_id, parent.student_id).max_score
        except Exception:  # noqa: BLE001 - called outside AssignLatePenalties: the score's share
            return score

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float | None,
    ) -> float | None:
        share = self.percent(student_id, total_seconds_late) / 100.0
        return round(share * float(self._max_score(score) or 0.0), 6) if share else None


def _plugin(config):
    """The late-submission plugin a traitlets ``config`` chooses (``AssignLatePenalties.plugin_class``)."""
    from traitlets.config import Config
    from traitlets.utils.importstring import import_item

    config = config if isinstance(config, Config) else Config(config or {})
    cls = config.get("AssignLatePenalties", {}).get("plugin_class", LateSubmissionPlugin)
    cls = import_item(cls) if isinstance(cls, str) else cls
    return cls(config=config)


def _duration(seconds):
    seconds = max(0, int(round(seconds)))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"]
    return " ".join(parts[:2]) if days or hours else parts[-1]


def describe(config: Any, student_id: str, total_seconds_late: float, penalty: float) -> str:
    """What the course's late rule did to a submission, in words (for ``late: ...`` statuses)."""
    plugin = _plugin(config)
    late = f"{_duration(total_seconds_late)} after the due date"
    if isinstance(plugin, PenaltyPerDay):
        extra = plugin.extension_hours.get(student_id, 0.0)
        if extra:
            late += f" (extension for this student: {extra:g} h)"
        days = plugin.days_late(student_id, total_seconds_late)
        return (f"{late}: {days} started day(s) late x {plugin.percent_per_day:g} % of the max "
                f"score per day, at most {plugin.max_percent:g} % = "
                f"{plugin.percent(student_id, total_seconds_late):g} %: -{penalty:g} point(s)")
    return f"{late}: rule '{plugin.penalty_method}': -{penalty:g} point(s)"


class LateNote(NbGraderPreprocessor):
    """Feedback: a first cell that says how late the submission was and what the rule took."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        import nbformat
        from nbgrader.api import Gradebook

        info = resources.get("nbgrader", {})
        try:
            with Gradebook(info["db_url"]) as gb:
                sub = gb.find_submission(info["assignment"], info["student"])
                notebook = gb.find_submission_notebook(info["notebook"], info["assignment"],
                                                       info["student"])
                penalty, seconds = notebook.late_submission_penalty, sub.total_seconds_late
        except Exception:  # noqa: BLE001 - no gradebook record: nothing to say
            return nb, resources
        if penalty:
            text = describe(self.config, info["student"], seconds, penalty)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                f"**Late submission.** Submitted {text.replace('*', '')}."))
        return nb, resources
