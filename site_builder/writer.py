"""The writer: collects generated files, refuses to write one path twice, writes only files whose
content changed (so `mkdocs serve` reloads only what changed) and removes stale ones. Large
files (downloads) are added as paths and copied, so they are never held in memory."""
from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path, PurePosixPath


class WriteConflict(Exception):
    pass


class Writer:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.files: dict[str, bytes | Path] = {}

    def add(self, rel_path: str, content: str | bytes) -> None:
        self._add(rel_path, content.encode("utf-8") if isinstance(content, str) else content)

    def add_file(self, rel_path: str, source: Path) -> None:
        """Copy a file that is already on disk (compared with the target before copying)."""
        self._add(rel_path, Path(source))

    def _add(self, rel_path: str, content: bytes | Path) -> None:
        path = PurePosixPath(rel_path)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise WriteConflict(f"refusing to write outside the output folder: {rel_path!r}")
        key = str(path)
        if key in self.files:
            raise WriteConflict(f"two pages want the same path: {key}")
        self.files[key] = content

    def flush(self) -> int:
        """Write changed files, delete files no longer generated; returns files written."""
        written = 0
        for key, data in sorted(self.files.items()):
            target = self.root / key
            if isinstance(data, Path):
                if target.is_file() and filecmp.cmp(data, target, shallow=False):
                    continue
            elif target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            if isinstance(data, Path):
                shutil.copyfile(data, tmp)
            else:
                tmp.write_bytes(data)
            os.replace(tmp, target)
            written += 1
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*"), reverse=True):
                rel = path.relative_to(self.root).as_posix()
                if path.is_file() and rel not in self.files:
                    path.unlink()
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        return written
