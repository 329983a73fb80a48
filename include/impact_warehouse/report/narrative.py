"""Narrative blocks: the report's text as data, per organisation, language and fiscal year.

Staff write Markdown files in the organisation's catalog folder (the one the run uses,
``IMPACT_CATALOG_DIR`` or ``dbt_project/seeds``)::

    <catalog>/narrative/<lang>/fy<YYYY>/<block_id>.md    (this fiscal year)
    <catalog>/narrative/<lang>/common/<block_id>.md      (fallback for every year)

The first line ``# <title>`` is the section title; the rest is Markdown, rendered with raw
HTML switched off so an edited file can never inject markup into the report. A block quotes
a published figure by name, ``{{ figure("career_confidence.confident.post") }}``, resolved
here against the release (figures.py), so the text never drifts from the numbers. Nothing
else of Jinja is available to the text: staff-edited files get a mini-template, not a
programming language.

Draft mode (the default) shows a visible placeholder for a missing block or an unknown
figure; final mode omits a missing block and refuses an unknown figure (NarrativeError).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from impact_warehouse.report.figures import FigureResolver, UnknownFigureError
from impact_warehouse.report.i18n import language, s

NARRATIVE_DIR = "narrative"
COMMON_DIR = "common"
# A block's title when the organisation has not written the block (draft placeholder, or a
# generated section whose text is missing): strings_<lang>.yaml key narrative_title_<block_id>.
# Vocabulary of any report, no organisation's name.
DEFAULT_TITLE_BLOCKS = frozenset(
    {
        "introduction",
        "programs",
        "vision",
        "theory_of_change",
        "key_findings",
        "summary",
        "discussion",
        "challenges",
        "recommendations",
    }
)


def fallback_title(block_id: str) -> str:
    """The report's own title for a block the organisation has not written, in its language."""
    return s(f"narrative_title_{block_id}") if block_id in DEFAULT_TITLE_BLOCKS else block_id


# {{ figure("a.b.c") }} or {{ figure('a.b.c') }}; any other {{ … }} or {% … %} is not ours.
FIGURE_REFERENCE = re.compile(r"""\{\{\s*figure\(\s*(["'])([^"'{}]*)\1\s*\)\s*\}\}""")
ANY_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
# Private-use characters stand in for a figure while the Markdown is rendered: Markdown
# leaves them alone, and the figure's HTML replaces them afterwards (no escaping issue).
_SLOT = "\ue000{}\ue001"
_SLOT_PATTERN = re.compile("\ue000(\\d+)\ue001")
# A block id is a file name: indicator codes may hold "-" or "." but never a path.
_BLOCK_ID = re.compile(r"^[a-z][A-Za-z0-9_.-]*$")


class NarrativeError(ValueError):
    """A block cannot be rendered in final mode (staff text first, technical detail after)."""


@dataclass(frozen=True)
class NarrativeBlock:
    """One rendered block. ``placeholder`` is true when the text is the draft placeholder."""

    block_id: str
    title: str
    html: Markup
    path: Path | None = None
    placeholder: bool = False


def _markdown() -> MarkdownIt:
    # CommonMark with tables; raw HTML off (escaped), images off (nothing is fetched).
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    return md.enable("table").disable(["image", "autolink"])


def markdown_html(text: str) -> str:
    """Markdown to safe HTML, headings one level down (the block's ``#`` is the section h2).

    A link keeps its text and loses its address: the page opens offline and refers to
    nothing outside itself (no href but #anchors), so staff write an address as text."""
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        if token.children:
            token.children = [
                child for child in token.children if child.type not in ("link_open", "link_close")
            ]
    return md.renderer.render(tokens, md.options, {})


class NarrativeCatalog:
    """The blocks of one organisation, language and fiscal year, rendered against a release."""

    def __init__(
        self,
        catalog: Path,
        fiscal_year: int,
        resolver: FigureResolver,
        *,
        lang: str | None = None,
        final: bool = False,
    ) -> None:
        # The blocks of the report's language (i18n.reporting_in), unless told otherwise.
        lang = lang or language()
        self.root = catalog / NARRATIVE_DIR / lang
        self.fiscal_year = fiscal_year
        self.resolver = resolver
        self.lang = lang
        self.final = final

    def candidates(self, block_id: str) -> list[Path]:
        """Where a block is looked for, first match wins: the year's folder, then common/."""
        if not _BLOCK_ID.match(block_id) or ".." in block_id:
            raise ValueError(f"block id {block_id!r}: a-z first, then letters, digits, _ - .")
        return [
            self.root / f"fy{self.fiscal_year}" / f"{block_id}.md",
            self.root / COMMON_DIR / f"{block_id}.md",
        ]

    def path(self, block_id: str) -> Path | None:
        return next((path for path in self.candidates(block_id) if path.is_file()), None)

    def has(self, block_id: str) -> bool:
        return self.path(block_id) is not None

    def block(self, block_id: str, default_title: str = "") -> NarrativeBlock | None:
        """The rendered block; the placeholder in draft mode or None in final mode if missing."""
        path = self.path(block_id)
        if path is None:
            return None if self.final else self._placeholder(block_id, default_title)
        title, body = parse_block(path)
        return NarrativeBlock(block_id, title, self._render(block_id, path, body), path)

    def _placeholder(self, block_id: str, default_title: str) -> NarrativeBlock:
        title = default_title or fallback_title(block_id)
        where = s("narrative_or").join(
            str(path.relative_to(self.root.parent.parent)) for path in self.candidates(block_id)
        )
        text = s("narrative_placeholder", block_id=block_id, where=where)
        box = Markup('<div class="narrative-placeholder" data-block="{}"><p>{}</p></div>')
        return NarrativeBlock(block_id, title, box.format(block_id, text), placeholder=True)

    def _render(self, block_id: str, path: Path, body: str) -> Markup:
        pieces: list[str] = []

        def slot(html_text: str) -> str:
            pieces.append(html_text)
            return _SLOT.format(len(pieces) - 1)

        def figure(match: re.Match[str]) -> str:
            name = match.group(2).strip()
            try:
                return slot(self.resolver.html(name))
            except UnknownFigureError as error:
                if self.final:
                    raise NarrativeError(
                        f'ナラティブ「{block_id}」の数値参照 figure("{name}") がリリースに'
                        f"ありません。 (block {block_id} in {path}: unknown figure {name!r}:"
                        f" {error})"
                    ) from None
                return slot(_unknown_html(name, str(error)))

        def other(match: re.Match[str]) -> str:
            expression = " ".join(match.group(0).split())
            if self.final:
                raise NarrativeError(
                    f"ナラティブ「{block_id}」に使えない書式 {expression} があります。"
                    f' (block {block_id} in {path}: only {{{{ figure("…") }}}} is allowed)'
                )
            return slot(_unknown_html(expression, 'only figure("…") is allowed'))

        text = ANY_EXPRESSION.sub(other, FIGURE_REFERENCE.sub(figure, body))
        rendered = markdown_html(text)
        return Markup(_SLOT_PATTERN.sub(lambda m: pieces[int(m.group(1))], rendered))


def _unknown_html(name: str, reason: str) -> str:
    return (
        f'<span class="narrative-placeholder figure-unknown" data-figure="{html.escape(name)}"'
        f' title="{html.escape(reason)}">{html.escape(s("figure_unknown", name=name))}</span>'
    )


def parse_block(path: Path) -> tuple[str, str]:
    """(title, Markdown body) of a block file; its first non-empty line must be ``# title``."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    lines = text.split("\n")
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    heading = lines[first].strip() if first is not None else ""
    if not heading.startswith("# ") or not heading[2:].strip():
        raise NarrativeError(
            f"ナラティブ {path.name} の1行目は「# 見出し」にしてください。"
            f" (block {path}: the first line must be '# <title>', got {heading[:40]!r})"
        )
    return heading[2:].strip(), "\n".join(lines[first + 1 :]).strip() + "\n"
