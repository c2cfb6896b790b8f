"""nbgrader configuration of this course, for nbgrader's own commands and ``ann-course grade``.

The settings live in ``autograder/settings.py`` so that ``ann-course`` uses the very same ones;
the course's root is the folder of this file (its gradebook is ``gradebook.db`` here).
``ann-course grade submitted`` also reads this file, so course-specific nbgrader settings added
below (e.g. the late-submission policy) apply to both.
"""

from pathlib import Path

from autograder.nbgrader_api import configure

c = get_config()  # noqa: F821  (get_config is provided by nbgrader)
configure(c, root=Path(__file__).resolve().parent)

# Late submissions (an assignment's due date is set with
# `nbgrader db assignment add LESSON --duedate="2026-12-01 23:59:00 UTC"`): nbgrader's
# LateSubmissionPlugin gives 'none' (no penalty, the default) or 'zero' (the notebook scores 0).
# c.LateSubmissionPlugin.penalty_method = "zero"
# Or a share of the max score per started day late, capped, with per-student extensions
# (autograder/outputs/late_policy.py; README, "Late submissions"):
# c.AssignLatePenalties.plugin_class = "autograder.outputs.late_policy.PenaltyPerDay"
# c.PenaltyPerDay.percent_per_day = 10
# c.PenaltyPerDay.max_percent = 50
# c.PenaltyPerDay.extension_hours = {"student_id": 48}
