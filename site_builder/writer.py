"""The writer: generated files go to disk as they are made (nothing is held in memory until the
end). It refuses a path outside the output folder or written twice, leaves a file whose bytes
did not change untouched (so `mkdocs serve` reloads only what changed) and removes stale ones.
Changed files are written into a staging folder beside the output folder and moved in by
`commit()`; `abort()` (a failed build) drops them, so the output folder stays as it was.
Large files (downloads, extracts) are added as paths: hard-linked or copied, never read into
memory. `keep(path)` keeps a file of the last build as it is (a page whose inputs did not change:
inputs.py): it counts as generated, so it is not removed as stale. `Collect` keeps the files in
memory instead (tests, the preview)."""
from __future__ import annotations

import filecmp
import os
import shutil
from pathlib import Path, PurePosixPath


class WriteConflict(Exception):
    pass


def checked(rel_path: str, seen) -> str:
    """The path as a key, refused if it leaves the output folder or was already written."""
    path = PurePosixPath(rel_path)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise WriteConflict(f"refusing to write outside the output folder: {rel_path!r}")
    key = str(path)
    if key in seen:
        raise WriteConflict(f"two pages want the same path: {key}")
    return key


class Collect:
    """Keeps what is added in memory ({path: text, bytes or Path}), with the writer's refusals."""

    def __init__(self):
        self.files: dict[str, str | bytes | Path] = {}
        self.kept: set[str] = set()  # paths kept as an earlier build left them (not in `files`)

    def add(self, rel_path: str, content: str | bytes) -> None:
        self.files[self._checked(rel_path)] = content

    def add_file(self, rel_path: str, source: Path) -> None:
        self.files[self._checked(rel_path)] = Path(source)

    def keep(self, rel_path: str) -> None:
        self.kept.add(self._checked(rel_path))

    def _checked(self, rel_path: str) -> str:
        return checked(checked(rel_path, self.files), self.kept)


class Writer:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.staging = self.root.with_name(f".{self.root.name}.staging")
        self.paths: set[str] = set()   # every path generated (the others are stale)
        self.changed: list[str] = []   # staged, moved in by commit()

    def add(self, rel_path: str, content: str | bytes) -> None:
        key = checked(rel_path, self.paths)
        self.paths.add(key)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self.root / key
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return
        self._stage(key).write_bytes(data)

    def add_file(self, rel_path: str, source: Path) -> None:
        """A file that is already on disk: linked (or copied) unless the target has its bytes."""
        key = checked(rel_path, self.paths)
        self.paths.add(key)
        target = self.root / key
        if target.is_file() and (os.path.samefile(source, target) or filecmp.cmp(source, target, shallow=False)):
            return
        staged = self._stage(key)
        try:
            os.link(source, staged)
        except OSError:  # another file system
            shutil.copyfile(source, staged)

    def keep(self, rel_path: str) -> None:
        """A file the last build wrote, still right: left as it is, and not removed as stale."""
        key = checked(rel_path, self.paths)
        if not (self.root / key).is_file():
            raise WriteConflict(f"cannot keep a file that is not in the output folder: {key}")
        self.paths.add(key)

    def _stage(self, key: str) -> Path:
        if not self.changed:  # the leftovers of a build that was killed
            shutil.rmtree(self.staging, ignore_errors=True)
        self.changed.append(key)
        path = self.staging / key
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def commit(self) -> int:
        """Move the changed files in, delete files no longer generated; returns files written."""
        for key in self.changed:
            target = self.root / key
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / key, target)
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.root.is_dir():
            for path in sorted(self.root.rglob("*"), reverse=True):
                rel = path.relative_to(self.root).as_posix()
                if path.is_file() and rel not in self.paths:
                    path.unlink()
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        written, self.changed = len(self.changed), []
        return written

    flush = commit

    def abort(self) -> None:
        """Drop what was staged: the output folder stays as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self.changed = []
