"""A full disk mid-landing: the error names the file, no temporary is left, and once space is
back the next run lands exactly what a clean run lands. Needs root to mount a small tmpfs."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest
from fault_support import data_keys, landed_keys, run_in_process, temporaries

from impact_warehouse.settings import Settings


@pytest.fixture
def small_disk(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; run the fault suite as root to test it")
    mount_point = tmp_path / "small_disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?): "
            f"{mounted.stderr.strip()}"
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.slow
def test_full_disk_names_the_file_leaves_no_temporary_and_the_next_run_completes(
    small_disk, tmp_path, fault_sources, forms_server, clean_run
):
    plain = Settings.for_work_dir(tmp_path / "work", fault_sources / "inbox")
    settings = Settings(**{**plain.__dict__, "landing": small_disk / "landing"})
    with pytest.raises(OSError) as failure:
        run_in_process(settings, forms_server.url)
    assert failure.value.errno == errno.ENOSPC
    assert str(small_disk) in str(failure.value)  # names the file it could not write
    assert not temporaries(small_disk)
    partial = landed_keys(settings.landing)
    assert partial and max(partial.values()) == 1

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    run_in_process(settings, forms_server.url)
    final = landed_keys(settings.landing)
    assert data_keys(final) == data_keys(clean_run)
    assert max(final.values()) == 1
    assert not temporaries(small_disk)
