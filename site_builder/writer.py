"""The writer: collects generated files, refuses to write one path twice, writes only files whose
content changed (so `mkdocs serve` reloads only what changed) and removes stale ones."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


class WriteConflict(Exception):
    pass


class Writer:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.files: dict[str, bytes] = {}

    def add(self, rel_path: str, content: str | bytes) -> None:
        path = PurePosixPath(rel_path)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise WriteConflict(f"refusing to write outside the output folder: {rel_path!r}")
        key = str(path)
        if key in self.files:
            raise WriteConflict(f"two pages want the same path: {key}")
        self.files[key] = content.encode("utf-8") if isinstance(content, str) else content

    def flush(self) -> int:
        """Write changed files, delete files no longer generated; returns files written."""
        written = 0
        for key, data in sorted(self.files.items()):
            target = self.root / key
            if target.is_file() and target.read_bytes() == data:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
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
