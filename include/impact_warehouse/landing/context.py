"""Everything a landing job needs, built once per task from settings and secrets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from impact_warehouse.catalog import Catalog, load_catalog
from impact_warehouse.landing.privacy import (
    ContactVault,
    Pseudonymiser,
    load_pseudonym_key,
    without_bidi_controls,
)
from impact_warehouse.landing.quarantine import QuarantineBatch
from impact_warehouse.landing.store import Watermarks
from impact_warehouse.settings import Settings


@dataclass
class LandingContext:
    catalog: Catalog
    landing_dir: Path
    inbox_dir: Path
    vault: ContactVault
    pseudonymiser: Pseudonymiser
    watermarks: Watermarks

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        pseudonym_key: bytes | None = None,
        catalog: Catalog | None = None,
    ) -> LandingContext:
        key = pseudonym_key or load_pseudonym_key(settings.secrets / "pseudonym.key")
        vault = ContactVault(settings.vault)
        return cls(
            catalog=catalog or load_catalog(settings.catalog),
            landing_dir=settings.landing,
            inbox_dir=settings.inbox,
            vault=vault,
            pseudonymiser=Pseudonymiser(key, vault),
            watermarks=Watermarks(settings.state),
        )

    def quarantine(
        self, source: str, source_ref: str, wave_code: str | None, batch_id: str
    ) -> QuarantineBatch:
        return QuarantineBatch(source, source_ref, wave_code, batch_id, self.vault.path.parent)

    def shown_to_staff(self, text: str, source: str) -> str:
        """``text`` as run summaries, logs and Airflow's XCom may show it: a column header or
        question title is typed by people too (a panel header holding a name and a phone
        number), so it is scrubbed like a free-text answer."""
        return self.pseudonymiser.scrub_free_text(without_bidi_controls(text)[0], source=source)[0]

    def close(self) -> None:
        self.vault.close()
