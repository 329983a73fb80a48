"""Font subsets kept for the next page (report/fonts.py): the same characters use the kept
rule, which is the rule subsetting would make; another font file, other characters or a kept
file that is not such a rule make it again; the newest CACHE_KEPT rules stay."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from impact_warehouse.report import fonts

TEXT = "インパクト報告 2025 回答率"


@pytest.fixture
def subsets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The characters of every subset actually made (not taken from the cache)."""
    made: list[str] = []
    original = fonts._font_face

    def counting(characters: str) -> str:
        made.append(characters)
        return original(characters)

    monkeypatch.setattr(fonts, "_font_face", counting)
    return made


def test_the_same_characters_use_the_kept_rule(tmp_path: Path, subsets: list[str]) -> None:
    first = fonts.subset_font_face(TEXT, cache_dir=tmp_path)
    again = fonts.subset_font_face(TEXT + TEXT, cache_dir=tmp_path)  # the same characters

    assert again == first == fonts.subset_font_face(TEXT)  # as made without a cache
    assert len(subsets) == 2  # the first call and the one without a cache
    assert len(list(tmp_path.glob("*.css"))) == 1


def test_other_characters_or_another_font_file_make_a_new_rule(
    tmp_path: Path, subsets: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fonts.subset_font_face(TEXT, cache_dir=tmp_path)
    fonts.subset_font_face(TEXT + "別", cache_dir=tmp_path)
    copy = Path(shutil.copy(fonts.font_path(), tmp_path / "font.ttf"))
    monkeypatch.setattr(fonts, "font_path", lambda: copy)
    fonts.subset_font_face(TEXT, cache_dir=tmp_path)

    assert len(subsets) == 3
    assert len(list(tmp_path.glob("*.css"))) == 3


@pytest.mark.parametrize(
    "kept",
    [
        "",  # written by something else, or cut short
        "@font-face { font-family: 'x'; } body { background: url(https://example.org/) }",
        "</style><script>alert(1)</script>",
    ],
)
def test_a_kept_file_that_is_not_a_rule_is_made_again(
    tmp_path: Path, subsets: list[str], kept: str
) -> None:
    rule = fonts.subset_font_face(TEXT, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("*.css")
    cached.write_text(kept, encoding="utf-8")

    assert fonts.subset_font_face(TEXT, cache_dir=tmp_path) == rule
    assert cached.read_text(encoding="ascii") == rule
    assert len(subsets) == 2


def test_the_newest_rules_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "CACHE_KEPT", 2)
    monkeypatch.setattr(fonts, "_font_face", lambda characters: fonts._FACE_START + "x")
    for text in ("一", "二", "三"):
        fonts.subset_font_face(text, cache_dir=tmp_path)

    assert len(list(tmp_path.glob("*.css"))) == 2


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")

    assert fonts.subset_font_face(TEXT, cache_dir=blocked / "fonts") == fonts.subset_font_face(TEXT)


@pytest.mark.parametrize("kind", ["fifo", "device link", "huge", "link to a rule"])
def test_what_is_not_a_kept_rule_file_is_never_read(
    tmp_path: Path, subsets: list[str], kind: str
) -> None:
    """A FIFO or a link to a device at a rule's name would stop the page, a huge file fill
    the memory, a link read a file the cache does not own: each is made again instead."""
    rule = fonts.subset_font_face(TEXT, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("*.css")
    cached.unlink()
    if kind == "fifo":
        os.mkfifo(cached)
    elif kind == "device link":
        cached.symlink_to("/dev/zero")
    elif kind == "huge":
        with cached.open("wb") as stream:
            stream.truncate(fonts._largest_face() + 1)
    else:
        elsewhere = tmp_path / "elsewhere.txt"
        elsewhere.write_text(rule, encoding="ascii")
        cached.symlink_to(elsewhere)

    assert fonts.subset_font_face(TEXT, cache_dir=tmp_path) == rule
    assert len(subsets) == 2
    assert cached.is_file() and not cached.is_symlink()
