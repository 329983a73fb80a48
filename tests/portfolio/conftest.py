"""The session's two published organisation releases (see portfolio_sources.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from portfolio_sources import (
    EXAMPLE,
    OrganisationRelease,
    Sources,
    build_example,
    publish,
)

from impact_warehouse.settings import BUILTIN_CATALOG_DIR


@pytest.fixture(scope="session")
def sources(demo_warehouse_for_seed: Callable, tmp_path_factory: pytest.TempPathFactory) -> Sources:
    mamabono_root = tmp_path_factory.mktemp("portfolio-mamabono")
    audit_db = demo_warehouse_for_seed(2025).database
    mamabono_releases, mamabono_release = publish(audit_db, mamabono_root)
    example_root = tmp_path_factory.mktemp("portfolio-example")
    example_releases, example_release = publish(build_example(example_root), example_root)
    return Sources(
        mamabono=OrganisationRelease(
            "service_grant", BUILTIN_CATALOG_DIR, mamabono_releases, mamabono_release
        ),
        example=OrganisationRelease("hataraku_mirai", EXAMPLE, example_releases, example_release),
        audit_db=audit_db,
    )
