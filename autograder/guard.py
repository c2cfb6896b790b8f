"""What stands between a hostile submission and nbgrader.

* :func:`restore_cells` puts the released test and read-only cells back (deleted, edited or with
  their nbgrader metadata flipped) before nbgrader sees the notebook;
* :func:`shadowing_files` finds files that would shadow the grader's packages (the submission's
  own code is scanned for review by :mod:`autograder.scan`);
* :class:`GuardedExecute` is nbgrader's Execute preprocessor run on the grading kernel of
  :mod:`autograder.kernel` (memory cap, safe ``sys.path``; launched in a bubblewrap sandbox of its
  own, :mod:`autograder.sandbox`), which judges every test cell in the grader's process
  (:mod:`autograder.judge`) from what the kernel computed (:mod:`autograder.compute`), flags
  tampering with the checkers' tools, and survives a kernel that dies;
* :class:`CapOutput` caps the size of what a cell printed (nbgrader's LimitOutput counts lines).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from autograder import notebooks
from autograder.core import Check, blame_uses, checks_of_answer
from autograder.feedback import verdict_outputs
from autograder.settings import REPO

#: Packages a student's files must not shadow in the grading kernel.
SHADOWED = ("ann_lib", "autograder", "numpy", "nbgrader", "IPython", "ipykernel", "matplotlib",
            "ipywidgets", "scipy", "builtins", "sys", "os", "traitlets")


def _locked(cell):
    meta = notebooks.nbgrader_meta(cell)
    return bool(meta.get("locked") or meta.get("grade")) and not meta.get("solution")


def restore_cells(nb, release):
    """Restore the release's locked cells (test cells, imports) in a submitted notebook.

    Cells are matched by nbgrader grade_id, else by cell id. Answer cells keep the student's
    source with the release's metadata; cells the release does not know lose any nbgrader
    metadata; locked cells that were deleted are put back after the cell that precedes them in
    the release. Returns ``(notebook, [what was restored])``; the notebook is unchanged when
    nothing needed restoring.
    """
    by_gid, by_id = {}, {}
    for cell in release.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if gid:
            by_gid[gid] = cell
        if cell.get("id"):
            by_id[cell["id"]] = cell
    notes, out, seen = [], [], set()
    for cell in nb.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        ref = by_gid.get(gid) if gid else None
        if ref is None and cell.get("id") in by_id and (
                gid or notebooks.nbgrader_meta(by_id[cell["id"]])):
            ref = by_id[cell["id"]]
        if ref is None or id(ref) in seen:
            if notebooks.nbgrader_meta(cell):
                notes.append(f"nbgrader metadata removed from an unknown cell {cell.get('id', '?')}")
                cell = nbformat.from_dict(cell)
                cell.metadata.pop("nbgrader", None)
            out.append(cell)
            continue
        seen.add(id(ref))
        ref_gid = notebooks.nbgrader_meta(ref).get("grade_id", ref.get("id"))
        if _locked(ref):
            if cell.get("source") != ref.source or notebooks.nbgrader_meta(cell) != \
                    notebooks.nbgrader_meta(ref) or cell.cell_type != ref.cell_type:
                notes.append(f"cell {ref_gid} restored")
            new = nbformat.from_dict(ref)
            new["id"] = ref.get("id", cell.get("id"))
            out.append(new)
        else:
            new = nbformat.from_dict(cell)
            if notebooks.nbgrader_meta(cell) != notebooks.nbgrader_meta(ref):
                notes.append(f"metadata of {ref_gid} restored")
                new.metadata["nbgrader"] = json.loads(json.dumps(notebooks.nbgrader_meta(ref)))
            if ref.cell_type != new.cell_type:
                new = nbformat.from_dict(ref) if ref.cell_type == "markdown" else new
            out.append(new)
    # put back the locked cells that are missing, after their predecessor in the release
    for i, ref in enumerate(release.cells):
        if id(ref) in seen or not (_locked(ref) or notebooks.nbgrader_meta(ref).get("solution")):
            continue
        ref_gid = notebooks.nbgrader_meta(ref).get("grade_id", ref.get("id"))
        notes.append(f"deleted cell {ref_gid} put back")
        pos = 0
        for prev in reversed(release.cells[:i]):
            ids = [k for k, c in enumerate(out) if c.get("id") == prev.get("id")]
            if ids:
                pos = ids[0] + 1
                break
        out.insert(pos, nbformat.from_dict(ref))
        seen.add(id(ref))
    if not notes:
        return nb, []
    new_nb = nbformat.from_dict(nb)
    new_nb.cells = out
    ids = set()
    for cell in new_nb.cells:  # ids must stay unique after the insertions
        if cell.get("id") in ids:
            cell["id"] = f"{cell['id']}-x{len(ids)}"
        ids.add(cell.get("id"))
    return new_nb, notes


def shadowing_files(folder):
    """Files or folders beside the notebook that would shadow a package the grader imports."""
    found = []
    for item in Path(folder).iterdir():
        stem = item.name.removesuffix(".py") if item.is_file() else item.name
        if stem in SHADOWED and (item.is_dir() or item.suffix in (".py", ".pyc", ".so", ".pth")):
            found.append(item.name)
    return sorted(found)


def kernel_spec(memory, sandboxed=False):
    """The grading kernel: safe sys.path, memory cap, one BLAS thread.

    In a sandbox, interrupts go as messages (a signal would reach bubblewrap, not the kernel).
    """
    env = {"ANN_COURSE_MEMORY": str(int(memory or 0)), "PYTHONSAFEPATH": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg",
           # glibc reserves 64 MiB of address space per thread's malloc arena: under the cap, a
           # kernel's threads alone could use it up
           "MALLOC_ARENA_MAX": "2"}
    return KernelSpec(argv=[sys.executable, "-P", "-m", "autograder.kernel", "-f",
                            "{connection_file}"],
                      display_name="ann-course grader", language="python", env=env,
                      interrupt_mode="message" if sandboxed else "signal",
                      resource_dir=str(Path(__file__).parent))


def use_ipc(km, folder=None):
    """Talk to ``km``'s kernel over Unix sockets in a private folder (returned), not TCP ports.

    Kernels started at the same time over TCP race for free ports ("Address already in use");
    IPC sockets are named after the kernel's own connection file, so they cannot collide.
    """
    # short: a Unix socket path is at most 107 bytes
    folder = folder or tempfile.mkdtemp(prefix="annk-")
    km.transport = "ipc"
    km.connection_file = os.path.join(folder, "kernel.json")
    km.ip = os.path.join(folder, "k")
    return folder


class IpcExecute(Execute):
    """nbgrader's Execute, on a kernel reached over IPC (see :func:`use_ipc`)."""

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        self._ipc_dir = use_ipc(km)
        return km

    def preprocess(self, nb, resources=None, km=None):
        self._ipc_dir = None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GuardedExecute(IpcExecute):
    """nbgrader's Execute on the grading kernel; the grader judges every test cell itself.

    A test cell first runs in the kernel (its visible asserts may fail it: a student can only
    hurt herself there; its hidden one-line calls do nothing, see :func:`autograder.compute.begin`).
    Then, for every ``checks.<check>(<answer>)`` that the lesson's solution notebook puts in that
    cell's hidden region, :mod:`autograder.judge` has the kernel call the answer on inputs drawn
    for this run and judges the results here, in the grader's process. The cell keeps its points
    only if every verdict passes: a failing verdict is added to the cell's outputs as a
    ``CheckFailed`` error, which is what nbgrader scores. Before and after each test cell, the
    kernel is also asked whether the checkers' tools were changed (:mod:`autograder.kernel`): that
    is only flagged for review, it no longer decides anything.
    """

    memory = Integer(1 << 30, help="address-space cap of the kernel in bytes (0: none)").tag(
        config=True)
    lesson_module = Unicode("", help="the checks module of the lesson").tag(config=True)
    solutions_root = Unicode(str(REPO), help="the course folder whose solutions/ say which checks "
                             "each test cell calls").tag(config=True)
    report_path = Unicode("", help="folder where to write what happened (<notebook>.json)").tag(config=True)

    sandbox = Bool(True, help="run the kernel in a bubblewrap sandbox of its own "
                   "(autograder.sandbox)").tag(config=True)
    cpu = Integer(600, help="CPU seconds of the whole kernel (in the sandbox)").tag(config=True)

    def create_kernel_manager(self):
        from autograder import sandbox, zygote

        km = super().create_kernel_manager()  # reached over IPC
        km._kernel_spec = kernel_spec(self.memory, self.sandbox)
        if self.sandbox:
            limits = sandbox.Limits(memory=self.memory, cpu=self.cpu)
            warm = zygote.zygote({**os.environ, **km._kernel_spec.env}, limits)
            if warm is not None:  # a warm start, in a sandbox of its own all the same
                shutil.rmtree(self._ipc_dir, ignore_errors=True)
                job = warm.new_job()
                use_ipc(km, os.path.join(job, "c"))
                self._ipc_dir = job
                km.provisioner = zygote.provisioner(km, warm, job, limits)
            else:
                km.provisioner = sandbox.provisioner(km, limits)
        return km

    def preprocess(self, nb, resources=None, km=None):
        self._events = {"tamper": [], "dead": None, "timeouts": [], "memory": []}
        self._dead = None
        self._started = False
        self._seed = int.from_bytes(os.urandom(8), "little")
        self._hidden = hidden_tests(self.solutions_root, self.lesson_module)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.report_path:
                key = (resources or {}).get("unique_key", "notebook")
                Path(self.report_path, f"{key}.json").write_text(json.dumps(self._events))

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
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
        return value if isinstance(value, str) else text

    async def _judge(self, check, answer, label):
        """The verdict on ``answer`` (None: right); kernel failures raise as for a cell."""
        from autograder.judge import Judgement, KernelAnswerError

        j = Judgement(check, answer, self._seed)
        while True:
            what, value = j.step()
            if what == "done":
                return value
            reply = await self._ask(f"__import__('autograder.compute', fromlist=['run'])"
                                    f".run(get_ipython().user_ns, {value!r})")
            if reply is None:
                self._events["timeouts"].append(label)
                return (f"`{answer}` did not return within the {self.timeout or 0:g} s limit when "
                        "the grader called it (an endless loop?).")
            try:
                j.take(reply)
            except KernelAnswerError as exc:
                self._events["tamper"].append(f"in {label}: {exc}")
                return f"`{answer}` could not be checked: {exc}."

    async def _kernel_guard(self, code):
        problem = await self._ask(f"__import__('autograder.kernel').kernel.{code}")
        return "the grader's guard did not answer" if problem is None else problem

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        test = utils.is_grade(cell) and not utils.is_solution(cell)
        if self._dead is not None:
            cell.outputs = []
            if test:
                cell.outputs = [_error("DeadKernelError",
                                       f"the kernel died earlier, in cell {self._dead}")]
            return cell
        trusted = utils.is_locked(cell) and not test and not utils.is_solution(cell)
        label = notebooks.nbgrader_meta(cell).get("grade_id", cell.get("id", cell_index))
        try:
            if not self._started:
                self._started = True
                await self._ask("__import__('autograder.compute', fromlist=['begin']).begin()")
                problem = await self._kernel_guard(f"snapshot(get_ipython(), "
                                                   f"{self.lesson_module or 'autograder.core'!r})")
                if problem:
                    self._events["tamper"].append(problem)
            if trusted:
                await self._kernel_guard("trust_before(get_ipython())")
            if test:
                problem = await self._kernel_guard("verify(get_ipython())")
                if problem:
                    self._events["tamper"].append(f"before {label}: {problem}")
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
            if trusted:
                await self._kernel_guard("trust_after(get_ipython())")
            if test:
                verdicts = await self._judge_cell(label)
                problem = await self._kernel_guard("verify(get_ipython())")
                if problem:
                    self._events["tamper"].append(f"during {label}: {problem}")
                cell.outputs = list(cell.outputs) + [o for v in verdicts for o in verdict_outputs(v)]
        except DeadKernelError:
            self._dead = label
            self._events["dead"] = label
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("DeadKernelError", f"the kernel died while running cell {label}")]
        except CellTimeoutError as exc:  # no reply and no output: the kernel is wedged
            self._dead = label
            self._events["dead"] = label
            self._events["unresponsive"] = label
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("DeadKernelError", f"the kernel stopped responding in cell {label} "
                                          f"({str(exc).splitlines()[0][:120]})")]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "CellTimeoutError":
                    self._events["timeouts"].append(label)
                elif output.get("ename") == "MemoryError":
                    self._events["memory"].append(label)
        return cell

    async def _judge_cell(self, label):
        """The failing verdicts of the checks the solution's test cell ``label`` calls."""
        import importlib

        calls = self._hidden.get(label)
        if not calls:
            return [f"the grader knows no check for the test cell {label}, so it cannot pass"]
        module = importlib.import_module(self.lesson_module)
        verdicts = []
        for attr, answer in calls:
            check = getattr(module, attr, None)
            if not isinstance(check, Check):
                verdicts.append(f"the grader has no check named {attr}")
                continue
            verdict = await self._judge(check, answer, label)
            if verdict and check.uses:
                verdict = blame_uses(check, verdict, await self._failing_uses(module, check, label))
            if verdict:
                verdicts.append(verdict)
        return verdicts

    async def _failing_uses(self, module, check, label):
        """Those of the answers ``check`` builds on that fail their own checks, judged here."""
        failing = []
        for used in check.uses:
            for other in checks_of_answer(module, used):
                if await self._judge(other, used, label):
                    failing.append(used)
                    break
        return failing

    execute_cell = run_sync(async_execute_cell)


def hidden_tests(root, lesson_module):
    """``{test grade_id: [(check, answer), ...]}`` of ``lesson_module``'s lesson.

    The course's own cells, never a submitted notebook, say which checks each test cell calls: the
    solution notebooks under ``root`` where there are some (the instructor's clone), else the
    lessons' graded cells shipped with the package (:mod:`autograder.release_data`, a student's
    installation).
    """
    from autograder import release_data
    from autograder.lessons import hidden_calls, module_name

    def ours(lesson):
        try:
            return module_name(lesson) == topic
        except ValueError:
            return False

    topic = lesson_module.rpartition(".")[2]
    solutions = Path(root, "solutions")
    if solutions.is_dir():
        sources = [notebooks.read(path) for folder in sorted(solutions.glob(f"*_{topic}"))
                   if ours(folder.name) for path in sorted(folder.glob("*.ipynb"))]
    else:
        sources = [nb for lesson, _, nb in release_data.available() if ours(lesson)]
    found = {}
    for nb in sources:
        for cell in nb.cells:
            if notebooks.is_test(cell):
                found[notebooks.nbgrader_meta(cell)["grade_id"]] = hidden_calls(cell.source)
    return found


class CapOutput(NbGraderPreprocessor):
    """Cap each output's text at ``max_chars`` characters (LimitOutput only counts lines)."""

    max_chars = Integer(20000).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
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


def configure_grading(c, timeout, memory, lesson_module="", report_path="", sandbox=True,
                      cpu=600):
    """Switch an nbgrader Config to the guarded execution (in place), sandboxed unless not."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                           LimitOutput, CapOutput, SaveAutoGrades,
                                           AssignLatePenalties, CheckCellMetadata]
    c.Execute.timeout = int(timeout)
    c.GuardedExecute.timeout = int(timeout)
    c.GuardedExecute.memory = int(memory)
    c.GuardedExecute.lesson_module = lesson_module
    c.GuardedExecute.report_path = report_path
    c.GuardedExecute.sandbox = bool(sandbox)
    c.GuardedExecute.cpu = int(cpu)
    c.GuardedExecute.shutdown_kernel = "immediate"  # the kernel is thrown away: no need to wait
    os.environ.setdefault("MPLBACKEND", "Agg")
    return c
