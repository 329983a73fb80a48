"""``impact reminders --wave W``: the reminder list of an open wave, for mail merge.

Prints the count and where the file is, never a name or an address: the terminal's
scroll-back and CI logs are not the vault.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from impact_warehouse.cli.progress import fail


def add_reminders_parser(commands: argparse._SubParsersAction) -> None:
    reminders = commands.add_parser(
        "reminders",
        help="staff only: who has not answered an open wave (name, email; CSV in the vault)",
    )
    reminders.add_argument("--wave", required=True, help="wave_code of an open wave")
    reminders.add_argument(
        "--cohort", default=None, help="only this cohort_code (default: every targeted cohort)"
    )
    reminders.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="the day the window is judged on (default: today in the organisation's zone)",
    )
    reminders.add_argument(
        "--by", default=None, help="who exports, for the audit log (default: the OS user)"
    )
    reminders.add_argument(
        "--audit-db",
        type=Path,
        default=None,
        help="the audit warehouse to read (default: the one `impact build` writes)",
    )


def run_reminders(
    wave: str, cohort: str | None, as_of: date | None, by: str | None, audit_db: Path | None
) -> int:
    from impact_warehouse.catalog import load_organisation
    from impact_warehouse.catalog.errors import CatalogError
    from impact_warehouse.reminders import RemindersError, create_reminder_list
    from impact_warehouse.settings import paths

    try:
        today = load_organisation().today()
        day = as_of or today
        export = create_reminder_list(
            paths(),
            wave_code=wave,
            cohort_code=cohort,
            as_of=day,
            by=by,
            audit_db=audit_db or paths().audit_warehouse,
            today=today,
        )
    except RemindersError as error:
        return fail(error.message_ja, error.detail)
    except CatalogError as error:
        return fail("カタログ(調査の設定ファイル)に誤りがあります。", str(error))
    scope = f"コホート {cohort}" if cohort else "対象の全コホート"
    if day != today:
        print(f"注意: 判定日 {day} は今日ではありません(記録には今日の日付も残ります)。")
    print(f"督促リストを書き出しました: {wave}({scope}、{day} 時点)")
    print(
        f"    {export.count} 人(未回答 {export.not_answered} 人、"
        f"回答に有効な値なし {export.no_valid_answer} 人)"
    )
    if export.without_email:
        print(
            f"    注意: 保管場所(vault)にメールアドレスがない {export.without_email} 人は"
            "リストに入っていません。名簿を確認してください。"
        )
    if export.without_name:
        print(f"    注意: {export.without_name} 人は氏名が空欄です(名簿に氏名がありません)。")
    print(f"    ファイル: {export.path}")
    print(f"    記録: {export.audit_log}")
    print(
        "    このファイルは個人情報です。送信が済んでも、共有フォルダなどにコピーしないでください。"
    )
    return 0
