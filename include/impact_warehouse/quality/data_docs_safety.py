"""Make the GX Data Docs safe to open and readable offline.

GX 1.24 renders failing values into its HTML unescaped (an answer ``<img src=x onerror=…>``
ran in the browser), in full (``result_format COMPLETE``), and loads Bootstrap, jQuery and
Vega from CDNs: offline its index, a table filled by JavaScript, is blank. GX offers no switch
for either, so:

* before the site is built, every stored validation result is rewritten: failing values are
  HTML-escaped and cut to :data:`VALUES_SHOWN` per expectation, the complete lists and index
  queries are dropped, and the suites of the personal-data check keep counts only;
* after it is built, every page loses its scripts and external links, gains a
  Content-Security-Policy that forbids any script and any network load, and gets the styles
  it needs inline; the index is replaced by a static page (no script needed) listing every
  validation with its result and counts, and the cells masked as personal data by wave and
  response key.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impact_warehouse.quality.privacy_masking import MASK

VALUES_SHOWN = 20
PRIVACY_SUITE_PREFIX = "no_personal_data"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src file: data:; "
    "font-src file: data:; script-src 'none'; connect-src 'none'; frame-src 'none'; "
    "form-action 'none'; base-uri 'none'"
)
_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
_DROPPED = ("unexpected_list", "unexpected_index_list", "unexpected_index_query")
_VALUE_LISTS = ("partial_unexpected_list", "partial_unexpected_index_list")
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)
_LOCAL_STYLESHEET = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?([^\"' >]+\.css)[^>]*>", re.I)
_ANY_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_EXTERNAL_HREF = re.compile(r"\s(?:href|src)\s*=\s*([\"'])(?:https?:)?//.*?\1", re.IGNORECASE)
_HANDLER = re.compile(r"\son[a-z]+\s*=\s*([\"']).*?\1", re.IGNORECASE | re.DOTALL)
_EXTERNAL_CSS_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)

# Enough layout to read the pages without Bootstrap: tables with borders, tabs all shown.
BASE_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1c1c1c; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #c8ccd0; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #eef3f7; }
.tab-pane, .collapse, .fade { display: block !important; opacity: 1 !important; }
.navbar, .ge-breadcrumbs, .modal, button { display: none; }
.failed { color: #a40000; font-weight: bold; } .passed { color: #1d6b2f; }
code, .show-scrollbars { white-space: pre-wrap; word-break: break-all; }
"""


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {html.escape(str(k)): _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    return value


def _safe_result(result: dict[str, Any], *, counts_only: bool) -> dict[str, Any]:
    safe = {k: v for k, v in result.items() if k not in _DROPPED}
    if counts_only:
        for key in (*_VALUE_LISTS, "partial_unexpected_counts", "details"):
            safe.pop(key, None)
        if isinstance(safe.get("observed_value"), str):
            safe.pop("observed_value")
        return safe
    for key in _VALUE_LISTS:
        if isinstance(safe.get(key), list):
            safe[key] = _escaped(safe[key][:VALUES_SHOWN])
    if isinstance(safe.get("partial_unexpected_counts"), list):
        safe["partial_unexpected_counts"] = [
            {"value": _escaped(entry.get("value")), "count": entry.get("count")}
            for entry in safe["partial_unexpected_counts"][:VALUES_SHOWN]
        ]
    for key in ("observed_value", "details"):
        if key in safe:
            safe[key] = _escaped(safe[key])
    return safe


def sanitise_stored_results(context: Any) -> None:
    """Rewrite every validation result in ``context``'s store as the Data Docs may show it."""
    store = context.validation_results_store
    for key in store.list_keys():
        suite_result = store.get(key)
        counts_only = str(suite_result.suite_name).startswith(PRIVACY_SUITE_PREFIX)
        for item in suite_result.results:
            item.result = _safe_result(dict(item.result or {}), counts_only=counts_only)
            if item.exception_info and isinstance(item.exception_info, dict):
                item.exception_info = _escaped(item.exception_info)
        store.set(key, suite_result)


@dataclass(frozen=True)
class SuiteSummary:
    """One validation as the index lists it: no value, only its verdict and counts."""

    suite_name: str
    success: bool
    evaluated: int
    unsuccessful: int
    page: str | None  # relative path of its GX page


def stored_summaries(context: Any, docs_dir: Path) -> list[SuiteSummary]:
    store = context.validation_results_store
    # validations/<suite name>/<batch>/<run time>/<page>.html
    relative = (page.relative_to(docs_dir) for page in _pages(docs_dir))
    pages = {p.parts[1]: p for p in relative if len(p.parts) > 2 and p.parts[0] == "validations"}
    summaries = []
    for key in store.list_keys():
        result = store.get(key)
        stats = dict(result.statistics or {})
        page = pages.get(str(result.suite_name))
        summaries.append(
            SuiteSummary(
                suite_name=str(result.suite_name),
                success=bool(result.success),
                evaluated=int(stats.get("evaluated_expectations") or 0),
                unsuccessful=int(stats.get("unsuccessful_expectations") or 0),
                page=page.as_posix() if page else None,
            )
        )
    return sorted(summaries, key=lambda s: s.suite_name)


def _pages(docs_dir: Path) -> Iterable[Path]:
    return sorted(docs_dir.rglob("*.html"))


def _inline_styles(page: str, page_path: Path) -> str:
    """Local stylesheets inlined (CSP forbids loading them), external ones dropped."""

    def inline(match: re.Match[str]) -> str:
        target = (page_path.parent / match.group(1)).resolve()
        try:
            css = target.read_text(encoding="utf-8")
        except OSError:
            return ""
        return f"<style>{css}</style>"

    page = _EXTERNAL_LINK.sub("", page)
    page = _LOCAL_STYLESHEET.sub(inline, page)
    # What is left are icons, some with a wrong depth in GX's pages (a failed file load).
    return _ANY_LINK.sub("", page)


def harden_page(page: str, page_path: Path) -> str:
    """No script, no handler, no external load; a CSP saying so; base styles inline."""
    page = _SCRIPT.sub("", page)
    page = _inline_styles(page, page_path)
    page = _HANDLER.sub("", page)
    page = _EXTERNAL_HREF.sub("", page)
    page = _EXTERNAL_CSS_URL.sub("none", page)
    head = _HEAD.search(page)
    insert = f'{_CSP_META}<meta charset="utf-8"><style>{BASE_CSS}</style>'
    if head is None:
        return f"<!DOCTYPE html><html><head>{insert}</head><body>{page}</body></html>"
    return page[: head.end()] + insert + page[head.end() :]


def harden_site(docs_dir: Path) -> None:
    for page_path in _pages(docs_dir):
        page = page_path.read_text(encoding="utf-8")
        page_path.write_text(harden_page(page, page_path), encoding="utf-8")


def _row(cells: Sequence[str], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"


def write_index(
    docs_dir: Path,
    summaries: Sequence[SuiteSummary],
    masked: Sequence[dict[str, Any]] = (),
) -> Path:
    """A static index: every validation and, for staff, the masked cells by wave and key."""
    e = html.escape
    rows = []
    for summary in summaries:
        verdict = (
            '<span class="passed">合格</span>'
            if summary.success
            else '<span class="failed">不合格</span>'
        )
        name = e(summary.suite_name)
        link = f'<a href="{e(summary.page, quote=True)}">{name}</a>' if summary.page else name
        rows.append(_row([link, verdict, str(summary.evaluated), str(summary.unsuccessful)]))
    parts = [
        "<!DOCTYPE html><html lang='ja'><head>",
        f'<meta charset="utf-8">{_CSP_META}<title>品質ゲート Data Docs</title>',
        f"<style>{BASE_CSS}</style></head><body>",
        "<h1>品質ゲートの結果(Data Docs)</h1>",
        "<p>各確認(GX の検証)の結果です。失敗した値は件数と先頭の数件のみ表示します。"
        "個人情報の確認は件数と回答キーだけを表示し、値は表示しません。</p>",
        "<table><thead>",
        _row(["確認(suite)", "結果", "期待値の数", "不合格の数"], "th"),
        "</thead><tbody>",
        *rows,
        "</tbody></table>",
    ]
    if masked:
        parts += [
            "<h2>個人情報のため非表示にした回答</h2>",
            f"<p>次の欄は公開前に「{e(MASK)}」に置き換えました(値は表示しません)。</p>",
            "<table><thead>",
            _row(["アンケート(wave)", "回答キー", "表.列", "種類"], "th"),
            "</thead><tbody>",
            *(
                _row(
                    [
                        e(str(cell.get("wave_code") or "")),
                        e(str(cell.get("response_key") or cell.get("row_key") or "")),
                        e(f"{cell.get('table')}.{cell.get('column')}"),
                        e(str(cell.get("kinds") or "")),
                    ]
                )
                for cell in masked
            ),
            "</tbody></table>",
        ]
    parts.append("</body></html>")
    index = docs_dir / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index
