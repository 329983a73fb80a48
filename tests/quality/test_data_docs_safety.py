"""GX Data Docs: failing values escaped and capped, privacy suites counts only, no script,
no external URL, a static index that renders offline (issue 12)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from great_expectations import expectations as gxe

from impact_warehouse.quality.data_docs_safety import VALUES_SHOWN, harden_page
from impact_warehouse.quality.gx_session import GxSession

HOSTILE = "<img src=x onerror=alert(1)>"


def _site(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    session = GxSession(docs)
    values = ["a", HOSTILE, *[f"v{index}" for index in range(40)]]
    session.validate(
        "scale_like",
        pd.DataFrame({"value": values}),
        [gxe.ExpectColumnValuesToBeInSet(column="value", value_set=["a"])],
    )
    session.validate(
        "no_personal_data__values",
        pd.DataFrame({"value": ["ok", "hanako@example.com"]}),
        [gxe.ExpectColumnValuesToBeInSet(column="value", value_set=["ok"])],
    )
    session.build_docs()
    return docs


def _pages(docs: Path) -> dict[Path, str]:
    return {page: page.read_text("utf-8") for page in docs.rglob("*.html")}


def test_failing_values_are_escaped_and_capped(tmp_path: Path) -> None:
    pages = _pages(_site(tmp_path))
    (scale_page,) = [text for page, text in pages.items() if "scale_like" in page.parts]
    assert HOSTILE not in scale_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in scale_page
    shown = set(re.findall(r"\bv\d+\b", scale_page))
    assert 0 < len(shown) <= VALUES_SHOWN


def test_privacy_suites_show_counts_never_values(tmp_path: Path) -> None:
    for page, text in _pages(_site(tmp_path)).items():
        assert "hanako" not in text, page


def test_no_script_no_external_url_and_a_csp_on_every_page(tmp_path: Path) -> None:
    for page, text in _pages(_site(tmp_path)).items():
        assert not re.search(r"<script", text, re.IGNORECASE), page
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", text, re.I), page
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", text, re.I), page
        assert "Content-Security-Policy" in text and "script-src 'none'" in text, page


def test_the_index_lists_every_validation_without_javascript(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    index = (docs / "index.html").read_text("utf-8")
    for suite in ("scale_like", "no_personal_data__values"):
        (link,) = re.findall(rf'href="(validations/{suite}/[^"]+\.html)"', index)
        assert (docs / link).is_file()
    assert "不合格" in index


def test_harden_page_removes_handlers_and_keeps_text() -> None:
    page = (
        "<html><head><script src='https://cdn.example/x.js'></script>"
        "<link rel='stylesheet' href='https://cdn.example/b.css'></head>"
        '<body><button onclick="go()">x</button><p>本文</p></body></html>'
    )
    hardened = harden_page(page, Path("/nonexistent/page.html"))
    assert "cdn.example" not in hardened and "onclick" not in hardened
    assert "<p>本文</p>" in hardened
