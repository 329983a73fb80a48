"""A roster is built from a collection of names; one string is refused rather than read as
its characters (each too short to be a name: the roster would be silently empty)."""

from __future__ import annotations

import pytest

from impact_warehouse.personal_data import find_personal_data
from impact_warehouse.personal_data.names import RosterNames


def test_one_string_is_refused_without_echoing_it() -> None:
    with pytest.raises(TypeError, match="not one string") as refused:
        RosterNames("山田花子")

    assert "山田" not in str(refused.value)


def test_a_list_of_one_name_finds_it() -> None:
    findings = find_personal_data("担当の山田花子さんに感謝", names=RosterNames(["山田花子"]))

    assert findings


def test_mask_personal_data_refuses_one_string_as_names(tmp_path) -> None:
    from impact_warehouse.quality.privacy_masking import mask_personal_data

    with pytest.raises(TypeError, match="not one string"):
        mask_personal_data(tmp_path / "audit.duckdb", names="原田 真由美")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("roster", "written"),
    [
        ("高橋 真由美", "髙橋さん"),  # the answer has the variant
        ("髙橋 眞由美", "高橋真由美"),  # the roster has it
        ("渡邊 花子", "渡辺さん"),
        ("渡辺 花子", "渡邉さん"),
        ("吉田 一郎", "𠮷田一郎"),  # outside the Basic Multilingual Plane
        ("崎山 太郎", "﨑山さん"),  # a compatibility ideograph NFKC keeps
        ("斎藤 恵", "齋藤さん"),
        ("浜田 実", "濱田 實"),
        ("葛西 花子", "葛\U000e0100西さん"),  # an ideographic variation selector (IVS)
        ("辻 一郎", "辻\ufe00一郎"),
    ],
)
def test_variant_kanji_of_a_name_are_the_same_name(roster: str, written: str) -> None:
    """People write their names with variant kanji (異体字) on one form and not on another: the
    roster's spelling must still find the name, and the mask must cover what was written."""
    from impact_warehouse.personal_data.detector import mask_personal_data

    text = f"感想: {written}に感謝しています"
    masked, findings = mask_personal_data(text, names=RosterNames([roster]))

    assert [finding.kind for finding in findings] == ["name"]
    (finding,) = findings
    assert text[finding.start : finding.end] == finding.text
    name = written.removesuffix("さん")
    assert finding.text == name
    assert name not in masked


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ("連絡は太田・美紀まで", "太田・美紀"),
        ("連絡は太田･美紀まで", "太田･美紀"),  # half-width middle dot
        ("担当: 太田(美紀)", "太田(美紀"),
        ("担当: 太田（美紀）さん", "太田（美紀"),
        ("(美紀)さんに相談", "美紀"),
    ],
)
def test_a_middle_dot_or_brackets_between_family_and_given_name(written: str, found: str) -> None:
    """A red-team's 「太田・美紀」 and 「太田(美紀)」 were published: like a space, a middle dot
    or brackets between the parts of a roster name still make the name."""
    (finding,) = find_personal_data(written, names=RosterNames(["太田 美紀"]))

    assert (finding.kind, written[finding.start : finding.end]) == ("name", found)


def test_a_middle_dot_between_other_words_finds_no_name() -> None:
    assert (
        find_personal_data("太田・港区・3・4人で集まった", names=RosterNames(["太田 美紀"])) == []
    )
