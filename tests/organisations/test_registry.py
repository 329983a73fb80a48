"""The registry of organisations and each organisation's scope: errors staff can act on (in
Japanese), and a scope that never carries the installation's or another organisation's
folders, keys or recipients. Also ``impact organisations list|check|run``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from impact_warehouse.cli import main
from impact_warehouse.organisations import (
    PRIVATE_VARIABLES,
    Organisation,
    OrganisationError,
    find_organisation,
    load_registry,
    organisation_scope,
    registry_entries,
    scoped_environment,
    usable_organisations,
)
from impact_warehouse.settings import PROJECT_ROOT, paths

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"


def add_organisation(registry: Path, folder: str, code: str | None = None) -> Path:
    """A copy of the example catalog in ``registry/folder``, its organisation_code ``code``."""
    target = Path(shutil.copytree(EXAMPLE, registry / folder))
    profile = target / "organisation.csv"
    header, row = profile.read_text(encoding="utf-8").splitlines()[:2]
    old_code = row.split(",", 1)[0]
    profile.write_text(f"{header}\n{code or folder}{row[len(old_code) :]}\n", encoding="utf-8")
    return target


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    folder = tmp_path / "organisations"
    folder.mkdir()
    add_organisation(folder, "kurashi_lab")
    add_organisation(folder, "mirai_net")
    (folder / ".hidden").mkdir()
    (folder / "README.md").write_text("not an organisation\n", encoding="utf-8")
    return folder


def test_the_registry_lists_each_folder_by_its_code(registry: Path) -> None:
    organisations = load_registry(registry)

    assert [o.code for o in organisations] == ["kurashi_lab", "mirai_net"]
    assert organisations[0].catalog == (registry / "kurashi_lab").resolve()
    assert find_organisation("mirai_net", registry).code == "mirai_net"


def test_the_shipped_registry_links_two_organisations() -> None:
    codes = [o.code for o in load_registry(PROJECT_ROOT / "organisations")]
    assert len(codes) == 2 and len(set(codes)) == 2


@pytest.mark.parametrize(
    ("folder", "code", "expected"),
    [
        ("kurashi", "kurashi_lab", "フォルダ名"),  # organisation_code ≠ folder name
        ("Kurashi-Lab", "Kurashi-Lab", "組織コードに使えません"),
        ("9lab", "9lab", "組織コードに使えません"),
        # "__" separates a variable's name from its code: x__lab could claim lab's settings.
        ("x__lab", "x__lab", "組織コードに使えません"),
        ("lab_", "lab_", "組織コードに使えません"),
    ],
)
def test_a_folder_whose_name_is_not_its_code_is_refused(
    tmp_path: Path, folder: str, code: str, expected: str
) -> None:
    add_organisation(tmp_path, "mirai_net")
    add_organisation(tmp_path, folder, code)

    with pytest.raises(OrganisationError, match=expected) as raised:
        load_registry(tmp_path)
    assert folder in str(raised.value)


def test_a_folder_without_organisation_csv_is_refused(tmp_path: Path) -> None:
    add_organisation(tmp_path, "mirai_net")
    (add_organisation(tmp_path, "kurashi_lab") / "organisation.csv").unlink()

    with pytest.raises(OrganisationError, match=r"organisation\.csv を読めません"):
        load_registry(tmp_path)


def test_an_empty_or_missing_registry_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OrganisationError, match="組織のフォルダがありません"):
        load_registry(tmp_path)
    with pytest.raises(OrganisationError, match="がありません"):
        load_registry(tmp_path / "nowhere")


def test_registry_entries_keep_the_good_organisations_beside_a_bad_one(registry: Path) -> None:
    add_organisation(registry, "broken", "someone_else")

    entries = dict(registry_entries(registry))
    assert isinstance(entries["broken"], OrganisationError)
    assert "フォルダ名" in str(entries["broken"])
    assert isinstance(entries["kurashi_lab"], Organisation)
    assert isinstance(entries["mirai_net"], Organisation)


def test_a_link_to_a_missing_catalog_is_reported_not_skipped(registry: Path) -> None:
    (registry / "gone_org").symlink_to(registry / "nowhere")

    entries = dict(registry_entries(registry))
    assert isinstance(entries["gone_org"], OrganisationError)
    assert "リンク先" in str(entries["gone_org"])


def test_a_profile_saved_as_shift_jis_is_one_unusable_folder(registry: Path) -> None:
    folder = add_organisation(registry, "sjis_org")
    profile = folder / "organisation.csv"
    profile.write_bytes(profile.read_text(encoding="utf-8").encode("cp932"))

    entries = dict(registry_entries(registry))
    assert isinstance(entries["sjis_org"], OrganisationError)
    assert "CSV UTF-8" in str(entries["sjis_org"])
    assert find_organisation("mirai_net", registry).code == "mirai_net"


def test_a_profile_with_a_bom_is_read_as_the_catalog_loader_reads_it(registry: Path) -> None:
    """Excel's 「CSV UTF-8」 starts the file with a BOM; the catalog loader and the seed
    staging skip it (tests/catalog/test_catalog_bom.py), and so does the registry."""
    folder = add_organisation(registry, "bom_org")
    profile = folder / "organisation.csv"
    profile.write_bytes(b"\xef\xbb\xbf" + profile.read_bytes())

    assert find_organisation("bom_org", registry).code == "bom_org"


def test_a_profile_that_is_a_pipe_is_refused_without_blocking(registry: Path) -> None:
    """Opening a FIFO blocks until a writer comes, and the DAG files read every profile when
    they are parsed: a pipe in place of organisation.csv is one unusable folder, at once."""
    folder = add_organisation(registry, "pipe_org")
    (folder / "organisation.csv").unlink()
    os.mkfifo(folder / "organisation.csv")

    organisations, unusable = usable_organisations(registry)
    assert [o.code for o in organisations] == ["kurashi_lab", "mirai_net"]
    assert len(unusable) == 1 and "通常のファイルではありません" in str(unusable[0])


def test_an_empty_organisation_code_is_named_as_empty(registry: Path) -> None:
    folder = add_organisation(registry, "blank_org")
    profile = folder / "organisation.csv"
    header, row = profile.read_text(encoding="utf-8").splitlines()[:2]
    profile.write_text(f"{header}\n{row[len('blank_org') :]}\n", encoding="utf-8")

    entries = dict(registry_entries(registry))
    assert "organisation_code が空です" in str(entries["blank_org"])


def test_running_one_organisation_reads_only_its_own_folder(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another organisation's profile may not even be readable (a stale network mount
    hangs): finding one organisation opens its own folder's profile and no other."""
    from impact_warehouse import organisations

    read: list[str] = []
    profile_code = organisations._profile_code

    def recorded(catalog: Path) -> str:
        read.append(catalog.name)
        return profile_code(catalog)

    monkeypatch.setattr(organisations, "_profile_code", recorded)
    assert find_organisation("mirai_net", registry).code == "mirai_net"
    assert read == ["mirai_net"]
    with pytest.raises(OrganisationError, match="登録されていません"):
        find_organisation("nobody", registry)


def test_one_broken_folder_does_not_stop_finding_another_organisation(registry: Path) -> None:
    add_organisation(registry, "broken", "someone_else")

    assert find_organisation("mirai_net", registry).code == "mirai_net"
    with pytest.raises(OrganisationError, match="フォルダ名"):
        find_organisation("broken", registry)
    organisations, unusable = usable_organisations(registry)
    assert [o.code for o in organisations] == ["kurashi_lab", "mirai_net"]
    assert len(unusable) == 1 and "broken" in str(unusable[0])


def test_an_unknown_code_names_the_registered_ones(registry: Path) -> None:
    with pytest.raises(OrganisationError, match=r"登録されていません.*kurashi_lab, mirai_net"):
        find_organisation("nobody", registry)


def installation(tmp_path: Path) -> dict[str, str]:
    """An installation's environment with private settings of its own and of two orgs."""
    environ = {"PATH": "/usr/bin", "IMPACT_WORK_DIR": str(tmp_path / "work")}
    for name in PRIVATE_VARIABLES:
        environ[name] = f"installation-{name}"
    environ["IMPACT_PSEUDONYM_KEY__KURASHI_LAB"] = "kurashi-key"
    environ["IMPACT_ALERT_TO__KURASHI_LAB"] = "staff@kurashi.example"
    environ["IMPACT_PSEUDONYM_KEY__MIRAI_NET"] = "mirai-key"
    environ["IMPACT_ALERT_TO__MIRAI_NET"] = "staff@mirai.example"
    environ["IMPACT_SMTP_HOST"] = "smtp.installation.example"
    environ["IMPACT_SMTP_HOST__MIRAI_NET"] = "smtp.mirai.example"
    return environ


def test_a_scope_never_carries_the_installations_private_settings(
    registry: Path, tmp_path: Path
) -> None:
    kurashi, mirai = load_registry(registry)
    environ = installation(tmp_path)

    scoped = scoped_environment(kurashi, environ)
    for name in PRIVATE_VARIABLES:
        assert "installation-" not in scoped.get(name, ""), name
    assert scoped["IMPACT_PSEUDONYM_KEY"] == "kurashi-key"
    assert scoped["IMPACT_ALERT_TO"] == "staff@kurashi.example"
    assert scoped["IMPACT_CATALOG_DIR"] == str(kurashi.catalog)
    assert scoped["IMPACT_WORK_DIR"] == str(tmp_path / "work" / "organisations" / "kurashi_lab")
    # A shared setting stays the installation's unless set for this organisation.
    assert scoped["IMPACT_SMTP_HOST"] == "smtp.installation.example"
    assert scoped_environment(mirai, environ)["IMPACT_SMTP_HOST"] == "smtp.mirai.example"


def test_a_scope_never_carries_another_organisations_settings(
    registry: Path, tmp_path: Path
) -> None:
    kurashi, mirai = load_registry(registry)
    environ = installation(tmp_path)

    for organisation, other in ((kurashi, mirai), (mirai, kurashi)):
        scoped = scoped_environment(organisation, environ)
        values = set(scoped.values())
        assert not any(name.endswith(other.env_suffix) for name in scoped)
        assert not any(name.endswith(organisation.env_suffix) for name in scoped)
        assert environ[f"IMPACT_PSEUDONYM_KEY{other.env_suffix}"] not in values
        assert environ[f"IMPACT_ALERT_TO{other.env_suffix}"] not in values
        assert other.code not in scoped["IMPACT_WORK_DIR"]


def test_airflow_secrets_in_a_scope_are_only_the_organisations_own(
    registry: Path, tmp_path: Path
) -> None:
    """Airflow reads ``AIRFLOW_VAR_*``/``AIRFLOW_CONN_*`` before its database: the
    installation's or another organisation's must not be in a scope's processes at all."""
    kurashi, mirai = load_registry(registry)
    environ = {
        **installation(tmp_path),
        "AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY": "installation-airflow-key",
        "AIRFLOW_CONN_IMPACT_SMTP": "smtp://installation",
        "AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY__KURASHI_LAB": "kurashi-airflow-key",
        "AIRFLOW_CONN_IMPACT_SMTP__MIRAI_NET": "smtp://mirai",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # A name that ends in kurashi_lab's suffix but is another variable's override.
        "IMPACT_PSEUDONYM_KEY__X__KURASHI_LAB": "not-kurashis",
    }

    scoped = scoped_environment(kurashi, environ)
    assert scoped["AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY__KURASHI_LAB"] == "kurashi-airflow-key"
    assert "AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY" not in scoped
    assert "AIRFLOW_CONN_IMPACT_SMTP" not in scoped
    assert "AIRFLOW_CONN_IMPACT_SMTP__MIRAI_NET" not in scoped
    assert "not-kurashis" not in scoped.values()
    assert scoped["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"  # Airflow's own settings stay
    assert scoped_environment(mirai, environ)["AIRFLOW_CONN_IMPACT_SMTP__MIRAI_NET"] == (
        "smtp://mirai"
    )


def test_organisation_scope_applies_the_scope_and_restores(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kurashi, _ = load_registry(registry)
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("IMPACT_PSEUDONYM_KEY", "installation-key")
    with organisation_scope(kurashi):
        assert paths().work == tmp_path / "work" / "organisations" / "kurashi_lab"
        assert paths().catalog == kurashi.catalog
        assert "IMPACT_PSEUDONYM_KEY" not in os.environ
    assert paths().work == tmp_path / "work"
    assert os.environ["IMPACT_PSEUDONYM_KEY"] == "installation-key"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def cli_registry(registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IMPACT_ORGANISATIONS_DIR", str(registry))
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    return registry


def test_list_shows_each_organisations_folders(
    cli_registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["organisations", "list"], capsys)

    assert code == 0
    assert str(tmp_path / "work" / "organisations" / "kurashi_lab") in out
    assert str((cli_registry / "mirai_net").resolve()) in out
    assert out.count("公開中のリリースなし") == 2


def test_check_reports_a_bad_organisation_and_still_checks_the_others(
    cli_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_organisation(cli_registry, "broken", "someone_else")
    waves = add_organisation(cli_registry, "bad_catalog") / "waves.csv"
    waves.write_text(waves.read_text(encoding="utf-8") + "oops,not-a-year\n", encoding="utf-8")

    code, out = run(["organisations", "check"], capsys)

    assert code == 1
    assert "OK kurashi_lab" in out and "OK mirai_net" in out
    assert "NG broken" in out and "NG bad_catalog" in out
    assert "4 組織のうち 2 組織" in out


def test_check_passes_on_a_good_registry(
    cli_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["organisations", "check"], capsys)
    assert code == 0 and "2 組織すべて問題ありません" in out


def test_run_runs_an_impact_command_in_the_organisations_scope(
    cli_registry: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code = main(["organisations", "run", "mirai_net", "--", "releases"])
    out = capfd.readouterr()

    # No release yet: the message names the organisation's own releases folder.
    assert code == 1
    assert str(tmp_path / "work" / "organisations" / "mirai_net" / "releases") in out.err


def test_run_refuses_an_unknown_organisation(
    cli_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["organisations", "run", "nobody", "--", "releases"], capsys)
    assert code == 1 and "登録されていません" in out


def test_a_data_command_outside_any_organisation_names_the_command_to_use(
    cli_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a registry, `impact releases` (or pull, publish…) outside a scope would read
    folders, a key and a catalog that are no organisation's: refused, saying what to run."""
    code, output = run(["releases"], capsys)
    assert code == 1
    assert "impact organisations run <組織コード>" in output


def test_a_missing_key_names_the_organisations_own_settings(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a scope the installation's IMPACT_PSEUDONYM_KEY is not read: the message must
    name the setting that is."""
    from impact_warehouse.ops.preflight import ConfigurationError, check_pseudonym_key

    kurashi, _ = load_registry(registry)
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    with organisation_scope(kurashi), pytest.raises(ConfigurationError) as raised:
        check_pseudonym_key(paths(), None)
    message = raised.value.message_ja
    assert "impact_pseudonym_key__kurashi_lab" in message
    assert "IMPACT_PSEUDONYM_KEY__KURASHI_LAB" in message


def test_a_damaged_current_pointer_is_named_and_the_other_organisations_still_listed(
    cli_registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from impact_warehouse.cli.organisations import _print_outputs

    releases = tmp_path / "work" / "organisations" / "kurashi_lab" / "releases"
    releases.mkdir(parents=True)
    (releases / "CURRENT").write_bytes(b"\xff\xfe not a release")

    code, out = run(["organisations", "list"], capsys)
    assert code == 0
    assert "読めません (DamagedRecordError" in out and "公開中のリリースなし" in out

    # The summary after `impact organisations demo` prints every organisation the same way.
    for organisation in usable_organisations(cli_registry)[0]:
        _print_outputs(organisation)
    summary = capsys.readouterr().out
    assert "kurashi_lab:" in summary and "mirai_net:" in summary
    assert "公開中のリリース: 読めません" in summary
