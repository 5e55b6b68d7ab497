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
    """The path as a key, refused if it leaves the output folder or was already written. A path
    as the page modules write it ('xa/x.md': no empty, '.' or '..' part) is its own key, without
    a PurePosixPath (~1 µs instead of ~20: there are 50,000 at national scale)."""
    parts = rel_path.split("/")
    if "" in parts or "." in parts or ".." in parts:
        path = PurePosixPath(rel_path)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise WriteConflict(f"refusing to write outside the output folder: {rel_path!r}")
        rel_path = str(path)
    if rel_path in seen:
        raise WriteConflict(f"two pages want the same path: {rel_path}")
    return rel_path


def files_under(root: Path) -> list[str]:
    """Every file under root, as a path relative to it (plain strings: pathlib's rglob and
    relative_to cost ~40 µs a file, 2 s over the 50,000 files of a national build)."""
    top = f"{root}/"
    return [f"{folder}/{name}"[len(top):] for folder, _, names in os.walk(root) for name in names]


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
        self._top = f"{self.root}/"

    def add(self, rel_path: str, content: str | bytes) -> None:
        key = checked(rel_path, self.paths)
        self.paths.add(key)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self._top + key
        try:
            same = os.stat(target).st_size == len(data)
        except OSError:  # not there yet (or not a file: staged, and refused by commit's os.replace)
            same = False
        if same and os.path.isfile(target):
            with open(target, "rb") as fh:
                if fh.read() == data:
                    return
        self._stage(key).write_bytes(data)

    def add_file(self, rel_path: str, source: Path) -> None:
        """A file that is already on disk: linked (or copied) unless the target has its bytes."""
        key = checked(rel_path, self.paths)
        self.paths.add(key)
        target = self._top + key
        if os.path.isfile(target) and (os.path.samefile(source, target) or filecmp.cmp(source, target, shallow=False)):
            return
        staged = self._stage(key)
        try:
            os.link(source, staged)
        except OSError:  # another file system
            shutil.copyfile(source, staged)

    def keep(self, rel_path: str) -> None:
        """A file the last build wrote, still right: left as it is, and not removed as stale."""
        key = checked(rel_path, self.paths)
        if not os.path.isfile(self._top + key):  # a string: no Path per file
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
        staging, folders = f"{self.staging}/", set()
        for key in self.changed:
            folder = os.path.dirname(key)
            if folder not in folders:
                os.makedirs(self._top + folder, exist_ok=True)
                folders.add(folder)
            os.replace(staging + key, self._top + key)
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.root.is_dir():
            for folder, _, names in os.walk(self.root, topdown=False):  # a folder after its own
                rel = folder[len(self._top):] + "/" if folder != str(self.root) else ""
                for name in names:
                    if rel + name not in self.paths:
                        os.unlink(f"{folder}/{name}")
                if rel and not os.listdir(folder):
                    os.rmdir(folder)
        written, self.changed = len(self.changed), []
        return written

    flush = commit

    def abort(self) -> None:
        """Drop what was staged: the output folder stays as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self.changed = []
