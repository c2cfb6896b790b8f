"""Feedback pages that run no student script, load nothing remote, and read well offline and on a phone.

A feedback page shows what a student submitted: her markdown, her outputs (HTML, JavaScript,
widgets), her cell metadata. Three layers keep all of it inert:

1. :class:`SanitizeOutputs` (an nbgrader preprocessor, before the page is rendered) keeps only
   plain text, PNG/JPEG pictures and sanitized HTML (`nh3`_, the Ammonia sanitizer) of every
   output; JavaScript, widget views and widget state are dropped, LaTeX outputs become MathML,
   SVG becomes an ``<img>`` (a picture cannot run script there), cell metadata is reduced to
   nbgrader's own, with safe values.
2. :class:`FeedbackExporter` renders markdown cells with their math converted to MathML when the
   page is written (`latex2mathml`_; browsers display MathML natively, no MathJax, no network),
   and the rest of each cell sanitized by nh3.
3. The finished page (:func:`finish_page`) has no ``<script>``, no event handler attribute, no
   remote ``src`` left at all, and a Content-Security-Policy that forbids every script and every
   load but inline styles and ``data:`` pictures (:data:`CSP`); plus a viewport and a layout
   (:data:`PAGE_CSS`) where the score header wraps on a phone and code scrolls inside its block.

.. _nh3: https://nh3.readthedocs.io
.. _latex2mathml: https://pypi.org/project/latex2mathml/
"""

from __future__ import annotations

import base64
import html
import re
import secrets
from typing import TYPE_CHECKING, Any

from jinja2 import pass_context as _contextfilter  # jinja2 >= 3 (what nbconvert 7 needs)
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbgrader.preprocessors import NbGraderPreprocessor

if TYPE_CHECKING:
    from jinja2.runtime import Context
    from nbformat import NotebookNode

#: No script at all, nothing loaded but inline styles and pictures inlined as ``data:`` URLs.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
       "base-uri 'none'; form-action 'none'")

#: The layout: a page that fits a 390 px phone and a 1280 px screen without sideways scrolling.
PAGE_CSS = """
html, body { max-width: 100%; overflow-x: hidden; }
body { padding: 0.5em; }
.container { width: auto; max-width: 1200px; padding-left: 0.5em; padding-right: 0.5em; }
div.nbgrader_cell .panel-heading, .panel-heading { height: auto; display: flow-root; }
.panel-heading h4 { white-space: normal; overflow-wrap: anywhere; line-height: 1.35; }
div#notebook-container, div.cell, div.inner_cell, div.output_wrapper, div.output,
div.output_area, div.output_subarea, div.input_area, div.text_cell_render { min-width: 0;
    max-width: 100%; box-sizing: border-box; }
div.input_area { overflow-x: auto; }
div.input_area pre { white-space: pre; }
div.output_subarea { overflow-x: auto; }
img { max-width: 100%; height: auto; }
math { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
math[display="block"] { display: block; margin: 0.6em 0; }
.rendered_html table, div.text_cell_render table { display: block; overflow-x: auto;
    max-width: 100%; border-collapse: collapse; margin: 0.6em 0; }
.rendered_html th, .rendered_html td, div.text_cell_render th, div.text_cell_render td {
    border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
.rendered_html thead th, div.text_cell_render thead th { background: #f0f0f0; }
.rendered_html tr:nth-child(even) td { background: #fafafa; }
code.latex-source { white-space: pre-wrap; }
@media (max-width: 700px) {
    div.prompt, div.input_prompt, div.output_prompt { display: none; }
    div.input, div.output_area { flex-direction: column; display: block; }
    div.inner_cell, div.output_subarea { width: 100%; max-width: 100%; flex: none; }
    body { font-size: 15px; padding: 0.25em; }
    .container { padding-left: 0.25em; padding-right: 0.25em; }
    .panel-heading .pull-right { float: none !important; display: block; }
    div.panel-body { padding: 0.25em; }
}
"""

#: Output mime types a feedback page may show as they are.
PLAIN = "text/plain"
PICTURES = ("image/png", "image/jpeg")
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]*$")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")
_NUMBER = re.compile(r"^\d{1,5}(\.\d+)?$")
#: What may point elsewhere in student HTML: links open on a click only; pictures must be inline.
_LINK_SCHEMES = ("http://", "https://", "mailto:", "#")
_PICTURE_URL = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.I)
#: Elements removed from the finished page wherever they come from.
_NEVER = ("script", "iframe", "frame", "object", "embed", "base", "link", "form", "applet",
          "noscript", "template", "portal")
_URL_ATTRIBUTES = ("src", "srcset", "href", "xlink:href", "action", "formaction", "poster",
                   "background", "data", "lowsrc", "dynsrc", "ping")


def _attribute_filter(element, attribute, value):
    """nh3's attribute filter: pictures only from ``data:`` URLs, links only to the web or mail."""
    if attribute == "src":
        return value if _PICTURE_URL.match(value.strip()) else None
    if attribute == "href":
        return value if value.strip().lower().startswith(_LINK_SCHEMES) else None
    return value


def sanitize(fragment: object) -> str:
    """Student HTML made inert: nh3's default allow-list (no script, style, event handler,
    iframe, form...), ``<img>`` only with a ``data:`` picture, links only to http(s)/mail."""
    import nh3

    return nh3.clean(str(fragment), attribute_filter=_attribute_filter,
                     url_schemes={"http", "https", "mailto", "data"})


#: The MathML that latex2mathml writes (its output is sanitized too: it copies ``\\text{...}``
#: and ``\\href`` verbatim).
MATHML_TAGS = {"math", "mrow", "mi", "mo", "mn", "ms", "msub", "msup", "msubsup", "mfrac", "msqrt",
               "mroot", "mtext", "mspace", "mtable", "mtr", "mtd", "mover", "munder", "munderover",
               "mstyle", "mpadded", "mphantom", "menclose", "semantics", "annotation", "mfenced"}
MATHML_ATTRIBUTES = {"math": {"display", "xmlns"},
                     "*": {"mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
                           "width", "height", "depth", "columnalign", "displaystyle", "scriptlevel",
                           "accent", "accentunder", "movablelimits", "linethickness", "minsize",
                           "maxsize", "symmetric", "largeop", "form", "notation", "columnspacing",
                           "rowspacing", "columnlines", "rowlines", "frame", "open", "close",
                           "separators"}}


def math_html(latex: str, display: bool = False) -> str:
    """LaTeX as MathML (``display`` for a block), sanitized; what latex2mathml cannot convert is
    shown as its source in ``<code>`` (escaped)."""
    import nh3
    from latex2mathml.converter import convert

    try:
        mathml = convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - latex2mathml raises many kinds on LaTeX it does not know
        return f'<code class="latex-source">{html.escape(latex.strip())}</code>'
    return nh3.clean(mathml, tags=MATHML_TAGS, attributes=MATHML_ATTRIBUTES, url_schemes=set(),
                     link_rel=None)


class _MathRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, math replaced by placeholders that :func:`markdown_html`
    fills with MathML after the rest was sanitized."""

    def __init__(self, token, **kwargs):
        super().__init__(**kwargs)
        self.token, self.math = token, []

    def _hold(self, latex, display):
        self.math.append((latex, display))
        return f"{self.token}{len(self.math) - 1}X"

    def block_math(self, body: str) -> str:
        return self._hold(body, True)

    def inline_math(self, body: str) -> str:
        return self._hold(body, False)

    def latex_environment(self, name: str, body: str) -> str:
        return self._hold(f"\\begin{{{name}}}{body}\\end{{{name}}}", True)

    def block_mermaidjs(self, code: str) -> str:  # a diagram would need a script: show its source
        return f"<pre><code>{html.escape(code)}</code></pre>"


def markdown_html(source: str, attachments: dict[str, Any] | None = None) -> str:
    """A markdown cell (or output) as sanitized HTML with its math as MathML."""
    token = "ANNMATH" + secrets.token_hex(8)
    renderer = _MathRenderer(token, escape=False, attachments=_pictures_only(attachments or {}),
                             exclude_anchor_links=True)
    try:
        rendered = MarkdownWithMath(renderer=renderer).render(source)
    except Exception as exc:  # noqa: BLE001 - e.g. a missing attachment: show the text instead
        return f"<pre>{html.escape(source)}</pre><p><em>({html.escape(str(exc))})</em></p>"
    clean = sanitize(rendered)
    return re.sub(token + r"(\d+)X", lambda m: math_html(*renderer.math[int(m.group(1))]), clean)


def _pictures_only(attachments):
    return {name: {m: v for m, v in data.items() if m in PICTURES and _BASE64.match(v or "")}
            for name, data in attachments.items() if isinstance(data, dict)}


def _svg_img(svg):
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="picture" src="data:image/svg+xml;base64,{data}">'


def safe_data(data: dict[str, Any]) -> dict[str, str]:
    """An output's ``data`` bundle reduced to what a feedback page shows safely."""
    if "application/vnd.jupyter.widget-view+json" in data:  # its repr would say nothing useful
        return {PLAIN: "(an interactive explorer: open the notebook in JupyterLab to use it)"}
    kept = {}
    for mime in PICTURES:
        value = data.get(mime)
        if isinstance(value, str) and _BASE64.match(value):
            kept[mime] = value
    if isinstance(data.get(PLAIN), str):
        kept[PLAIN] = data[PLAIN]
    if isinstance(data.get("text/html"), str):
        kept["text/html"] = sanitize(data["text/html"])
    elif isinstance(data.get("text/markdown"), str):
        kept["text/html"] = markdown_html(data["text/markdown"])
    elif isinstance(data.get("text/latex"), str):
        kept["text/html"] = math_html(data["text/latex"].strip().strip("$"), display=True)
    elif isinstance(data.get("image/svg+xml"), str) and not any(m in kept for m in PICTURES):
        kept["text/html"] = _svg_img(data["image/svg+xml"])
    if not kept:
        kept[PLAIN] = "(an output this page does not show: " + ", ".join(sorted(data)) + ")"
    return kept


def _safe_metadata(metadata):
    """A cell's metadata: nbgrader's only, ids limited to safe characters, numbers numbers (a
    comment is shown through :func:`markdown_html`, sanitized)."""
    meta = dict(metadata.get("nbgrader") or {})
    for key in ("grade_id",):
        if key in meta:
            meta[key] = _SAFE_ID.sub("_", str(meta[key]))[:80]
    for key in ("points", "score"):
        if key in meta and not isinstance(meta[key], int | float):
            meta[key] = 0
    return {"nbgrader": meta} if meta else {}


class SanitizeOutputs(NbGraderPreprocessor):
    """Every output, attachment and metadata of a notebook reduced to what a feedback page shows
    safely (see the module's docstring); widget state dropped."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        cell.metadata = type(cell.metadata)(_safe_metadata(cell.metadata))
        if cell.cell_type == "raw":  # a raw cell's text would go into the page verbatim
            cell.source = sanitize(cell.source)
        if "attachments" in cell:
            cell.attachments = _pictures_only(cell.attachments)
        for output in cell.get("outputs", []):
            if "data" in output:
                output["data"] = type(output["data"])(safe_data(output["data"]))
            if "metadata" in output:
                output["metadata"] = {
                    mime: {k: v for k, v in (meta or {}).items()
                           if k in ("width", "height") and _NUMBER.match(str(v))}
                    for mime, meta in output["metadata"].items()
                    if mime in PICTURES and isinstance(meta, dict)}
        return cell, resources


def finish_page(page: str) -> str:
    """The rendered page made inert whatever its template emitted: no script, no event handler,
    no remote URL; the CSP and viewport first in its head, :data:`PAGE_CSS` last."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    for name in _NEVER:
        for element in soup.find_all(name):
            element.decompose()
    for element in soup.find_all("meta"):
        if element.get("http-equiv") or element.get("charset"):
            element.decompose()
    for element in soup.find_all(True):
        for attribute in list(element.attrs):
            value = element.attrs[attribute]
            value = " ".join(value) if isinstance(value, list) else str(value)
            lowered = attribute.lower()
            if lowered.startswith("on"):
                del element.attrs[attribute]
            elif lowered in _URL_ATTRIBUTES:
                ok = (_PICTURE_URL.match(value.strip()) if lowered == "src" else
                      value.strip().lower().startswith(_LINK_SCHEMES) if lowered == "href" else
                      False)
                if not ok:
                    del element.attrs[attribute]
            elif lowered == "style" and "url(" in value.lower().replace(" ", ""):
                del element.attrs[attribute]
    for element in soup.find_all("img"):
        if not element.get("src"):  # a picture from elsewhere (its address was removed)
            note = soup.new_tag("span", attrs={"class": "removed-picture"})
            note.string = "(a picture from outside the notebook, not shown)"
            element.replace_with(note)
    head = soup.head
    if head is None:
        head = soup.new_tag("head")
        (soup.html or soup).insert(0, head)
    viewport = soup.new_tag("meta", attrs={"name": "viewport",
                                           "content": "width=device-width, initial-scale=1"})
    csp = soup.new_tag("meta", attrs={"http-equiv": "Content-Security-Policy", "content": CSP})
    head.insert(0, viewport)
    head.insert(0, csp)
    charset = soup.new_tag("meta", attrs={"charset": "utf-8"})
    head.insert(0, charset)
    style = soup.new_tag("style")
    style.string = PAGE_CSS
    head.append(style)
    return str(soup)


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback page (its ``feedback`` template), with markdown rendered by
    :func:`markdown_html` and the page finished by :func:`finish_page`."""

    @_contextfilter
    def markdown2html(self, context: Context, source: str) -> str:
        cell = context.get("cell", {})
        return markdown_html(source, cell.get("attachments", {}))

    def from_notebook_node(  # type: ignore[override]  # nbconvert's own (a page is a str)
            self, nb: NotebookNode, resources: dict[str, Any] | None = None,
            **kw: Any) -> tuple[str, dict[str, Any]]:
        page, resources = super().from_notebook_node(nb, resources, **kw)
        return finish_page(page), resources
