"""Make an earlier release the published one again (``impact releases --make-current ID``).

A rollback is the same crash-safe switch as a publish (:func:`.switch.switch_published`: the
published file is replaced by a copy of the kept release in one rename, the switch point, then
``CURRENT``), under the same releases lock (:mod:`.lock`) and after the same recovery of a
switch a dead process left half done (:func:`.switch.recover`), recorded in the releases
history (who, when, from, to, why) and announced to staff with one alert. The kept release
file is checked against the sha256 recorded when it was published, so a release file changed
since is never served.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from impact_warehouse.publish.files import DamagedRecordError, sha256_of
from impact_warehouse.publish.history import current_actor
from impact_warehouse.publish.lock import publish_lock
from impact_warehouse.publish.releases import (
    Release,
    current_release,
    previous_release_id,
    resolve_release,
)
from impact_warehouse.publish.switch import recover, switch_published

if TYPE_CHECKING:
    from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)


class ReleaseFileChangedError(RuntimeError):
    """The kept release file no longer matches the sha256 recorded at publish time."""


@dataclass(frozen=True)
class Rollback:
    release: Release
    previous: Release | None
    changed: bool  # False: the release was already the current one, nothing was switched
    event: dict[str, Any] | None
    alert_status: str | None  # "sent" / "failed" from notify, None when no alert was due


def make_current(
    release_id: str,
    settings: Settings,
    *,
    reason: str | None = None,
    actor: str | None = None,
    send_alert: bool = True,
) -> Rollback:
    """Serve the release named by ``release_id`` (full id or unique prefix) to analysts: the
    releases, the published file and the staff alert are all those of ``settings``."""
    releases_dir = settings.releases
    published_path = settings.published_warehouse
    release = resolve_release(release_id, releases_dir)
    actual = sha256_of(release.warehouse_path)
    if actual != release.sha256:
        raise ReleaseFileChangedError(
            f"release {release.release_id}: {release.warehouse_path} has sha256 {actual}, "
            f"release.json records {release.sha256}; not switching"
        )
    with publish_lock(releases_dir, operation_ja="リリースの切り替え"):
        recover(releases_dir, published_path)
        try:
            previous = current_release(releases_dir)
        except DamagedRecordError as error:
            # A current release whose record is damaged is just what a rollback replaces.
            log.warning("the current release cannot be read, replacing it: %s", error)
            previous = None
        if previous is not None and previous.release_id == release.release_id:
            return Rollback(release, previous, changed=False, event=None, alert_status=None)
        event = switch_published(
            release.release_id,
            release.warehouse_path,
            releases_dir=releases_dir,
            published_path=published_path,
            action="make_current",
            previous_release_id=previous_release_id(releases_dir),
            actor=actor or current_actor(),
            reason=reason,
        )
    log.info(
        "release %s made current by %s (was %s)",
        release.release_id,
        event["by"],
        event["from"],
    )
    status = _alert_staff(settings, release, previous, event) if send_alert else None
    return Rollback(release, previous, changed=True, event=event, alert_status=status)


def _alert_staff(
    settings: Settings, release: Release, previous: Release | None, event: dict[str, Any]
) -> str:
    """One alert through the notify channels; the switch stands even if no channel delivers."""
    from impact_warehouse.notify import Alert, AlertConfigError, send_alerts

    alert = Alert(
        kind="release_rolled_back",
        fiscal_year=release.fiscal_year,
        details={
            "release_id": release.release_id,
            "release_published_at": release.created_at,
            "previous_release_id": event["from"],
            "direction": (
                "forward" if previous and release.created_at > previous.created_at else "back"
            ),
            "by": event["by"],
            "at": event["at"],
            "reason": event.get("reason"),
        },
    )
    try:
        (result,) = send_alerts([alert], settings=settings)
    except AlertConfigError as error:
        # The release is switched already: say the alert could not go, do not undo that.
        log.error(
            "release %s is current, but staff were not alerted: %s", release.release_id, error
        )
        return "failed"
    return result.status
