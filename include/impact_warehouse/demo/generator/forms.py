"""Google Forms API v1 ``Form`` resources (as ``forms.get`` returns them) for each wave.

Question titles are the catalog wording of the wave's fiscal year, because ingestion matches
questions to items by normalised title. How a question is asked follows from the catalog too:
a score item whose wording names its anchors ("1:全くない〜10:とてもある") is a linear scale; one
whose wording does not (career_confidence in FY2022–2023) was a short-answer box where people
typed the number.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from impact_warehouse.catalog import Catalog, Item, Wave
from impact_warehouse.demo.generator.instrument import NAME_ITEM, items_asked, labels_high_to_low
from impact_warehouse.demo.generator.seeding import stable_hex

# Not in the catalog on purpose: ingestion must report it as unmatched, not drop it.
COMMENT_KEY = "comment"
COMMENT_QUESTION = "本アンケートやプログラムへのご意見・ご感想をご自由にお書きください"
GRID_PROMPT = "次のそれぞれについて、あてはまるものを1つずつお選びください"
HOURS_HINT = "数字でご記入ください（例：1.5）"
_GRID_SCALES = frozenset({"likert4"})
_SCORE_SCALES = frozenset({"score10", "anxiety10"})
_TITLE_BY_WAVE_TYPE = {
    "pre": "開始前アンケート",
    "post": "終了後アンケート",
    "followup": "追跡アンケート",
}
_ANCHORS = re.compile(
    r"[（(]\s*\d+\s*[:：]\s*(?P<low>[^〜～~]+?)\s*[〜～~]\s*\d+\s*[:：]\s*(?P<high>[^）)]+?)\s*[）)]"
)


@dataclass(frozen=True)
class BuiltForm:
    form_id: str
    resource: dict[str, Any]
    question_ids: dict[str, str]  # item_code (or COMMENT_KEY) → questionId


def question_id(form_id: str, key: str) -> str:
    """The questionId of an item (or COMMENT_KEY) on a form: stable across runs and seeds."""
    return stable_hex(form_id, "question", key)


def build_form(catalog: Catalog, wave: Wave) -> BuiltForm:
    form_id = wave.source_ref
    question_ids: dict[str, str] = {}
    form_items: list[dict[str, Any]] = []
    asked = items_asked(catalog, wave)
    for (is_grid, _topic), group in groupby(
        asked, key=lambda item: _block_key(catalog, wave, item)
    ):
        block = list(group)
        if is_grid:
            form_items.append(_grid_item(catalog, wave, block, question_ids))
        else:
            form_items.extend(_question_item(catalog, wave, item, question_ids) for item in block)
    if wave.wave_type == "post":
        question_ids[COMMENT_KEY] = question_id(form_id, COMMENT_KEY)
        question = {
            "questionId": question_ids[COMMENT_KEY],
            "required": False,
            "textQuestion": {"paragraph": True},
        }
        form_items.append(_item(form_id, COMMENT_KEY, COMMENT_QUESTION, question))
    resource = {
        "formId": form_id,
        "info": {
            "title": _title(catalog, wave),
            "documentTitle": _title(catalog, wave),
            "description": _description(wave),
        },
        "settings": {"emailCollectionType": "RESPONDER_INPUT"},
        "items": form_items,
        "revisionId": f"{int(stable_hex(form_id, 'revision'), 16) % 97 + 1:08d}",
        "responderUri": f"https://docs.google.com/forms/d/e/1FAIpQLS{_opaque(form_id)}/viewform",
    }
    return BuiltForm(form_id, resource, question_ids)


def _block_key(catalog: Catalog, wave: Wave, item: Item) -> tuple[bool, str]:
    """Consecutive likert items of one indicator share a grid, as the report groups them."""
    if item.scale_code not in _GRID_SCALES:
        return (False, item.item_code)
    indicator = catalog.item_indicators.get((item.item_code, wave.wave_type), "")
    return (True, f"{item.section}:{indicator}")


def _grid_item(
    catalog: Catalog, wave: Wave, block: list[Item], question_ids: dict[str, str]
) -> dict[str, Any]:
    form_id = wave.source_ref
    rows = []
    for item in block:
        question_ids[item.item_code] = question_id(form_id, item.item_code)
        rows.append(
            {
                "questionId": question_ids[item.item_code],
                "required": False,
                "rowQuestion": {"title": item.wording_for(wave.fiscal_year)},
            }
        )
    options = [{"value": label} for label in labels_high_to_low(catalog, block[0].scale_code)]
    return {
        "itemId": stable_hex(form_id, "item", "grid", block[0].item_code),
        "title": GRID_PROMPT,
        "questionGroupItem": {
            "questions": rows,
            "grid": {"columns": {"type": "RADIO", "options": options}},
        },
    }


def _question_item(
    catalog: Catalog, wave: Wave, item: Item, question_ids: dict[str, str]
) -> dict[str, Any]:
    form_id = wave.source_ref
    question_ids[item.item_code] = question_id(form_id, item.item_code)
    wording = item.wording_for(wave.fiscal_year) or ""
    question = {
        "questionId": question_ids[item.item_code],
        "required": item.item_code == NAME_ITEM,
        **_kind(catalog, item, wording),
    }
    description = HOURS_HINT if item.scale_code == "hours" else None
    return _item(form_id, item.item_code, wording, question, description)


def _item(
    form_id: str, key: str, title: str, question: dict[str, Any], description: str | None = None
) -> dict[str, Any]:
    form_item: dict[str, Any] = {"itemId": stable_hex(form_id, "item", key), "title": title}
    if description:
        form_item["description"] = description
    form_item["questionItem"] = {"question": question}
    return form_item


def _kind(catalog: Catalog, item: Item, wording: str) -> dict[str, Any]:
    scale = catalog.scales[item.scale_code]
    if item.scale_code in _SCORE_SCALES:
        anchors = _ANCHORS.search(wording)
        if anchors is None:
            return {"textQuestion": {"paragraph": False}}
        return {
            "scaleQuestion": {
                "low": int(scale.min_value or 1),
                "high": int(scale.max_value or 10),
                "lowLabel": anchors.group("low"),
                "highLabel": anchors.group("high"),
            }
        }
    if scale.labels:
        options = [{"value": label} for label in labels_high_to_low(catalog, item.scale_code)]
        return {"choiceQuestion": {"type": "RADIO", "options": options}}
    return {"textQuestion": {"paragraph": item.section == "free_text"}}


def _title(catalog: Catalog, wave: Wave) -> str:
    program_codes = dict.fromkeys(
        catalog.cohorts[code].program_code for code in wave.target_cohorts
    )
    programs = "・".join(catalog.programs[code].program_name_ja for code in program_codes)
    survey = _TITLE_BY_WAVE_TYPE.get(wave.wave_type, "アンケート")
    return f"【{programs}】{wave.fiscal_year}年度 {survey}"


def _description(wave: Wave) -> str:
    return (
        f"対象：{wave.targeted_population_ja}\n"
        f"回答期間：{wave.open_date:%Y/%m/%d}～{wave.close_date:%Y/%m/%d}\n"
        "ご回答は統計的に集計し、個人が特定される形で公表することはありません。"
    )


def _opaque(form_id: str) -> str:
    digest = hashlib.sha256(f"responder|{form_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:49]
