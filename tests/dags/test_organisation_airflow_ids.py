"""Inside an organisation's scope, Airflow Variables, Connections, DAG ids and the embedded
Airflow are the organisation's (issue 16): its key, Forms credential and alert recipients are
never another's or the installation's, and all organisations share one Airflow."""

from __future__ import annotations

import json
import os

import pytest

from impact_warehouse.cli.airflow_runs import forms_connection_variable
from impact_warehouse.notify.channel_config import AlertConfigError, channels_from_env
from impact_warehouse.orchestration.airflow_env import airflow_environment
from impact_warehouse.orchestration.airflow_support import forms_api_config, pseudonym_key
from impact_warehouse.organisations import (
    ORGANISATIONS_DIR_ENV,
    Organisation,
    installation_work_dir,
    load_registry,
    organisation_scope,
    scoped_dag_id,
    scoped_environment,
)
from impact_warehouse.settings import PROJECT_ROOT

KEY_A = "organisation-a-key-" + "a" * 40
KEY_INSTALLATION = "installation-key-" + "i" * 40


@pytest.fixture
def organisations(monkeypatch: pytest.MonkeyPatch) -> tuple[Organisation, Organisation]:
    monkeypatch.setenv(ORGANISATIONS_DIR_ENV, str(PROJECT_ROOT / "organisations"))
    first, second = load_registry()[:2]
    return first, second


def _connection(host: str, **extra: str) -> str:
    return json.dumps({"conn_type": "http", "host": host, "password": "token", "extra": extra})


def test_secrets_and_alert_connections_are_the_organisations_own(
    organisations: tuple[Organisation, Organisation], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = organisations
    a = first.code.upper()
    monkeypatch.setenv(f"AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY__{a}", KEY_A)
    monkeypatch.setenv("AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY", KEY_INSTALLATION)
    monkeypatch.setenv(f"AIRFLOW_CONN_IMPACT_FORMS_API__{a}", _connection("https://forms-a.test"))
    monkeypatch.setenv("AIRFLOW_CONN_IMPACT_FORMS_API", _connection("https://forms.test"))
    smtp_a = {"from": "a@example.org", "to": "staff-a@example.org"}
    monkeypatch.setenv(f"AIRFLOW_CONN_IMPACT_SMTP__{a}", _connection("mail-a.test", **smtp_a))
    smtp = {"from": "x@example.org", "to": "staff@example.org"}
    monkeypatch.setenv("AIRFLOW_CONN_IMPACT_SMTP", _connection("mail.test", **smtp))
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "smtp")

    assert pseudonym_key() == KEY_INSTALLATION.encode()  # one organisation: as before
    with organisation_scope(first):
        assert pseudonym_key() == KEY_A.encode()
        assert forms_api_config().base_url == "https://forms-a.test"
        (channel,) = channels_from_env()
        assert (channel.host, channel.recipients) == ("mail-a.test", ("staff-a@example.org",))
    with organisation_scope(second):
        # No key, Forms connection or recipients of its own: never the installation's.
        assert pseudonym_key() is None
        with pytest.raises(AlertConfigError, match="IMPACT_ALERT_TO"):
            channels_from_env(
                {**os.environ, "IMPACT_SMTP_HOST": "m.test", "IMPACT_ALERT_FROM": "p@example.org"}
            )


def test_reentering_a_scope_keeps_the_organisations_own_settings(
    organisations: tuple[Organisation, Organisation],
) -> None:
    """A DAG run started inside a scope (``impact demo`` of one organisation) runs its tasks in
    the same scope: their settings taken from ``<NAME>__<CODE>`` must not be dropped again."""
    first, second = organisations
    environ = {
        "IMPACT_WORK_DIR": "/srv/impact",
        "IMPACT_PSEUDONYM_KEY": KEY_INSTALLATION,
        f"IMPACT_PSEUDONYM_KEY{first.env_suffix}": KEY_A,
    }
    scoped = scoped_environment(first, environ)
    assert scoped["IMPACT_PSEUDONYM_KEY"] == KEY_A
    scoped["IMPACT_INBOX_DIR"] = "/srv/demo/inbox"  # set by the command for its DAG run
    assert scoped_environment(first, scoped) == scoped
    other = scoped_environment(second, scoped)
    assert "IMPACT_PSEUDONYM_KEY" not in other and "IMPACT_INBOX_DIR" not in other


def test_every_organisation_runs_its_own_dags_on_the_installations_airflow(
    organisations: tuple[Organisation, Organisation],
) -> None:
    installation_home = airflow_environment()["AIRFLOW_HOME"]
    assert scoped_dag_id("impact_ingest") == "impact_ingest"
    assert forms_connection_variable() == "AIRFLOW_CONN_IMPACT_FORMS_API"
    for organisation in organisations:
        with organisation_scope(organisation):
            assert airflow_environment()["AIRFLOW_HOME"] == installation_home
            assert installation_home == str(installation_work_dir() / "airflow")
            assert scoped_dag_id("impact_ingest") == f"impact_ingest__{organisation.code}"
            assert forms_connection_variable() == (
                f"AIRFLOW_CONN_IMPACT_FORMS_API__{organisation.code.upper()}"
            )


def test_a_dag_run_outside_any_organisation_names_the_command_to_use(
    organisations: tuple[Organisation, Organisation], capsys: pytest.CaptureFixture[str]
) -> None:
    from impact_warehouse.cli.airflow_runs import _embedded_airflow

    with pytest.raises(SystemExit):
        _embedded_airflow()
    assert "impact organisations run <組織コード>" in capsys.readouterr().err
