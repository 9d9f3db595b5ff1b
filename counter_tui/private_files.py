"""Files that hold personal data are readable by their owner only: folders 0700, files 0600.

The record (with its -wal and -shm files, which SQLite creates with the database file's own mode),
printed forms and letters, the published chain head and the log. `keep_private()` narrows the
process's umask at the command line's entry, so everything Counter creates is private;
`private_folder` and `private_file` make a path private whoever calls them (a test, a library user).
A file or folder that already exists keeps its mode: an administrator who shared it with a group
chose that, and `exposed()` names it for the start-up check (as it does a folder others may write).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def keep_private() -> None:
    """Narrow the umask so nothing this process creates is readable by other users."""
    os.umask(os.umask(0o077) | 0o077)


def private_folder(folder: Path) -> None:
    """Create `folder` (and its parents) if missing, the folder itself 0700."""
    if folder.exists():
        return
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    folder.chmod(FOLDER_MODE)  # mkdir's mode is narrowed by the umask, never widened: be exact


def private_file(path: Path) -> None:
    """Create `path` empty and 0600 if it does not exist (in a private folder if that is missing)."""
    private_folder(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass


def exposed(path: Path) -> str | None:
    """Why other users of this machine can read or change the database at `path` (the file or its
    -wal/-shm can be read or written by others, or its folder written without the sticky bit, so the
    file can be replaced), or None if they cannot."""
    for target in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            continue
        if mode & 0o066:
            return (f"The database file {target} can be read or changed by other users of this machine "
                    f"(mode {mode:04o}): chmod 600 it.")
    try:
        mode = stat.S_IMODE(path.parent.stat().st_mode)
    except OSError:
        return None
    if mode & 0o022 and not mode & stat.S_ISVTX:
        return (f"The database folder {path.parent} can be written by other users of this machine, who could "
                f"replace the record (mode {mode:04o}): chmod 700 it.")
    return None
