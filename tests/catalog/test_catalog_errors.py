"""Every kind of typo in a seed file is a CatalogError naming the file, the line and the fix
(never a bare ValueError or KeyError from deep inside the loader)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.settings import paths


def _set_cell(seeds: Path, file_name: str, line: int, column: str, value: str) -> None:
    path = seeds / file_name
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _rename_column(seeds: Path, file_name: str, column: str) -> None:
    path = seeds / file_name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(column, column + "_x", 1), encoding="utf-8")


def _append_line(seeds: Path, file_name: str, line: str) -> None:
    with (seeds / file_name).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _save_as_cp932(seeds: Path, file_name: str) -> None:
    path = seeds / file_name
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp932"))


def _repeat_line(seeds: Path, file_name: str, line: int) -> None:
    """Append a copy of ``line``: the same code twice, as a copy-paste leaves it."""
    _append_line(
        seeds, file_name, (seeds / file_name).read_text(encoding="utf-8").splitlines()[line - 1]
    )


def _next_line(file_name: str) -> int:
    """The line number a row appended to the shipped seed file gets."""
    return len((paths().seeds / file_name).read_text(encoding="utf-8").splitlines()) + 1


Edit = Callable[[Path], None]
CASES: dict[str, tuple[Edit, str, int | None, str]] = {
    # name: (edit, file, line, words the message must hold)
    "percent_sign": (
        lambda s: _set_cell(s, "waves.csv", 2, "response_rate_target", "70%"),
        "waves.csv",
        2,
        "0.70 for 70%",
    ),
    "percent_number": (
        lambda s: _set_cell(s, "waves.csv", 3, "response_rate_floor", "50"),
        "waves.csv",
        3,
        "between 0 and 1",
    ),
    "fiscal_year_in_words": (
        lambda s: _set_cell(s, "cohorts.csv", 2, "fiscal_year", "令和7"),
        "cohorts.csv",
        2,
        "not a whole number",
    ),
    "panel_target_text": (
        lambda s: _set_cell(s, "waves.csv", 2, "panel_target_n", "約300"),
        "waves.csv",
        2,
        "not a whole number",
    ),
    "scale_bound_text": (
        lambda s: _set_cell(s, "scales.csv", 2, "max_value", "ten"),
        "scales.csv",
        2,
        "not a number",
    ),
    # scale_measures.csv line 4 is score10 confident (primary), line 5 score10 high.
    "measure_bad_operator": (
        lambda s: _set_cell(s, "scale_measures.csv", 4, "operator", "=>"),
        "scale_measures.csv",
        4,
        "use one of ['>=', '<=', '=']",
    ),
    "measure_threshold_text": (
        lambda s: _set_cell(s, "scale_measures.csv", 4, "threshold", "six"),
        "scale_measures.csv",
        4,
        "not a number",
    ),
    # A threshold no answer can reach (or every answer meets) publishes 0% or 100%.
    "measure_threshold_outside_scale": (
        lambda s: _set_cell(s, "scale_measures.csv", 4, "threshold", "60"),
        "scale_measures.csv",
        4,
        "outside scale score10's values 1–10",
    ),
    "measure_threshold_below_scale": (
        lambda s: _set_cell(s, "scale_measures.csv", 6, "threshold", "-1"),
        "scale_measures.csv",
        6,
        "outside scale anxiety10's values 1–10",
    ),
    "measure_threshold_huge": (
        lambda s: _set_cell(s, "scale_measures.csv", 4, "threshold", "1e308"),
        "scale_measures.csv",
        4,
        "outside scale score10's values",
    ),
    "measure_threshold_nan": (
        lambda s: _set_cell(s, "scale_measures.csv", 4, "threshold", "nan"),
        "scale_measures.csv",
        4,
        "not a number",
    ),
    "measure_threshold_infinite": (
        lambda s: _set_cell(s, "scale_measures.csv", 5, "threshold", "inf"),
        "scale_measures.csv",
        5,
        "not a number",
    ),
    "scale_bound_nan": (
        lambda s: _set_cell(s, "scales.csv", 3, "max_value", "nan"),
        "scales.csv",
        3,
        "not a number",
    ),
    "measure_two_primaries": (
        lambda s: _set_cell(s, "scale_measures.csv", 5, "is_primary", "true"),
        "scale_measures.csv",
        5,
        "second primary measure",
    ),
    "measure_no_primary": (
        lambda s: _set_cell(s, "scale_measures.csv", 4, "is_primary", "false"),
        "scale_measures.csv",
        4,
        "no primary measure",
    ),
    "measure_unknown_scale": (
        lambda s: _set_cell(s, "scale_measures.csv", 2, "scale_code", "likert5"),
        "scale_measures.csv",
        2,
        "'scale_code'='likert5' is unknown",
    ),
    "measure_bad_direction": (
        lambda s: _set_cell(s, "scale_measures.csv", 2, "good_direction", "up"),
        "scale_measures.csv",
        2,
        "'good_direction'='up' is unknown",
    ),
    "item_unknown_scale": (
        lambda s: _set_cell(s, "items.csv", 4, "scale_code", "lonely5"),
        "items.csv",
        4,
        "'scale_code'='lonely5' is unknown",
    ),
    "missing_column": (
        lambda s: _rename_column(s, "waves.csv", "open_date"),
        "waves.csv",
        None,
        "column 'open_date' is missing from the header",
    ),
    "comma_inside_a_value": (
        lambda s: _append_line(s, "programs.csv", "extra,ママ,ボノ,true,x,y,z,w,g,h,i,j,k,l,m,n"),
        "programs.csv",
        None,
        "double quotes",
    ),
    # csv's field limit (128 KiB), e.g. a pasted document or a quote never closed.
    "value_longer_than_csv_allows": (
        lambda s: _set_cell(s, "organisation.csv", 2, "tagline_ja", "あ" * 200_000),
        "organisation.csv",
        2,
        "cannot be read as CSV",
    ),
    "header_longer_than_csv_allows": (
        lambda s: (s / "item_wordings.csv").write_text("x" * 200_000 + "\n", encoding="utf-8"),
        "item_wordings.csv",
        1,
        "double quote",
    ),
    "saved_as_shift_jis": (
        lambda s: _save_as_cp932(s, "waves.csv"),
        "waves.csv",
        None,
        "CSV UTF-8",
    ),
    "cohort_twice": (
        lambda s: _repeat_line(s, "cohorts.csv", 2),
        "cohorts.csv",
        _next_line("cohorts.csv"),
        "cohort_code mamabono_2022 appears twice; keep one of the two rows",
    ),
    "item_twice": (
        lambda s: _repeat_line(s, "items.csv", 2),
        "items.csv",
        _next_line("items.csv"),
        "item_code respondent_name appears twice; keep one of the two rows",
    ),
    "indicator_twice": (
        lambda s: _repeat_line(s, "indicators.csv", 2),
        "indicators.csv",
        _next_line("indicators.csv"),
        "indicator_code I01 appears twice; keep one of the two rows",
    ),
    "item_indicator_twice": (
        lambda s: _repeat_line(s, "item_indicators.csv", 2),
        "item_indicators.csv",
        _next_line("item_indicators.csv"),
        "item × wave type career_confidence × pre appears twice; keep one of the two rows",
    ),
    "program_twice": (
        lambda s: _repeat_line(s, "programs.csv", 2),
        "programs.csv",
        _next_line("programs.csv"),
        "program_code mamabono appears twice; keep one of the two rows",
    ),
    "scale_label_twice": (
        lambda s: _repeat_line(s, "scale_labels.csv", 2),
        "scale_labels.csv",
        _next_line("scale_labels.csv"),
        "label_ja そう思う appears twice; keep one of the two rows",
    ),
    "scale_value_under_two_labels": (
        lambda s: _append_line(s, "scale_labels.csv", "likert4,とてもそう思う,strongly agree,4"),
        "scale_labels.csv",
        _next_line("scale_labels.csv"),
        "value_code 4 appears twice",
    ),
    # dbt seeds the file as written: a code with a space would match nothing there.
    "indicator_code_with_a_trailing_space": (
        lambda s: _set_cell(s, "indicators.csv", 2, "indicator_code", "I01 "),
        "indicators.csv",
        2,
        "'I01 ' has spaces before or after it",
    ),
    "item_code_with_a_full_width_space": (
        lambda s: _set_cell(s, "items.csv", 2, "item_code", "\u3000career_confidence"),
        "items.csv",
        2,
        "has spaces before or after it",
    ),
    "wording_code_with_a_trailing_space": (
        lambda s: _set_cell(s, "item_wordings.csv", 3, "item_code", "job_search_confidence "),
        "item_wordings.csv",
        3,
        "'job_search_confidence ' has spaces before or after it",
    ),
    "scale_code_with_a_leading_space": (
        lambda s: _set_cell(s, "scales.csv", 3, "scale_code", " score10"),
        "scales.csv",
        3,
        "' score10' has spaces before or after it",
    ),
    "two_labels_the_warehouse_reads_the_same": (
        lambda s: _append_line(s, "scale_labels.csv", "likert4,そう思う\u3000,agree again,4"),
        "scale_labels.csv",
        _next_line("scale_labels.csv"),
        "label_ja そう思う appears twice",
    ),
    "label_value_outside_its_scale": (
        lambda s: _append_line(s, "scale_labels.csv", "likert4,とても強く思う,very strongly,7"),
        "scale_labels.csv",
        _next_line("scale_labels.csv"),
        "value_code 7 is outside scale likert4 [1, 4]",
    ),
    # The short code lists: dbt's tests would catch these only at build time, naming no row.
    "indicator_without_symbol": (
        lambda s: _set_cell(s, "indicators.csv", 3, "indicator_symbol", ""),
        "indicators.csv",
        3,
        "'indicator_symbol' is empty",
    ),
    "indicator_symbol_twice": (
        lambda s: _set_cell(s, "indicators.csv", 3, "indicator_symbol", "①"),
        "indicators.csv",
        3,
        "indicator_symbol ① appears twice",
    ),
    "employment_status_without_code": (
        lambda s: _set_cell(s, "employment_statuses.csv", 3, "employment_status_code", ""),
        "employment_statuses.csv",
        3,
        "'employment_status_code' is empty",
    ),
    "employment_status_label_twice": (
        lambda s: _set_cell(
            s, "employment_statuses.csv", 3, "employment_status_ja", "産休・育休中"
        ),
        "employment_statuses.csv",
        3,
        "employment_status_ja 産休・育休中 appears twice",
    ),
    "support_measure_type_twice": (
        lambda s: _repeat_line(s, "support_measure_types.csv", 2),
        "support_measure_types.csv",
        _next_line("support_measure_types.csv"),
        "support_measure_type study_session appears twice",
    ),
    "wave_type_without_code": (
        lambda s: _set_cell(s, "wave_types.csv", 3, "wave_type", ""),
        "wave_types.csv",
        3,
        "'wave_type' is empty",
    ),
    "wave_type_the_pipeline_does_not_know": (
        lambda s: _set_cell(s, "wave_types.csv", 3, "wave_type", "midline"),
        "wave_types.csv",
        3,
        "'wave_type'='midline' is unknown",
    ),
    "indicator_without_code": (
        lambda s: _append_line(s, "indicators.csv", ",⑯,short_term,x,y,z"),
        "indicators.csv",
        _next_line("indicators.csv"),
        "'indicator_code' is empty",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_seed_typo_names_file_line_and_fix(tmp_path: Path, case: str) -> None:
    edit, file_name, line, words = CASES[case]
    seeds = tmp_path / "seeds"
    shutil.copytree(paths().seeds, seeds)
    edit(seeds)
    with pytest.raises(CatalogError) as raised:
        load_catalog(seeds)
    assert raised.value.file_name == file_name
    assert words in str(raised.value)
    if line is not None:
        assert raised.value.line == line
        assert f"{file_name} line {line}:" in str(raised.value)


def test_spaces_around_prose_are_harmless(tmp_path: Path) -> None:
    """Only codes are refused with spaces around them (dbt would read them into the key); a
    wording or a label with a trailing space loads as before."""
    seeds = tmp_path / "seeds"
    shutil.copytree(paths().seeds, seeds)
    lines = (seeds / "item_wordings.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("wording_ja")] += " "
    lines[1] = ",".join(cells)
    (seeds / "item_wordings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert load_catalog(seeds).items == load_catalog(paths().seeds).items
