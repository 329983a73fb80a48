"""Publish: keep every gated build as a release and switch the published warehouse atomically."""

from impact_warehouse.publish.releases import (
    Release,
    ReleaseLookupError,
    current_release,
    list_releases,
    open_release,
    publish_release,
    resolve_release,
)
from impact_warehouse.publish.snapshot import PUBLISHED_SCHEMAS, TableCount

__all__ = [
    "PUBLISHED_SCHEMAS",
    "Release",
    "ReleaseLookupError",
    "TableCount",
    "current_release",
    "list_releases",
    "open_release",
    "publish_release",
    "resolve_release",
]
