"""The output folder: file paths, per-file counts, the manifest and the contacts truth file."""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import Any

from impact_warehouse.demo.generator.people import Person

MANIFEST = "manifest.json"
CONTACTS = "_truth/contacts.jsonl"


class OutputTree:
    """Files under ``out_dir`` with what each holds; replaces the previous run's files."""

    def __init__(self, out_dir: Path) -> None:
        self.root = Path(out_dir)
        self.files: dict[str, dict[str, int]] = {}

    def remove_previous_run(self) -> None:
        """Delete the files the last run listed in its manifest, so no stale wave survives.

        Only files named by that manifest are touched: anything else in the folder stays.
        """
        manifest_path = self.root / MANIFEST
        if not manifest_path.is_file():
            return
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))
        for relative in [*previous.get("files", {}), MANIFEST]:
            path = (self.root / relative).resolve()
            if path.is_relative_to(self.root.resolve()) and path.is_file():
                path.unlink()

    def path(self, relative: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def record(self, relative: str, counts: dict[str, int]) -> None:
        self.files[relative] = counts

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
        self.path(MANIFEST).write_text(text + "\n", encoding="utf-8")


class ContactLog:
    """``_truth/contacts.jsonl``: every name, e-mail address and phone number written anywhere.

    Demo only: privacy tests scan landing for these values to prove none leaked.
    """

    def __init__(self, path: Path) -> None:
        self._handle = path.open("w", encoding="utf-8", newline="\n")
        self.lines = 0

    def add(self, kind: str, value: str) -> None:
        record = {"kind": kind, "value": value}
        self._handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        self.lines += 1

    def add_person(self, person: Person) -> None:
        for kind, value in person.contacts:
            self.add(kind, value)

    def __enter__(self) -> ContactLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._handle.close()
