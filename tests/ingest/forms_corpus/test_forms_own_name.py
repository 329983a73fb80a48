"""A respondent's own name, answered in a later question of the form, is scrubbed from her
free text above it: personal-data answers are landed first, whatever the question order."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the fixture's type, from this folder's conftest.py; imported at run
    # time, ``conftest`` would be whichever conftest.py the collection put on sys.path first
    from conftest import HostileForm

NAME = "汐見 芙美香"  # not on any roster: only her own answer tells landing the name


def test_own_name_is_scrubbed_from_free_text_asked_before_the_name(
    hostile_form: HostileForm,
) -> None:
    definition_path = hostile_form.root / "forms" / f"{hostile_form.wave.form_id}.json"
    definition = json.loads(definition_path.read_text(encoding="utf-8"))
    definition["items"][2]["title"] = "お名前"  # q3 becomes the catalog's name question
    definition_path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    answers = {
        "q1": {
            "questionId": "q1",
            "textAnswers": {"answers": [{"value": "汐見芙美香です。育休中に参加しました。"}]},
        },
        "q3": {"questionId": "q3", "textAnswers": {"answers": [{"value": NAME}]}},
    }
    hostile_form.serve(
        [hostile_form.line(hostile_form.response("own-name", "2025-06-02T00:00:00Z", answers))]
    )

    pull = hostile_form.pull()

    assert pull.error is None
    (landed,) = pull.responses
    free_text = landed["payload"]["answers"]["q1"]["textAnswers"]["answers"][0]["value"]
    assert free_text == "[氏名]です。育休中に参加しました。"
    assert landed["payload"]["answers"]["q3"]["textAnswers"]["answers"][0]["value"].startswith(
        "name_"
    )
    assert list(landed["payload"]["answers"]) == ["q1", "q3"]  # the form's order is kept
