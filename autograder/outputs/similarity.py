"""Review hints for the class report: near-identical answers, and answers that copy ``ann_lib``.

Each answer cell (nbgrader ``solution`` cell, found by its ``grade_id``) of every submitted notebook
``SUBMITTED/<student>/<assignment>/<notebook>.ipynb`` is *normalised* with :mod:`tokenize`:
comments, docstrings, blank lines and layout are dropped, every string becomes ``S``, every
identifier becomes a placeholder numbered by first appearance (``v0``, ``v1``, ...; attribute
names after a ``.``, keywords and builtins are kept). Renaming variables or reformatting code
therefore changes nothing. The token stream is fingerprinted by winnowing (Schleimer, Wilkerson &
Aiken 2003, as in MOSS) with `copydetect <https://github.com/blingenf/copydetect>`_'s
implementation: the hashes of all ``K``-token runs, of which each window of ``WINDOW`` keeps its
smallest. Any common run of at least ``K + WINDOW - 1`` tokens is then seen. (copydetect's own
tokenizer is not used: it turns every name into the same ``V``, so ``a = b + a`` and
``x = y + z`` would match; its file-based detector wants files, not cells.)

* The release stub (the function's signature and docstring, ``raise NotImplementedError()``) is
  boilerplate: its fingerprints are removed from every answer, so answers that only keep the
  template, or differ only inside it, are never paired.
* Only answers with at least ``MIN_TOKENS`` tokens besides the stub are compared (one-line answers
  such as ``return X @ w + b`` are what everyone writes). Two students are paired when at least
  ``PAIR_COVERAGE`` of each answer's tokens outside the stub lie in runs the two share. Two
  students who both hand in the solution's exact code are a pair like any other.
* An answer *copies the reference* when at least ``REFERENCE_COVERAGE`` of its tokens, outside
  the stub and outside what the solution itself shares with ``ann_lib``, lie in runs shared with
  one function of ``ann_lib``.

How it scales (a class of hundreds): each submitted notebook is read once, and of each answer only
its tokens and fingerprints are kept while its exercise is compared. Answers identical after
normalisation form one group (compared once, shown once with every student who wrote it). Two
groups are compared only when they are *candidates*: they share fingerprints (an inverted index
from fingerprint to the answers that have it) whose runs could cover ``PAIR_COVERAGE`` of both
answers (a necessary condition, so no pair is missed); :attr:`Findings.comparisons` counts the
pairs actually compared. A copy of ``ann_lib`` is looked for only in the functions that share a
fingerprint with the answer.

These are hints for a human to review; they never change a score.
"""

from __future__ import annotations

import ast
import builtins
import functools
import io
import keyword
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import nbformat

from autograder import notebooks, regular
from autograder.settings import REPO

#: Tokens per fingerprinted run (the noise threshold of winnowing).
K = 8
#: Runs per winnowing window: any shared run of K + WINDOW - 1 tokens is detected.
WINDOW = 4
#: An answer needs at least this many tokens between the stub's first and last lines to be compared
#: at all (``return np.where(np.asarray(z) >= 0, 1.0, 0.0)`` has 20).
MIN_TOKENS = 25
#: Share of both answers' tokens in shared runs for a pair.
PAIR_COVERAGE = 0.8
#: Share of an answer's tokens in runs shared with one ann_lib function.
REFERENCE_COVERAGE = 0.7

_KEEP = frozenset(keyword.kwlist) | frozenset(dir(builtins))
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


def normalise(source: str) -> list[str]:
    """The tokens of ``source`` with names, strings, comments, docstrings and layout normalised.

    Parameters
    ----------
    source : str
        Python code (an answer cell). Code that does not tokenize to the end (a syntax error)
        keeps the tokens read before the error.

    Returns
    -------
    list of str
        One string per token: keywords, builtins, operators, numbers and attribute names as
        written; other identifiers as ``v<i>`` by first appearance; strings as ``S``;
        ``NEWLINE``, ``INDENT`` and ``DEDENT`` as ``;``, ``{`` and ``}``. A string that is a
        statement of its own (a docstring) is dropped.
    """
    names: dict[str, str] = {}
    out: list[str] = []
    line_start, skip_newline = True, False
    previous = None
    try:
        tokens = list(_tokens(source))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = _tokens_until_error(source)
    for i, tok in enumerate(tokens):
        kind, text = tok.type, tok.string
        if kind in _SKIP:
            continue
        if kind == tokenize.STRING and line_start and _ends_statement(tokens, i):
            skip_newline = True  # a docstring or a bare string statement: dropped with its end
            continue
        if kind == tokenize.NEWLINE:
            if out and out[-1] != ";" and not skip_newline:
                out.append(";")
            skip_newline = False
        elif kind == tokenize.INDENT:
            out.append("{")
        elif kind == tokenize.DEDENT:
            out.append("}")
        elif kind == tokenize.NAME:
            if text in _KEEP or previous == ".":
                out.append(text)
            else:
                out.append(names.setdefault(text, f"v{len(names)}"))
        elif kind == tokenize.STRING or kind in _FSTRING:
            if not out or out[-1] != "S":
                out.append("S")
        else:
            out.append(text)
        previous = text
        line_start = kind in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    return out


_FSTRING = {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
            if hasattr(tokenize, n)}


def _tokens(source):
    return tokenize.generate_tokens(io.StringIO(source).readline)


def _tokens_until_error(source):
    got = []
    try:
        for tok in _tokens(source):
            got.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return got


def _ends_statement(tokens, i):
    """Whether the string token ``tokens[i]`` is followed by the end of its statement."""
    for tok in tokens[i + 1:]:
        if tok.type in (tokenize.COMMENT, tokenize.NL):
            continue
        return tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER)
    return True


#: One character per distinct token (for the whole process, so fingerprints can be cached).
_ALPHABET: dict[str, str] = {}


class Fingerprinter:
    """Winnowed fingerprints of token streams."""

    @staticmethod
    def _text(tokens):
        # one character per token, so that copydetect's character k-grams are token k-grams
        return "".join(_ALPHABET.setdefault(t, chr(0x4E00 + len(_ALPHABET))) for t in tokens)

    def __call__(self, tokens, boilerplate=()):
        """``(hashes, {hash: [token index, ...]}, covered tokens)`` without ``boilerplate``."""
        from copydetect.utils import get_document_fingerprints, get_token_coverage

        if len(tokens) < K + WINDOW - 1:
            return set(), {}, 0
        # boilerplate is removed here, not by copydetect (its removal assumes unique hashes)
        _, index = get_document_fingerprints(self._text(tokens), K, WINDOW)
        index = {h: i for h, i in index.items() if h not in boilerplate}
        return set(index), index, int(get_token_coverage(index, K, len(tokens)))

    @staticmethod
    def coverage(index: dict[Any, list[Any]], shared: set[Any], n_tokens: int) -> int:
        """How many tokens lie in runs whose hash is in ``shared``."""
        from copydetect.utils import get_token_coverage

        return int(get_token_coverage({h: index[h] for h in shared}, K, n_tokens))


@dataclass
class Answer:
    student: str
    assignment: str
    notebook: str
    exercise: str
    source: str
    tokens: list = field(repr=False, default_factory=list)
    hashes: set = field(repr=False, default_factory=set)
    index: dict = field(repr=False, default_factory=dict)
    covered: int = 0
    given: str = field(repr=False, default="")  #: the release's answer cell (the stub)
    same: list = field(default_factory=list)  #: other students whose answer normalises the same
    twin: Answer | None = field(repr=False, default=None)  #: the first of them (for the report)

    @property
    def excerpt(self) -> str:
        """The student's own lines (:func:`own_lines`), shortened (:func:`excerpt`)."""
        return excerpt(own_lines(self.source, self.given))


#: The most lines and characters of code the report shows for one answer.
EXCERPT_LINES = 12
EXCERPT_CHARS = 700


def own_lines(source: str, given: str) -> str:
    """``source`` without the release's own text: the lines of ``given`` (the stub: signature,
    docstring, given code), the stub's ``raise NotImplementedError``, comments and blank lines."""
    stub = {ln.strip() for ln in given.splitlines()}
    keep = []
    for line in source.splitlines():
        text = line.strip()
        if not text or text.startswith("#") or text in stub or text.startswith(
                "raise NotImplementedError"):
            continue
        keep.append(line)
    return "\n".join(keep)


def without_docstring(source: str) -> str:
    """A function's source without its docstring (for the report's ``ann_lib`` excerpts)."""
    try:
        node: Any = ast.parse(source).body[0]  # a def, a class or any statement
    except (SyntaxError, IndexError):
        return source
    doc = node.body[0] if getattr(node, "body", None) else None
    if not (isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
            and isinstance(doc.value.value, str)):
        return source
    lines = source.splitlines()
    return "\n".join(lines[:doc.lineno - 1] + lines[doc.end_lineno:])


def excerpt(code: str, lines: int = EXCERPT_LINES, chars: int = EXCERPT_CHARS) -> str:
    """The first ``lines`` lines of ``code`` (at most ``chars`` characters, whole lines), and
    how many lines were left out."""
    kept: list[str]
    kept, size = [], 0
    all_lines = [ln for ln in code.splitlines() if ln.strip()]
    for line in all_lines:
        if len(kept) >= lines or (kept and size + len(line) > chars):
            break
        kept.append(line[:chars])
        size += len(line) + 1
    rest = len(all_lines) - len(kept)
    return "\n".join(kept) + (f"\n... ({rest} more line{'s' if rest > 1 else ''})" if rest else "")


@dataclass
class Pair:
    """Two students' near-identical answers to one exercise."""
    assignment: str
    exercise: str
    a: Answer
    b: Answer
    coverage: float  # the smaller of the two answers' shares of tokens in shared runs


@dataclass
class ReferenceCopy:
    """An answer most of which is the source of one ``ann_lib`` function."""
    answer: Answer
    function: str  # "ann_lib.module.name"
    reference: str  # that function's source
    coverage: float


@dataclass
class Findings:
    pairs: list
    copies: list
    compared: set  # {(student, assignment, exercise)} of the answers long enough to compare
    comparisons: int = 0  #: pairs of distinct answers whose shared runs were measured


def _stub(solution_source):
    """The release's answer cell: the solution cell without its solution regions."""
    keep, inside = [], False
    for line in solution_source.splitlines():
        if line.strip() == notebooks.BEGIN_SOLUTION:
            inside = True
            keep.append(line[:len(line) - len(line.lstrip())] + "raise NotImplementedError()")
        elif line.strip() == notebooks.END_SOLUTION:
            inside = False
        elif not inside:
            keep.append(line)
    return "\n".join(keep)


def body_length(tokens: list[str], stub: list[str]) -> int:
    """How many of ``tokens`` are not the stub's: without their common prefix and suffix."""
    n = min(len(tokens), len(stub))
    head = next((i for i in range(n) if tokens[i] != stub[i]), n)
    tail = next((i for i in range(n - head) if tokens[-1 - i] != stub[-1 - i]), n - head)
    return len(tokens) - head - tail


def reference_functions(package: Path | str = REPO / "ann_lib") -> dict[str, str]:
    """``{"ann_lib.module.name": source}`` of every function and method in ``package``, without
    its type annotations (a student's copy of a typed function rarely carries them)."""
    found = {}
    for path in sorted(Path(package).rglob("*.py")):
        text = path.read_text()
        module = ".".join(path.relative_to(Path(package).parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found[f"{module}.{node.name}"] = _without_annotations(text, node)
    return found


def _without_annotations(text, node):
    """The source of the function ``node`` of ``text``, its (and its inner code's) annotations cut:
    ``x: T = 1`` becomes ``x = 1``, ``) -> T:`` becomes ``):``."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def at(line, col):  # ast columns count UTF-8 bytes
        return starts[line - 1] + len(lines[line - 1].encode()[:col].decode())

    first, cuts = at(node.lineno, node.col_offset), []
    for n in ast.walk(node):
        if isinstance(n, ast.arg) and n.annotation is not None:
            end = at(n.annotation.end_lineno, n.annotation.end_col_offset)
            default = re.match(r"\s*=\s*", text[end:])  # ``x: T = 1`` is written ``x=1`` untyped
            cuts.append((at(n.lineno, n.col_offset) + len(n.arg),
                         end + (default.end() if default else 0), "=" if default else ""))
        elif isinstance(n, ast.AnnAssign) and n.value is not None:
            cuts.append((at(n.target.end_lineno, n.target.end_col_offset),
                         at(n.annotation.end_lineno, n.annotation.end_col_offset), ""))
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.returns is not None:
            arrow = text.rindex("->", first, at(n.returns.lineno, n.returns.col_offset))
            cuts.append((len(text[:arrow].rstrip()), at(n.returns.end_lineno, n.returns.end_col_offset), ""))
    source = text[first:at(node.end_lineno, node.end_col_offset)]
    for start, end, put in sorted(cuts, reverse=True):
        source = source[:start - first] + put + source[end - first:]
    return source


@functools.lru_cache(maxsize=4)
def _reference(package):
    """``({name: source}, {name: fingerprints})`` of ``ann_lib``'s functions, once per process."""
    source = reference_functions(package)
    return source, {name: Fingerprinter()(normalise(text)) for name, text in source.items()}


def _answer_cells(path, under=None):
    try:  # a submitted notebook: a regular file, read without following a link (autograder.regular)
        nb = (notebooks.read(path) if under is None else
              nbformat.reads(regular.read_file(path, under).decode("utf-8"), as_version=4))
    except Exception:  # noqa: BLE001 - an unreadable notebook is reported by grading, not here
        return {}
    return {notebooks.nbgrader_meta(c).get("grade_id"): c.source for c in nb.cells
            if notebooks.is_answer(c)}


def _add(groups, a):
    """Put ``a`` in ``groups`` ({tokens: the first answer with them}): a new group, or one more
    student of the group with its very tokens (of whom only the first other keeps its code, as
    the group's ``twin``, for the report to show both)."""
    kept = groups.setdefault(tuple(a.tokens), a)
    if kept is not a:
        kept.same.append(a.student)
        if kept.twin is None:
            kept.twin = Answer(a.student, a.assignment, a.notebook, a.exercise, a.source,
                               given=a.given)


def _weight(a, shared):
    """At most how many of ``a``'s tokens runs with the hashes ``shared`` can cover."""
    return K * sum(len(a.index[h]) for h in shared)


def candidates(groups: list[Answer]) -> list[tuple[Answer, Answer, set[Any]]]:
    """``[(a, b, shared hashes)]``: the pairs of ``groups`` whose shared runs could cover
    ``PAIR_COVERAGE`` of both (found through an index from each hash to the answers having it)."""
    having = defaultdict(list)
    for i, a in enumerate(groups):
        for h in a.hashes:
            having[h].append(i)
    shared = defaultdict(set)
    for h, members in having.items():
        for i, j in combinations(members, 2):
            shared[(i, j)].add(h)
    return [(groups[i], groups[j], hs) for (i, j), hs in sorted(shared.items())
            if _weight(groups[i], hs) >= PAIR_COVERAGE * groups[i].covered
            and _weight(groups[j], hs) >= PAIR_COVERAGE * groups[j].covered]


def _exercise_findings(groups, baseline, reference, ref_source, fp):
    """``(pairs, copies, comparisons)`` among one exercise's answer ``groups``."""
    pairs = [Pair(a.assignment, a.exercise, a, a.twin, 1.0) for a in groups if a.twin]
    found = candidates(groups)
    for a, b, shared in found:
        cov = min(fp.coverage(a.index, shared, len(a.tokens)) / a.covered,
                  fp.coverage(b.index, shared, len(b.tokens)) / b.covered)
        if cov >= PAIR_COVERAGE:
            pairs.append(Pair(a.assignment, a.exercise, a, b, cov))
    having = defaultdict(set)
    for fn, r in reference.items():
        for h in r[0]:
            having[h].add(fn)
    copies = []
    for a in groups:
        hashes, index, covered = fp(a.tokens, baseline)
        if not covered:
            continue
        near = sorted({fn for h in hashes for fn in having.get(h, ())})
        best = max(((fp.coverage(index, hashes & reference[fn][0], len(a.tokens)) / covered, fn)
                    for fn in near), default=(0.0, ""))
        if best[0] >= REFERENCE_COVERAGE:
            copies.append(ReferenceCopy(a, best[1], ref_source[best[1]], best[0]))
    return pairs, copies, len(found)


def find(submitted: Path | str, root: Path | str = REPO) -> Findings:
    """Near-identical answers and copies of ``ann_lib`` in a class's submitted notebooks.

    Parameters
    ----------
    submitted : path
        ``SUBMITTED/<student>/<assignment>/<notebook>.ipynb``, as graded.
    root : path
        The course: its ``solutions/`` (stubs and solution baseline) and ``ann_lib/``.

    Returns
    -------
    Findings
        ``pairs`` (highest coverage first) and ``copies``, each ordered for the report;
        ``comparisons``: how many pairs of distinct answers were measured (the candidates).
    """
    submitted, root = Path(submitted), Path(root)
    fp = Fingerprinter()
    ref_source, reference = _reference(str(root / "ann_lib"))
    pairs, copies, compared, comparisons = [], [], set(), 0
    for solution in sorted((root / "solutions").glob("*/*.ipynb")):
        assignment, name = solution.parent.name, solution.name
        exercises: dict[str, tuple[str, list[str], set[Any], set[Any], dict[Any, Answer]]] = {}
        for exercise, sol_source in _answer_cells(solution).items():
            stub_tokens = normalise(_stub(sol_source))
            stub = fp(stub_tokens)[0]
            sol_hashes = fp(normalise(notebooks.student_answer(sol_source)), stub)[0]
            baseline = stub | {h for r in reference.values() for h in r[0] & sol_hashes}
            exercises[exercise] = (_stub(sol_source), stub_tokens, stub, baseline, {})
        for path in regular.submitted_paths(submitted, assignment, name):  # each read once
            cells = _answer_cells(path, under=submitted)
            for exercise, (given, stub_tokens, stub, _, groups) in exercises.items():
                source = cells.get(exercise)
                if source is None:
                    continue
                a = Answer(path.parent.parent.name, assignment, name, exercise, source,
                           normalise(source), given=given)
                if tuple(a.tokens) not in groups:
                    a.hashes, a.index, a.covered = fp(a.tokens, stub)
                    if not (a.covered and body_length(a.tokens, stub_tokens) >= MIN_TOKENS):
                        continue
                _add(groups, a)
        for exercise, (_, _, _, baseline, groups) in exercises.items():
            compared |= {(s, assignment, exercise) for a in groups.values()
                         for s in (a.student, *a.same)}
            found = _exercise_findings(list(groups.values()), baseline, reference, ref_source, fp)
            pairs += found[0]
            copies += found[1]
            comparisons += found[2]
    pairs.sort(key=lambda p: (p.assignment, p.exercise, -p.coverage, p.a.student, p.b.student))
    copies.sort(key=lambda c: (c.answer.assignment, c.answer.exercise, c.answer.student))
    return Findings(pairs, copies, compared, comparisons)


def _side(a, other=None):
    """One answer's cell of the report: its student (and who else handed in the very same code,
    ``other``'s student apart), and its excerpt."""
    import html

    same = [s for s in a.same if other is None or s != other.student]
    also = f"<br><small>the same code: also {html.escape(', '.join(same))}</small>" if same else ""
    return f"<td><b>{html.escape(a.student)}</b>{also}<pre>{html.escape(a.excerpt)}</pre></td>"


def html_section(submitted: Path | str, root: Path | str = REPO) -> list[str]:
    """The report's "Similar answers" section (a list of HTML strings)."""
    import html

    e = html.escape
    try:
        import copydetect  # noqa: F401
    except ImportError:
        return ["<h2>Similar answers</h2><p>Not computed: the copydetect package is missing "
                "(<code>pip install 'ann-course[grading]'</code>).</p>"]
    findings = find(submitted, root)
    side = ("<td><b>{}</b><pre>{}</pre></td>").format
    parts = ["<h2>Similar answers (review hints, no score change)</h2>",
             f"<p>{len(findings.compared)} answer(s) long enough to compare (at least {MIN_TOKENS} "
             "tokens besides the release stub), after renaming identifiers and dropping comments, "
             "docstrings and layout. Excerpts show each student's own lines (not the release's "
             f"signature, docstring and given code), at most {EXCERPT_LINES} lines.</p>",
             "<h3>Near-identical pairs</h3>"]
    if findings.pairs:
        parts.append("<table class='similar'><tr><th>assignment</th><th>exercise</th>"
                     "<th>shared</th><th>first student</th><th>second student</th></tr>")
        for p in findings.pairs:
            parts.append(f"<tr><td>{e(p.assignment)}</td><td>{e(p.exercise)}</td>"
                         f"<td>{p.coverage:.0%}</td>" + _side(p.a, p.b) + _side(p.b, p.a) + "</tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h3>Answers that copy ann_lib (the reference implementation)</h3>")
    if findings.copies:
        parts.append("<table class='similar'><tr><th>assignment</th><th>exercise</th>"
                     "<th>shared</th><th>student's answer</th><th>ann_lib</th></tr>")
        for c in findings.copies:
            a = c.answer
            parts.append(f"<tr><td>{e(a.assignment)}</td><td>{e(a.exercise)}</td>"
                         f"<td>{c.coverage:.0%}</td>" + _side(a)
                         + side(e(c.function), e(excerpt(without_docstring(c.reference))))
                         + "</tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    return parts
