"""The typed records a grading job passes on: from the executor to the job, from the job to the grader.

* :class:`NotebookEvents`: what happened while one notebook ran on the grading kernel
  (:class:`autograder.grading.execution.GuardedExecute` fills it; the job reads it, in the same
  process, through :func:`autograder.grading.execution.take_events`).
* :class:`NotebookScores` and :class:`JobResult`: what one job
  (:func:`autograder.grading.job.grade_job`) returns to the grader, from a worker process or a
  Dask worker (all picklable): the rows of ``grades.csv`` and the scores the grader merges into the
  class gradebook (:meth:`autograder.grading.grade.Grader.merge`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from autograder.outputs.diagnosis import Diagnosis
from autograder.outputs.grades import Row


@dataclass
class NotebookEvents:
    """What happened while one notebook ran; a cell is named by its grade id (else its index)."""

    #: the checkers' tools found changed, each where and how (flagged for review)
    tamper: list[str] = field(default_factory=list)
    dead: str | None = None           #: the cell in which the kernel died, if it did
    unresponsive: bool = False        #: the kernel died by no longer answering (not a crash)
    timeouts: list[str] = field(default_factory=list)   #: cells past the per-cell time limit
    memory: list[str] = field(default_factory=list)     #: cells that ran out of memory
    #: what went wrong with the run of a test cell, if anything: "timeout", "kernel died" or
    #: "memory" ({grade id: kind})
    cell_status: dict[str, str] = field(default_factory=dict)
    #: each test cell's failing checks, as the judge decided them
    verdicts: dict[str, list[Diagnosis]] = field(default_factory=dict)
    run: float = 0.0     #: seconds: the whole run, the kernel's start included
    cells: float = 0.0   #: seconds: the cells' own run
    judge: float = 0.0   #: seconds: judging the test cells (the kernel's calls included)


@dataclass(frozen=True)
class NotebookScores:
    """One graded notebook's scores, as the job's gradebook holds them."""

    #: {grade id: (auto score, needs manual grade)}
    grades: Mapping[str, tuple[float | None, bool]]
    comments: Mapping[str, str | None]   #: {grade id: the automatic comment}
    late_penalty: float | None = None


@dataclass(frozen=True)
class SubmissionFacts:
    """What the job's gradebook knows about the submission's lateness."""

    timestamp: str | None = None   #: when it was submitted (ISO 8601), if known
    seconds_late: float = 0.0
    #: {notebook: the late rule, in words (:func:`autograder.outputs.late_policy.describe`)}
    late: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JobResult:
    """One job's result: its ``grades.csv`` rows and what goes into the class gradebook."""

    student: str
    assignment: str
    rows: tuple[Row, ...]
    scores: Mapping[str, NotebookScores] = field(default_factory=dict)  #: per graded notebook
    facts: SubmissionFacts = SubmissionFacts()
    #: a kernel died (crash, killed, out of memory): the runner grades the notebook once more
    #: and the grader never caches such a result
    kernel_died: bool = False
    #: the job could not be graded (every test cell 0 with a status saying why); never cached
    failed: bool = False
    #: seconds per stage (:data:`autograder.grading.job.JOB_STAGES`)
    seconds: Mapping[str, float] = field(default_factory=dict)
