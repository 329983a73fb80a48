"""Many organisations on one installation: the registry and each organisation's scope.

An organisation is a folder: ``<organisations>/<code>/`` is its catalog (the logic model as
CSV files, ``organisation.csv`` among them), or a symbolic link to one. Adding an
organisation is adding a folder; nothing in the code names one. The registry folder is
``IMPACT_ORGANISATIONS_DIR`` (default ``organisations/`` in the checkout, which links
the shipped catalog and the example organisation's).

Each organisation runs in its own **scope**: the environment every job already reads
(``paths()``, the catalog, dbt's profile, the alert channels), rewritten so that

- its folders are its own: ``<installation work>/organisations/<code>/`` holds its landing,
  vault, secrets (pseudonym key), audit warehouse, gate results, releases, published file,
  reports, staff pages and alert outbox;
- its secrets and recipients are its own: a variable in :data:`PRIVATE_VARIABLES` is taken
  only from ``<NAME>__<CODE>`` (e.g. ``IMPACT_PSEUDONYM_KEY__<CODE>``), never from the
  installation-wide ``<NAME>``: one key shared by two organisations would give the same email
  the same pseudonym in both, one recipient list would send one's alerts to the other's staff;
- any other ``IMPACT_*`` variable may be set for one organisation as ``<NAME>__<CODE>``
  and otherwise is the installation's (SMTP server, thresholds, engine).

Airflow Variables and Connections follow the same rule through :func:`scoped_airflow_id`
(``impact_pseudonym_key__<code>``); their environment form is kept in a scope only
for its organisation (``AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY__<CODE>``), so no job run in
one organisation's scope, nor any process it starts (dbt, a DAG test), reads another's or the
installation's key or credentials. (An Airflow task process itself starts with the whole
environment; its body runs in the scope.) Outside any scope (one organisation per
installation, as before) nothing changes.
"""

from __future__ import annotations

import csv
import os
import re
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from impact_warehouse.settings import FOLDER_VARIABLES, PROJECT_ROOT

ORGANISATIONS_DIR_ENV = "IMPACT_ORGANISATIONS_DIR"
DEFAULT_ORGANISATIONS_DIR = PROJECT_ROOT / "organisations"
# Set inside an organisation's scope to its code; absent outside any scope.
ORGANISATION_ENV = "IMPACT_ORGANISATION"
# The installation's work folder, kept inside a scope (IMPACT_WORK_DIR is the organisation's).
INSTALLATION_WORK_ENV = "IMPACT_INSTALLATION_WORK_DIR"
ORGANISATIONS_SUBFOLDER = "organisations"

# A code becomes a folder name, a DAG id part, a PostgreSQL role name part and an environment
# variable suffix: lower-case letters, digits and underscores only.
# No double or trailing underscore: ``__`` separates a variable's name from the code it is for
# (``IMPACT_PSEUDONYM_KEY__<CODE>``), so a code holding one could claim another's.
CODE_PATTERN = re.compile(r"^(?=.{2,40}$)[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Airflow's own environment form of the Variables and Connections the jobs look up
# (``AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY``): inside a scope only this organisation's are kept.
AIRFLOW_ID_PREFIXES: tuple[str, ...] = ("AIRFLOW_VAR_IMPACT_", "AIRFLOW_CONN_IMPACT_")

# Never inherited from the installation inside a scope: folders, keys, credentials, recipients.
PRIVATE_VARIABLES: tuple[str, ...] = (
    "IMPACT_CATALOG_DIR",
    *FOLDER_VARIABLES,
    "IMPACT_DBT_SEED_PATH",
    "IMPACT_PSEUDONYM_KEY",
    "IMPACT_PSEUDONYM_KEY_FILE",
    "IMPACT_FORMS_API_TOKEN",
    "IMPACT_FORMS_API_URL",
    "IMPACT_FORMS_API_KEY_FILE",
    "IMPACT_ALERT_TO",
    "IMPACT_ALERT_WEBHOOK_URL",
    "IMPACT_APPRISE_CONN_ID",
)


class OrganisationError(ValueError):
    """The registry or an organisation folder is unusable; the message is Japanese."""


@dataclass(frozen=True)
class Organisation:
    code: str
    catalog: Path

    @property
    def env_suffix(self) -> str:
        """``__<CODE>`` (upper case): added to a variable name to set it for this organisation."""
        return "__" + self.code.upper()


def registry_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``IMPACT_ORGANISATIONS_DIR``, else ``organisations/`` in the checkout."""
    environ = os.environ if environ is None else environ
    value = environ.get(ORGANISATIONS_DIR_ENV)
    return Path(value).resolve() if value else DEFAULT_ORGANISATIONS_DIR


def multi_organisation(environ: Mapping[str, str] | None = None) -> bool:
    """True when the installation serves a registry (``IMPACT_ORGANISATIONS_DIR`` is set)."""
    environ = os.environ if environ is None else environ
    return bool(environ.get(ORGANISATIONS_DIR_ENV))


# Excel on Japanese Windows saves CSV as Shift-JIS unless told otherwise; its 「CSV UTF-8」
# (with a BOM, which every catalog reader and the seed staging skip) is what to choose.
UTF8_ADVICE_JA = "UTF-8 で保存し直してください(Excel では「CSV UTF-8 (コンマ区切り)」を選びます)"


def _profile_code(catalog: Path) -> str:
    profile = catalog / "organisation.csv"
    try:
        if not stat.S_ISREG(profile.stat().st_mode):
            # A FIFO or device would block the read, and with it every DAG file's parse.
            raise OrganisationError(
                f"{profile}: 通常のファイルではありません(名前付きパイプや装置ファイルは読みません)"
            )
        with profile.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise OrganisationError(
            f"組織フォルダ {catalog} に organisation.csv を読めません({error.strerror})"
        ) from error
    except UnicodeDecodeError as error:
        # Excel on Japanese Windows saves CSV as Shift-JIS unless told otherwise.
        raise OrganisationError(
            f"{profile}: UTF-8 の文字として読めません({error.start} バイト目)。{UTF8_ADVICE_JA}"
        ) from error
    except csv.Error as error:
        raise OrganisationError(f"{profile}: CSV として読めません({error})") from error
    if len(rows) != 1:
        raise OrganisationError(
            f"{profile}: organisation_code の入った行がちょうど1行必要です(今は {len(rows)} 行)"
        )
    if not (rows[0].get("organisation_code") or "").strip():
        raise OrganisationError(f"{profile}: 2行目の organisation_code が空です")
    return rows[0]["organisation_code"].strip()


def _organisation_folder(entry: Path) -> Organisation:
    if not CODE_PATTERN.match(entry.name):
        raise OrganisationError(
            f"{entry}: フォルダ名 {entry.name!r} は組織コードに使えません"
            "(英小文字で始まり、英小文字・数字・_ の2〜40文字。_ は続けず、最後にも置けません)"
        )
    code = _profile_code(entry)
    if code != entry.name:
        raise OrganisationError(
            f"{entry / 'organisation.csv'}: organisation_code {code!r} がフォルダ名 "
            f"{entry.name!r} と違います(フォルダ名を組織コードにしてください)"
        )
    return Organisation(code=code, catalog=entry.resolve())


def _registry_entry(entry: Path) -> Organisation | OrganisationError | None:
    """One entry of the registry folder: its organisation, why it is unusable, or None for
    what is no organisation's (hidden entries, plain files)."""
    if entry.name.startswith("."):
        return None
    if entry.is_symlink() and not entry.exists():
        # A link to a catalog that moved or was deleted: said, never silently dropped.
        return OrganisationError(
            f"{entry}: リンク先のカタログフォルダ {os.readlink(entry)} がありません"
        )
    if not entry.is_dir():
        return None
    try:
        return _organisation_folder(entry)
    except OrganisationError as error:
        return error


def registry_entries(
    directory: Path | None = None,
) -> list[tuple[str, Organisation | OrganisationError]]:
    """Each organisation folder of ``directory`` by name: its organisation, or why it is unusable.

    For callers that carry on with the usable organisations and report the others
    (``impact organisations check``); :func:`load_registry` refuses the registry instead.
    """
    directory = registry_dir() if directory is None else directory
    if not directory.is_dir():
        raise OrganisationError(f"組織の一覧フォルダ {directory} がありません")
    entries: list[tuple[str, Organisation | OrganisationError]] = []
    for entry in sorted(directory.iterdir()):
        found = _registry_entry(entry)
        if found is not None:
            entries.append((entry.name, found))
    if not entries:
        raise OrganisationError(f"組織の一覧フォルダ {directory} に組織のフォルダがありません")
    return entries


def usable_organisations(
    directory: Path | None = None,
) -> tuple[list[Organisation], list[OrganisationError]]:
    """The usable organisations and why each other folder is not: for commands that serve
    every organisation, where one broken folder must not stop the others."""
    entries = registry_entries(directory)
    usable = [found for _name, found in entries if isinstance(found, Organisation)]
    return usable, [found for _name, found in entries if isinstance(found, OrganisationError)]


def load_registry(directory: Path | None = None) -> list[Organisation]:
    """Every organisation folder of ``directory`` (default :func:`registry_dir`), by code.

    A folder's name is the organisation's code and must equal ``organisation_code`` in its
    ``organisation.csv``: the code is what keeps folders, keys and releases apart, so two
    folders can never claim one organisation. Hidden folders and files are skipped.
    """
    organisations = []
    for _name, found in registry_entries(directory):
        if isinstance(found, OrganisationError):
            raise found
        organisations.append(found)
    return organisations


def find_organisation(code: str, directory: Path | None = None) -> Organisation:
    """The organisation ``code``, whatever the other folders hold (another organisation's
    broken folder must not stop this one's run); its own folder's error if it is unusable."""
    directory = registry_dir() if directory is None else directory
    # Only this organisation's folder is read: another's unreadable (or hanging, e.g. a
    # stale network mount) profile must not stop this one's run.
    found = _registry_entry(directory / code) if CODE_PATTERN.match(code) else None
    if isinstance(found, OrganisationError):
        raise found
    if found is not None:
        return found
    entries = registry_entries(directory)
    known = ", ".join(name for name, found in entries if isinstance(found, Organisation))
    raise OrganisationError(f"組織コード {code!r} は登録されていません(登録済み: {known})")


def installation_work_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The installation's work folder, also from inside an organisation's scope."""
    environ = os.environ if environ is None else environ
    value = environ.get(INSTALLATION_WORK_ENV) or environ.get("IMPACT_WORK_DIR")
    return Path(value).resolve() if value else PROJECT_ROOT / ".work"


def organisation_work_dir(code: str, environ: Mapping[str, str] | None = None) -> Path:
    return installation_work_dir(environ) / ORGANISATIONS_SUBFOLDER / code


def scoped_environment(
    organisation: Organisation, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The whole environment of ``organisation``'s scope, built from the installation's."""
    environ = dict(os.environ if environ is None else environ)
    installation_work = installation_work_dir(environ)
    own_work = installation_work / ORGANISATIONS_SUBFOLDER / organisation.code
    if _is_scope_of(organisation, environ, own_work):
        # Already this organisation's scope (an Airflow task of a DAG run started inside the
        # scope, e.g. `impact demo` of one organisation): its own settings, taken from
        # ``<NAME>__<CODE>`` when the scope was made, are kept, not dropped a second time.
        return environ
    suffix = organisation.env_suffix
    # Every organisation's own settings (``<NAME>__<CODE>``) are dropped, then this one's
    # put in place of the installation's.
    scoped = {
        name: value
        for name, value in environ.items()
        if not name.startswith(("IMPACT_", *AIRFLOW_ID_PREFIXES))
        or (name.startswith("IMPACT_") and name not in PRIVATE_VARIABLES and "__" not in name)
    }
    for name, value in environ.items():
        base = name.removesuffix(suffix)
        if base == name or "__" in base:
            continue
        if name.startswith("IMPACT_"):
            scoped[base] = value
        elif name.startswith(AIRFLOW_ID_PREFIXES):
            # Looked up by its scoped id (scoped_airflow_id), so kept under its own name.
            scoped[name] = value
    scoped[ORGANISATION_ENV] = organisation.code
    scoped[INSTALLATION_WORK_ENV] = str(installation_work)
    scoped["IMPACT_WORK_DIR"] = str(own_work)
    scoped["IMPACT_CATALOG_DIR"] = str(organisation.catalog)
    return scoped


def _is_scope_of(organisation: Organisation, environ: Mapping[str, str], own_work: Path) -> bool:
    return (
        environ.get(ORGANISATION_ENV) == organisation.code
        and environ.get("IMPACT_WORK_DIR") == str(own_work)
        and environ.get("IMPACT_CATALOG_DIR") == str(organisation.catalog)
    )


@contextmanager
def organisation_scope(organisation: Organisation) -> Iterator[dict[str, str]]:
    """Run the enclosed code as ``organisation``: ``os.environ`` is its scope, then restored.

    For one process running one organisation's job at a time (an Airflow task, a CLI step);
    concurrent organisations run in separate processes with :func:`scoped_environment`.
    """
    saved = dict(os.environ)
    scoped = scoped_environment(organisation, saved)
    os.environ.clear()
    os.environ.update(scoped)
    try:
        yield scoped
    finally:
        os.environ.clear()
        os.environ.update(saved)


def current_organisation_code(environ: Mapping[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    return environ.get(ORGANISATION_ENV) or None


def scoped_airflow_id(base: str, environ: Mapping[str, str] | None = None) -> str:
    """An Airflow Variable or Connection id inside the current scope: ``<base>__<code>``."""
    code = current_organisation_code(environ)
    return f"{base}__{code}" if code else base


def scoped_dag_id(base: str, environ: Mapping[str, str] | None = None) -> str:
    """The id of DAG ``base`` of the current scope's organisation: ``impact_ingest__<code>``.

    Outside a scope, or when the installation has no registry, the plain id.
    """
    environ = os.environ if environ is None else environ
    code = current_organisation_code(environ)
    return f"{base}__{code}" if code and multi_organisation(environ) else base
