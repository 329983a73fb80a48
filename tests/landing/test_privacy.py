import stat

import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.landing.answers import AnswerLander
from impact_warehouse.landing.privacy import (
    MIN_PSEUDONYM_KEY_BYTES,
    ContactVault,
    MissingPseudonymKey,
    Pseudonymiser,
    PseudonymKeyTooShort,
    check_pseudonym_key,
    create_demo_key,
    load_pseudonym_key,
)
from impact_warehouse.landing.quarantine import QuarantineBatch
from impact_warehouse.landing.summary import SourceSummary


def test_pseudonym_is_stable_keyed_and_ignores_case_and_whitespace(tmp_path):
    first = Pseudonymiser(b"key-a").pseudonym("email", "Hanako.Sato@Example.jp")
    again = Pseudonymiser(b"key-a").pseudonym("email", "  hanako.sato@example.jp ")
    other_key = Pseudonymiser(b"key-b").pseudonym("email", "hanako.sato@example.jp")
    assert first == again
    assert first != other_key
    assert "hanako" not in first and first.startswith("email_")


def test_same_text_of_different_kinds_gets_different_pseudonyms():
    pseudonymiser = Pseudonymiser(b"k")
    assert pseudonymiser.pseudonym("name", "12345") != pseudonymiser.pseudonym("phone", "12345")


def test_vault_keeps_the_mapping_with_restricted_permissions(tmp_path):
    vault = ContactVault(tmp_path / "vault")
    pseudonym = Pseudonymiser(b"k", vault).pseudonym("phone", "090-1234-5678", source="t")
    vault.flush()
    assert vault.lookup(pseudonym) == ("phone", "09012345678")
    assert stat.S_IMODE((tmp_path / "vault").stat().st_mode) == 0o700
    assert stat.S_IMODE(vault.path.stat().st_mode) == 0o600
    vault.close()


def test_free_text_contact_details_are_scrubbed():
    text = "詳しくは hanako.example@example.com か ０９０-１２３４-５６７８ まで"
    scrubbed, count = Pseudonymiser(b"k").scrub_free_text(text)
    assert count == 2
    assert "@" not in scrubbed and "1234" not in scrubbed
    assert scrubbed.startswith("詳しくは [email_")


def test_obfuscated_contacts_get_the_pseudonym_of_the_plain_contact():
    pseudonymiser = Pseudonymiser(b"k")
    scrubbed, count = pseudonymiser.scrub_free_text(
        "mayumi.harada(at)example.jp / ０９０ー1428ー5063 / +81 (0)90-1428-5063"
    )
    email = pseudonymiser.pseudonym("email", "mayumi.harada@example.jp")
    phone = pseudonymiser.pseudonym("phone", "090-1428-5063")
    assert count == 3
    assert scrubbed == f"[{email}] / [{phone}] / [{phone}]"


def test_names_addresses_and_postal_codes_become_neutral_tokens(tmp_path):
    vault = ContactVault(tmp_path / "vault")
    Pseudonymiser(b"k", vault).pseudonym("name", "原田　真由美", source="roster.xlsx")
    vault.flush()
    text = "原田さんと原田真由美は〒100-0001 東京都千代田区千代田1-1に住む"
    scrubbed, count = Pseudonymiser(b"k", vault).scrub_free_text(text)
    assert scrubbed == "[氏名]さんと[氏名]は[郵便番号] [住所]に住む"
    assert count == 4
    vault.close()


def test_the_vault_lists_roster_names_with_the_family_given_split(tmp_path):
    vault = ContactVault(tmp_path / "vault")
    pseudonymiser = Pseudonymiser(b"k", vault)
    pseudonymiser.pseudonym("name", "原田 真由美")
    pseudonymiser.pseudonym("name", "原田真由美")  # same person, written without the space
    pseudonymiser.pseudonym("name", "森翼")  # only ever written without a space
    vault.flush()
    assert vault.lookup(pseudonymiser.pseudonym("name", "原田 真由美")) == ("name", "原田真由美")
    assert sorted(vault.roster_names()) == ["原田 真由美", "森翼"]
    vault.close()
    reopened = ContactVault(tmp_path / "vault")
    assert sorted(reopened.roster_names()) == ["原田 真由美", "森翼"]
    reopened.close()


def test_a_name_answered_in_a_form_is_scrubbed_from_later_free_text(tmp_path):
    vault = ContactVault(tmp_path / "vault")
    pseudonymiser = Pseudonymiser(b"k", vault)
    assert pseudonymiser.scrub_free_text("石井菜摘です") == ("石井菜摘です", 0)
    pseudonymiser.pseudonym("name", "石井 菜摘")
    assert pseudonymiser.scrub_free_text("石井菜摘です、石井さんと呼んで") == (
        "[氏名]です、[氏名]さんと呼んで",
        2,
    )
    vault.close()


def test_own_names_are_scrubbed_even_when_the_vault_does_not_know_them():
    scrubbed, count = Pseudonymiser(b"k").scrub_free_text("山田花子です", names=["山田 花子"])
    assert (scrubbed, count) == ("[氏名]です", 1)


def _lander_and_batch(tmp_path, names=()):
    catalog = load_catalog()
    quarantine = QuarantineBatch("google_forms", "form-x", "wave-x", "batch-1", tmp_path / "vault")
    pseudonymiser = Pseudonymiser(b"k", names=names)
    return catalog, AnswerLander(catalog, pseudonymiser), quarantine, SourceSummary("t", "x")


def _item_with_value_type(catalog, value_type):
    return next(
        code
        for code, item in catalog.items.items()
        if not item.is_personal_data and catalog.scales[item.scale_code].value_type == value_type
    )


@pytest.mark.parametrize(
    ("value_type", "typed"),
    [
        ("decimal", "mayumi.harada(at)example.jp"),
        ("decimal", "０９０ー1428ー5063"),
        ("code", "090.1428.5063"),
        ("code", "原田 真由美"),
    ],
)
def test_personal_data_typed_into_a_scale_field_is_redacted_before_landing(
    tmp_path, value_type, typed
):
    catalog, lander, quarantine, summary = _lander_and_batch(tmp_path, names=["原田 真由美"])
    item_code = _item_with_value_type(catalog, value_type)
    landed = lander.land(item_code, typed, "resp-1|q-1", quarantine, summary)
    assert typed not in landed and landed.startswith("[")
    (row,) = quarantine.records
    assert row["reason_code"] == "personal_data_in_field"
    assert row["value"] == landed and typed not in str(row)
    raw_copy = tmp_path / "vault" / row["raw_vault_path"]
    assert raw_copy.read_text(encoding="utf-8").strip() == typed
    assert stat.S_IMODE(raw_copy.stat().st_mode) == 0o600


def test_an_invalid_scale_answer_without_personal_data_keeps_its_value_for_staff(tmp_path):
    catalog, lander, quarantine, summary = _lander_and_batch(tmp_path)
    item_code = _item_with_value_type(catalog, "decimal")
    assert lander.land(item_code, "99", "resp-1|q-1", quarantine, summary) == "99"
    (row,) = quarantine.records
    assert row["reason_code"] == "out_of_scale" and row["value"] == "99"


def test_free_text_without_contact_details_is_untouched():
    text = "ヨガのインストラクター資格を取得した（２０２５年）"
    assert Pseudonymiser(b"k").scrub_free_text(text) == (text, 0)


def test_missing_key_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    with pytest.raises(MissingPseudonymKey, match="IMPACT_PSEUDONYM_KEY"):
        load_pseudonym_key(tmp_path / "absent.key")


@pytest.mark.parametrize("written", ["", "\n", "short-key", "x" * (MIN_PSEUDONYM_KEY_BYTES - 1)])
def test_a_key_file_shorter_than_32_bytes_is_refused(tmp_path, monkeypatch, written):
    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text(written, encoding="utf-8")
    with pytest.raises(PseudonymKeyTooShort, match="at least 32") as refused:
        load_pseudonym_key(key_file)
    assert str(key_file) in str(refused.value)
    assert "32バイト以上" in refused.value.message_ja
    # Callers that already stop on a missing key stop on a short one too.
    assert isinstance(refused.value, MissingPseudonymKey)


def test_a_short_key_in_the_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", "k")
    with pytest.raises(PseudonymKeyTooShort, match="IMPACT_PSEUDONYM_KEY is 1 bytes"):
        load_pseudonym_key(tmp_path / "absent.key")


def test_a_32_byte_key_is_accepted_as_is(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", "k" * MIN_PSEUDONYM_KEY_BYTES)
    assert load_pseudonym_key(tmp_path / "absent.key") == b"k" * MIN_PSEUDONYM_KEY_BYTES
    assert check_pseudonym_key(b"x" * 64, "a test") == b"x" * 64


def test_demo_key_is_created_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    key_file = tmp_path / "secrets" / "pseudonym.key"
    assert create_demo_key(key_file) is True
    assert create_demo_key(key_file) is False
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(load_pseudonym_key(key_file)) == 64


def test_own_names_as_one_string_are_refused_not_read_as_characters():
    with pytest.raises(TypeError, match="not one string"):
        Pseudonymiser(b"k").scrub_free_text("原田真由美です", names="原田真由美")


def test_blank_or_missing_own_names_are_skipped():
    scrubbed, count = Pseudonymiser(b"k").scrub_free_text(
        "林 杏です",
        names=["林 杏", None, ""],  # type: ignore[list-item]
    )
    assert count == 1 and "林 杏" not in scrubbed


@pytest.mark.parametrize("control", ["\u202e", "\u202b", "\u2067", "\u200f", "\u061c"])
def test_bidi_controls_cannot_show_a_phone_number_the_detector_did_not_see(tmp_path, control):
    """Stored "8765-4321-090" after U+202E is shown as 090-1234-5678: the detector scans the
    stored order, so free text lands without the characters that reorder it."""
    _catalog, lander, quarantine, summary = _lander_and_batch(tmp_path)
    sent = f"連絡先: {control}8765-4321-090\u202c です"
    landed = lander.land(None, sent, "resp-1|q-9", quarantine, summary)
    assert landed == "連絡先: 8765-4321-090 です"
    assert summary.normalised["bidi_controls_removed"] == 2


def test_bidi_controls_leave_a_scale_answer_too(tmp_path):
    """Label and text scale answers are published as written: they lose the characters that
    reorder their display like free text does."""
    catalog, lander, quarantine, summary = _lander_and_batch(tmp_path)
    item_code = _item_with_value_type(catalog, "code")
    label = next(iter(catalog.scales[catalog.items[item_code].scale_code].labels))
    landed = lander.land(item_code, f"\u202e{label}", "resp-1|q-1", quarantine, summary)
    assert landed == label
    assert summary.normalised["bidi_controls_removed"] == 1
