import stat

import pytest

from impact_warehouse.landing.privacy import (
    ContactVault,
    MissingPseudonymKey,
    Pseudonymiser,
    create_demo_key,
    load_pseudonym_key,
)


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


def test_free_text_without_contact_details_is_untouched():
    text = "ヨガのインストラクター資格を取得した（２０２５年）"
    assert Pseudonymiser(b"k").scrub_free_text(text) == (text, 0)


def test_missing_key_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    with pytest.raises(MissingPseudonymKey, match="IMPACT_PSEUDONYM_KEY"):
        load_pseudonym_key(tmp_path / "absent.key")


def test_demo_key_is_created_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("IMPACT_PSEUDONYM_KEY", raising=False)
    key_file = tmp_path / "secrets" / "pseudonym.key"
    assert create_demo_key(key_file) is True
    assert create_demo_key(key_file) is False
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(load_pseudonym_key(key_file)) == 64
