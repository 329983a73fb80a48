"""``publish_release`` in its own process, SIGKILLed at an exact point (run as a script).

Usage: publish_worker.py <work> <tag> [<when>:<glob>:<n>]. The kill spec matches the
destination of ``os.replace``/``os.rename`` (a release directory, the published file, CURRENT)
or, with ``copy``, the target of ``shutil.copyfile`` (killed after half of it is written), or,
with ``fsync``, the file ``publish_release`` fsyncs once the new release's warehouse is written.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import signal
import sys
from pathlib import Path

import duckdb

from impact_warehouse.publish import publish_release, releases


def build_audit_db(path: Path, tag: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    connection = duckdb.connect(str(path))
    try:
        for schema in ("catalog", "staging", "intermediate", "marts", "reporting"):
            connection.execute(f"create schema {schema}")
        connection.execute("create table catalog.waves as select 'w' as wave_code")
        connection.execute("create table staging.stg as select 'secret' as raw_json")
        connection.execute(
            "create table marts.fct_figures as select ? as release_id, i as figure_id "
            "from range(20000) t(i)",
            [tag],
        )
        connection.execute("create table reporting.rpt_headline as select ? as release_id", [tag])
    finally:
        connection.close()
    return path


def install_kill(spec: str) -> None:
    when, pattern, count_text = spec.split(":")
    target, seen = int(count_text), 0

    def kill() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def wrap(real):
        def call(source, destination, *args, **kwargs):
            nonlocal seen
            if not fnmatch.fnmatch(os.fspath(destination), pattern):
                return real(source, destination, *args, **kwargs)
            seen += 1
            if seen == target and when == "before":
                kill()
            if seen == target and when == "copy":
                with open(source, "rb") as reader, open(destination, "wb") as writer:
                    writer.write(reader.read(os.path.getsize(source) // 2))
                kill()
            result = real(source, destination, *args, **kwargs)
            if seen == target and when == "after":
                kill()
            return result

        return call

    if spec.startswith("fsync"):
        real_fsync = releases.fsync_file

        def fsync_then_kill(path):
            nonlocal seen
            if fnmatch.fnmatch(os.fspath(path), pattern):
                seen += 1
                if seen == target:
                    kill()
            return real_fsync(path)

        releases.fsync_file = fsync_then_kill
    elif spec.startswith("copy"):
        shutil.copyfile = wrap(shutil.copyfile)
    else:
        os.replace = wrap(os.replace)
        os.rename = wrap(os.rename)


def main() -> int:
    work, tag = Path(sys.argv[1]), sys.argv[2]
    audit = build_audit_db(work / "audit" / f"{tag}.duckdb", tag)
    if len(sys.argv) > 3:
        install_kill(sys.argv[3])
    release = publish_release(
        audit,
        fiscal_year=2025,
        run_id=tag,
        gate_result={"passed": True, "failures": [], "warnings": []},
        git_commit="0123abcd",
        releases_dir=work / "releases",
        published_path=work / "published" / "warehouse.duckdb",
    )
    print(release.release_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
