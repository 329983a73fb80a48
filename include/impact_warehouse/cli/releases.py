"""Commands on the kept releases: ``releases`` (list, ``--make-current``) and ``report``.

Wherever a release id is taken, a unique prefix of it is enough (``FY2025-2026`` when only one
release of FY2025 was published in 2026); an unknown or ambiguous one is answered with the
candidates. ``impact status`` is in :mod:`.status`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from impact_warehouse.cli.progress import fail, step
from impact_warehouse.cli.status import NO_RELEASE_JA, local_time, run_status
from impact_warehouse.settings import paths

__all__ = ["NO_RELEASE_JA", "run_make_current", "run_releases", "run_report", "run_status"]


def run_releases(make_current: str | None = None, reason: str | None = None) -> int:
    from impact_warehouse.publish import current_release
    from impact_warehouse.publish.files import DamagedRecordError
    from impact_warehouse.publish.releases import scan_releases

    settings = paths()
    releases, damaged_records = scan_releases(settings.releases)
    for damaged in damaged_records:
        print(f"注意: {damaged.message_ja} このリリースは一覧に出しません。", file=sys.stderr)
        print(f"  detail: {damaged}", file=sys.stderr)
    if not releases:
        return fail(NO_RELEASE_JA, f"no release in {settings.releases}")
    if make_current:
        return run_make_current(make_current, reason)
    try:
        current = current_release(settings.releases)
    except DamagedRecordError as error:
        # Listed anyway: the ids are what --make-current needs to replace it.
        print(f"注意: {error.message_ja} 公開中のリリースが分かりません。", file=sys.stderr)
        print(f"  detail: {error}", file=sys.stderr)
        current = None
    width = max(len(release.release_id) for release in releases)
    print(f"{'':2}{'release':<{width}} {'FY':<6} {'published':<20} gate")
    for release in releases:
        marker = "* " if current and release.release_id == current.release_id else "  "
        gate = release.gate_result
        print(
            f"{marker}{release.release_id:<{width}} {release.fiscal_year:<6} "
            f"{local_time(release.created_at):<20} "
            f"passed, {gate.get('warnings', 0)} warnings"
        )
    print("(* = current: the file analysts open, published/warehouse.duckdb)")
    print("(an earlier release can be made current again: impact releases --make-current ID)")
    return 0


def run_make_current(release_id: str, reason: str | None = None) -> int:
    """Roll the published warehouse back (or forward) to a kept release, and tell staff."""
    from impact_warehouse.publish import ReleaseLookupError
    from impact_warehouse.publish.lock import PublishBusyError
    from impact_warehouse.publish.rollback import ReleaseFileChangedError, make_current

    settings = paths()
    try:
        rollback = make_current(release_id, settings, reason=reason)
    except ReleaseLookupError as error:
        return fail(error.message_ja, str(error))
    except PublishBusyError as error:
        return fail(error.staff_message, str(error))
    except ReleaseFileChangedError as error:
        return fail(
            "このリリースのファイルが公開後に変更されているため、公開に戻しませんでした。"
            "担当エンジニアに連絡してください。",
            str(error),
        )
    release = rollback.release
    if not rollback.changed:
        print(f"リリース {release.release_id}({release.fiscal_year}年度)はすでに公開中です。")
        return 0
    previous = rollback.previous.release_id if rollback.previous else "なし"
    print(
        f"公開中の集計を {release.release_id}({release.fiscal_year}年度、"
        f"{local_time(release.created_at)} 公開)に切り替えました(切り替え前: {previous})。"
    )
    print(f"    analysts' file: {settings.published_warehouse}")
    print(f"    recorded in: {settings.releases / 'history.jsonl'}")
    if rollback.alert_status == "failed":
        print("    注意: スタッフへのお知らせを送れませんでした(通知の設定を確認してください)。")
    else:
        print(f"    staff alert: {rollback.alert_status}")
    return 0


def run_report(
    fiscal_year: int,
    release_id: str | None,
    out_dir: Path | None,
    *,
    final: bool = False,
    pdf: bool = False,
    lang: str = "ja",
) -> int:
    from impact_warehouse.publish import (
        ReleaseLookupError,
        current_release,
        list_releases,
        resolve_release,
    )

    settings = paths()
    releases = list_releases(settings.releases)
    if not releases:
        return fail(NO_RELEASE_JA, "render_report needs a published release")
    if release_id:
        try:
            # a prefix → the full id
            release_id = resolve_release(release_id, settings.releases).release_id
        except ReleaseLookupError as error:
            return fail(error.message_ja, str(error))
    try:
        from impact_warehouse.report import render_report
    except ImportError as error:
        return fail("報告書の作成機能が入っていません。", repr(error))
    target = release_id or (current_release(settings.releases) or releases[-1]).release_id
    done = step(f"rendering the FY{fiscal_year} report from release {target}")
    from impact_warehouse.report.pdf import ChromiumMissingError

    try:
        rendered = render_report(
            fiscal_year,
            release_id=release_id,
            out_dir=out_dir,
            settings=settings,
            final=final,
            pdf=pdf,
            lang=lang,
        )
    except ChromiumMissingError as error:
        return fail(error.message_ja, error.detail)
    except (LookupError, ValueError, FileNotFoundError) as error:
        return fail(
            f"{fiscal_year}年度の報告書を作れませんでした。", f"{type(error).__name__}: {error}"
        )
    done()
    print(f"    HTML:  {rendered.html_path}")
    if rendered.pdf_path:
        print(f"    PDF:   {rendered.pdf_path}")
    print(f"    Excel: {rendered.xlsx_path}")
    if rendered.missing_translations:
        print(
            f"    missing translations: {rendered.missing_translations}"
            " (listed at the end of the report)"
        )
    for path in rendered.csv_paths:
        print(f"    CSV:   {path}")
    return 0
