"""The gate's Data Docs with hostile answers in headless Chromium (Debian's chromium): the
index and every validation page load, no script runs, nothing is requested from outside the
machine, and the hostile text shows as text (issue 12)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import sync_playwright

from browser_support import CHROMIUM, CHROMIUM_ARGS
from impact_warehouse.quality import run_gate
from impact_warehouse.quality.privacy_masking import mask_personal_data
from impact_warehouse.settings import paths

# The end-to-end tier (make test-all): Data Docs in headless Chromium
pytestmark = pytest.mark.slow

HOSTILE_ITEM = '<img src=x onerror="window.__pwned=1;alert(1)">'
HOSTILE_TEXT = "<script>window.__pwned=2</script>連絡先 hanako.sato@example.com"


def test_data_docs_with_hostile_answers_render_safely_offline(
    demo_warehouse_path: Path, tmp_path: Path
) -> None:
    audit = Path(shutil.copy(demo_warehouse_path, tmp_path / "audit.duckdb"))
    with duckdb.connect(str(audit)) as con:
        # An answer whose item code is markup (it fails "answers map to the catalog" and is
        # shown there as a failing value) and a free-text answer with markup and an email.
        con.execute(
            "update marts.fct_answers set item_code = ? where answer_key = "
            "(select min(answer_key) from marts.fct_answers where scale_code = 'likert4')",
            [HOSTILE_ITEM],
        )
        con.execute(
            "update marts.fct_answers set value_text = ? where answer_key = "
            "(select min(answer_key) from marts.fct_answers where scale_code = 'text')",
            [HOSTILE_TEXT],
        )
    mask_personal_data(audit, names=[])
    docs = tmp_path / "docs"
    result = run_gate(audit, paths(), as_of=date(2026, 11, 23), data_docs_dir=docs)
    assert any(f.check_name == "answers_map_to_catalog" for f in result.failures)
    pages = [docs / "index.html", *sorted((docs / "validations").rglob("*.html"))]
    assert len(pages) > 5

    requests: list[str] = []
    console: list[str] = []
    dialogs: list[str] = []
    seen_hostile_as_text = False
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1100, "height": 900},
        )
        try:
            context.on("request", lambda request: requests.append(request.url))
            page = context.new_page()
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for path in pages:
                page.goto(path.as_uri(), wait_until="load")
                assert page.evaluate("typeof window.__pwned") == "undefined", path
                text = page.evaluate("document.body.innerText")
                assert len(text.strip()) > 50, f"blank page {path}"
                assert "hanako.sato" not in page.content(), path
                seen_hostile_as_text |= HOSTILE_ITEM in text
            index_rows = None
            page.goto(pages[0].as_uri(), wait_until="load")
            index_rows = page.locator("table tbody tr").count()
        finally:
            context.close()

    assert dialogs == []
    assert seen_hostile_as_text, "the hostile item code should be shown, as text"
    assert index_rows and index_rows >= 10
    outside = [url for url in requests if not url.startswith(("file:", "data:", "about:"))]
    assert not outside, outside
    errors = [m for m in console if m.startswith(("error", "pageerror"))]
    assert not errors, errors
