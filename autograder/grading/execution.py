"""The executor: nbgrader's Execute preprocessor on the grading kernel, the grader judging.

:class:`GuardedExecute` runs a notebook on the grading kernel of :mod:`autograder.inkernel.kernel`
(memory cap, safe ``sys.path``; launched in a sandbox of its own, :mod:`.kernel_launch`), judges
every test cell in the grader's process (:mod:`autograder.checks.judge`) from what the kernel
computed (:mod:`autograder.inkernel.compute`), flags tampering with the checkers' tools, and
survives a kernel that dies. The cells were restored before (:mod:`.restore`); which checks a test
cell calls comes from the course's own cells (:func:`autograder.lessons.hidden_tests`);
:mod:`.configuration` puts it in nbgrader's autograde with the run's limits.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import importlib
import json
import os
import time
from typing import TYPE_CHECKING, Any, cast

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from traitlets import Bool, Instance, Unicode, default

from autograder import notebooks
from autograder.checks import plain
from autograder.checks.core import Check, Verdict
from autograder.checks.judge import Judgement, KernelAnswerError
from autograder.checks.testcells import cell_verdicts
from autograder.grading import kernel_tree
from autograder.grading.kernel_launch import IpcExecute, kernel_spec, sandbox_kernel
from autograder.grading.output_cap import MAX_OUTPUT
from autograder.grading.records import NotebookEvents
from autograder.lessons import hidden_tests
from autograder.limits import Limits
from autograder.outputs import diagnosis
from autograder.outputs.feedback import verdict_outputs
from autograder.outputs.feedback_figures import NOT_DRAWN, Figures, note
from autograder.release.release_data import teaching_of
from autograder.settings import REPO

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

#: What a teaching cell of the release shows in the graded copy (it is not run while graded)
#: when the grader does not draw the lesson's figures (``ann-course check``).
SKIPPED = "(a figure or explorer of the lesson: not run while grading)\n"
#: The time the grader gives all the lesson's figures of one notebook (:mod:`.feedback_figures`).
FIGURE_SECONDS = 60.0


#: What each notebook's run left for its job, in this process: {report key: {notebook: events}}.
_EVENTS: dict[str, dict[str, NotebookEvents]] = {}


def take_events(report_key: str) -> dict[str, NotebookEvents]:
    """What happened to each notebook run under ``report_key`` ({notebook name without .ipynb:
    events}); forgotten here once taken."""
    return _EVENTS.pop(report_key, {})


#: The errors in a cell's outputs that say what went wrong with the run (not with the answer).
_ERROR_KINDS = {"CellTimeoutError": "timeout", "DeadKernelError": "kernel died",
                "DeadKernel": "kernel died", "MemoryError": "memory"}


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GuardedExecute(IpcExecute):
    """nbgrader's Execute on the grading kernel; the grader judges every test cell itself.

    A test cell first runs in the kernel (its visible asserts may fail it: a student can only
    hurt herself there; its hidden one-line calls do nothing, see :func:`autograder.inkernel.compute.begin`).
    Then, for every ``checks.<check>(<answer>)`` that the lesson's solution notebook puts in that
    cell's hidden region, :mod:`autograder.checks.judge` has the kernel call the answer on inputs drawn
    for this run and judges the results here, in the grader's process. The cell keeps its points
    only if every verdict passes: a failing verdict is added to the cell's outputs as a
    ``CheckFailed`` error, which is what nbgrader scores. Before and after each test cell, the
    kernel is also asked whether the checkers' tools were changed (:mod:`autograder.inkernel.kernel`): that
    is only flagged for review, it no longer decides anything.
    """

    limits = Instance(Limits, args=(), help="what the notebook may use (its timeout is this "
                      "preprocessor's own)").tag(config=True)
    lesson_module = Unicode("", help="the checks module of the lesson").tag(config=True)
    solutions_root = Unicode(str(REPO), help="the course folder whose solutions/ say which checks "
                             "each test cell calls").tag(config=True)
    report_key = Unicode("", help="the job's key under which what happened to each notebook is kept "
                         "for it (take_events)").tag(config=True)

    sandbox = Bool(True, help="run the kernel in a bubblewrap sandbox of its own "
                   "(autograder.sandbox.bubblewrap)").tag(config=True)
    figures = Bool(help="draw the lesson's figures in the grader from the kernel's values "
                   "(autograder.outputs.feedback_figures); else a note (default: on, unless the "
                   "environment sets ANN_COURSE_FIGURES=0)").tag(config=True)

    @default("figures")
    def _figures_default(self) -> bool:
        return os.environ.get("ANN_COURSE_FIGURES", "1") != "0"

    def create_kernel_manager(self) -> KernelManager:
        km = super().create_kernel_manager()  # reached over IPC
        km._kernel_spec = kernel_spec(self.limits, self.sandbox)
        # all the kernel imports of the course (autograder.grading.kernel_tree)
        tree = str(kernel_tree.tree(self.lesson_module or "autograder.checks.core"))
        km._kernel_spec.env["ANN_COURSE_TREE_ONLY"] = "1"
        if not self.sandbox:  # first on its path (a boundary only with the sandbox's files)
            km._kernel_spec.env["PYTHONPATH"] = os.pathsep.join(
                [tree, *filter(None, [os.environ.get("PYTHONPATH")])])
        if self.sandbox:
            self._ipc_dir = sandbox_kernel(km, self.limits, cast(str, self._ipc_dir), tree)
        return km

    def preprocess(self, nb: NotebookNode, resources: Any = None,
                   km: KernelManager | None = None) -> tuple[NotebookNode, dict[str, Any]]:
        self._events = NotebookEvents()
        self._output_left = MAX_OUTPUT
        self._dead: str | None = None
        self._started = False
        self._seed = int.from_bytes(os.urandom(8), "little")
        self._hidden = hidden_tests(self.solutions_root, self.lesson_module)
        self._teaching = teaching_of(self.solutions_root, self.lesson_module)
        self._figures = None
        self._drawing_stuck = False
        start = time.perf_counter()
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self._events.run = time.perf_counter() - start
            if self.report_key:
                notebook = (resources or {}).get("unique_key", "notebook")
                _EVENTS.setdefault(self.report_key, {})[notebook] = self._events

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        """nbclient's, until the notebook's outputs reach :data:`MAX_OUTPUT` (then dropped)."""
        content = msg.get("content") or {}
        size = len(str(content.get("text", ""))) + sum(
            len(v) if isinstance(v, str) else len(json.dumps(v)) for v in
            (content.get("data") or {}).values())
        self._output_left -= size
        if self._output_left < 0:
            if self._output_left + size >= 0:  # once: say so where it happened
                outs.append(NotebookNode(output_type="stream", name="stderr", text=(
                    f"[the grader dropped this notebook's outputs beyond {MAX_OUTPUT >> 20} MiB]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)

    async def _ask(self, code):
        """Evaluate ``code`` silently in the kernel; its value (a str), or None on a timeout."""
        msg_id = await ensure_async(self.kc.execute("", silent=True, store_history=False,
                                                    user_expressions={"r": code}))
        reply = await self.async_wait_for_reply(msg_id)
        if reply is None:
            return None
        r = reply["content"].get("user_expressions", {}).get("r", {})
        if r.get("status") != "ok":
            return f"{r.get('ename')}: {r.get('evalue')}"
        text = r.get("data", {}).get("text/plain", "''")
        if len(text) > plain.MAX_CHARS + 16:  # refused before it is parsed (autograder.checks.plain)
            return f"a reply of {len(text)} characters"
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
        return value if isinstance(value, str) else text

    async def _judge(self, check, answer, label):
        """``(verdict, used)`` on ``answer`` (None: right); kernel failures raise as for a cell."""
        j = Judgement(check, answer, self._seed)
        while True:
            what, value = j.step()
            if what == "done":
                return value, j.used
            reply = await self._ask(f"__import__('autograder.inkernel.compute', fromlist=['run'])"
                                    f".run(get_ipython().user_ns, {value!r})")
            if reply is None:
                self._events.timeouts.append(label)
                return Verdict(f"`{answer}` did not return within the {self.timeout or 0:g} s limit "
                               "when the grader called it (an endless loop?).", kind="error"), j.used
            try:
                j.take(reply)
            except KernelAnswerError as exc:
                self._events.tamper.append(f"in {label}: {exc}")
                return Verdict(f"`{answer}` could not be checked: {exc}.", kind="error"), j.used

    async def _kernel_guard(self, code):
        problem = await self._ask(f"__import__('autograder.inkernel.kernel').inkernel.kernel.{code}")
        return "the grader's guard did not answer" if problem is None else problem

    async def async_execute_cell(self, cell: NotebookNode, cell_index: int,
                                 execution_count: int | None = None,
                                 store_history: bool = True) -> NotebookNode:
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        test = utils.is_grade(cell) and not utils.is_solution(cell)
        if not test and not utils.is_solution(cell) and cell.source.strip() in self._teaching.cells:
            cell.outputs = await self._teaching_outputs(cell.source)
            return cell  # a figure or explorer of the release: not run in the kernel
        if self._figures is not None:
            self._figures.ran(cell.source)
        label = str(notebooks.nbgrader_meta(cell).get("grade_id", cell.get("id", cell_index)))
        if self._dead is not None:
            cell.outputs = []
            if test:
                cell.outputs = [_error("DeadKernelError",
                                       f"the kernel died earlier, in cell {self._dead}")]
                self._events.cell_status.setdefault(label, "kernel died")
            return cell
        trusted = utils.is_locked(cell) and not test and not utils.is_solution(cell)
        try:
            if not self._started:
                self._started = True
                await self._ask("__import__('autograder.inkernel.compute', fromlist=['begin']).begin()")
                problem = await self._kernel_guard(f"snapshot(get_ipython(), "
                                                   f"{self.lesson_module or 'autograder.checks.core'!r})")
                if problem:
                    self._events.tamper.append(problem)
            if trusted:
                await self._kernel_guard("trust_before(get_ipython())")
            if test:
                problem = await self._kernel_guard("verify(get_ipython())")
                if problem:
                    self._events.tamper.append(f"before {label}: {problem}")
            start = time.perf_counter()
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
            self._events.cells += time.perf_counter() - start
            if trusted:
                await self._kernel_guard("trust_after(get_ipython())")
            if test:
                start = time.perf_counter()
                verdicts = await self._judge_cell(label)
                self._events.judge += time.perf_counter() - start
                problem = await self._kernel_guard("verify(get_ipython())")
                if problem:
                    self._events.tamper.append(f"during {label}: {problem}")
                cell.outputs = list(cell.outputs) + [o for v in verdicts for o in verdict_outputs(v)]
        except DeadKernelError:
            self._dead = label
            self._events.dead = label
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("DeadKernelError", f"the kernel died while running cell {label}")]
        except CellTimeoutError as exc:  # no reply and no output: the kernel is wedged
            self._dead = label
            self._events.dead = label
            self._events.unresponsive = True
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("DeadKernelError", f"the kernel stopped responding in cell {label} "
                                          f"({str(exc).splitlines()[0][:120]})")]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                kind = _ERROR_KINDS.get(output.get("ename", ""))
                if kind == "timeout":
                    self._events.timeouts.append(label)
                elif kind == "memory":
                    self._events.memory.append(label)
                if test and kind:  # the first of them is what went wrong in the test cell
                    self._events.cell_status.setdefault(label, kind)
        return cell

    async def _teaching_outputs(self, source):
        """A teaching cell's outputs: its figure drawn here from the kernel's values, or a note."""
        if not self.figures or self._dead is not None or not self._started:
            return note(SKIPPED)
        if self._drawing_stuck:
            return note(NOT_DRAWN.format(why="an earlier figure of this notebook took too long"))
        loop = asyncio.get_running_loop()
        if self._figures is None:
            def ask(code):  # from the drawing thread, on this loop; never waits unbounded
                asked = asyncio.run_coroutine_threadsafe(self._ask(code), loop)
                try:
                    return asked.result(timeout=2 * (self.timeout or 60) + 10)
                except concurrent.futures.TimeoutError:
                    asked.cancel()
                    return None  # the figure then says the function did not return in time
            module = importlib.import_module(self.lesson_module)
            # the figure's first pass: a right answer of each check (a Property's model too)
            references = {c.function: c.model_answer() for c in vars(module).values()
                          if isinstance(c, Check) and c.model_answer() is not None}
            self._figures = Figures(self._teaching.imports, ask, FIGURE_SECONDS, references)
        try:  # bounded also where the drawing thread itself hangs (it is then left behind)
            outputs = await asyncio.wait_for(loop.run_in_executor(None, self._figures.draw, source),
                                             FIGURE_SECONDS + 2 * (self.timeout or 60) + 30)
        except TimeoutError:
            self._drawing_stuck = True
            return note(NOT_DRAWN.format(why="drawing it took longer than grading allows"))
        size = sum(len(v) for o in outputs for v in (o.get("data") or {}).values())
        self._output_left -= size
        return outputs if self._output_left >= 0 else note(SKIPPED)

    async def _judge_cell(self, label):
        """The failing verdicts of the checks the solution's test cell ``label`` calls."""
        calls = self._hidden.get(label)
        found = self._events.verdicts.setdefault(label, [])
        if not calls:
            found.append(diagnosis.Diagnosis(label, "error"))
            return [f"the grader knows no check for the test cell {label}, so it cannot pass"]
        cell = cell_verdicts(importlib.import_module(self.lesson_module), calls)
        try:
            request = next(cell)
            while True:
                request = cell.send(await self._judge(*request, label))
        except StopIteration as done:
            for verdict in done.value:  # the judge's decision, typed, for the grade rows
                found.append(diagnosis.of(getattr(verdict, "check", None) or label, verdict))
            return done.value

    execute_cell = run_sync(async_execute_cell)
