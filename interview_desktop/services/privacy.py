"""Delete all my data: everything Interview Desktop keeps on this computer about its user.

Sessions, answer recordings (and safety recordings), the sync outbox, the search index, set-aside
damaged files, the settings file, the logs, and the keys in the system keyring. Copies already
shared with a team's MongoDB belong to the team and are not touched (the confirmation says so).
Runs on a worker (the keyring may block); the app closes afterwards (its stores hold open files).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from interview_desktop.config.keys import SERVICES, KeyStore
from interview_desktop.errors import describe_os_error
from interview_desktop.single_instance import LOCK_NAME

log = logging.getLogger("interview_desktop.services")


@dataclass
class Deleted:
    """What was deleted, and what could not be (in plain words)."""

    items: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.problems:
            return "All your data on this computer was deleted."
        return "Some data could not be deleted: " + "; ".join(self.problems)


def delete_all_data(data_dir: Path, keys: KeyStore, files: Iterable[Path] = ()) -> Deleted:
    """Remove everything in ``data_dir`` (but the lock of the running app), the ``files`` (settings,
    logs) and every stored key."""
    done = Deleted()
    if data_dir.is_dir():
        for child in sorted(data_dir.iterdir()):
            if child.name == LOCK_NAME:
                continue
            _remove(child, done)
    for path in files:
        if path.exists():
            _remove(path, done)
    for service in SERVICES:
        try:
            keys.delete(service)
        except Exception as err:  # noqa: BLE001 - any keyring backend error: say so, go on
            done.problems.append(f"the {service} key ({err})")
        else:
            done.items.append(f"{service} key")
    log.info("delete all data: %d items removed, %d problems", len(done.items), len(done.problems))
    return done


def _remove(path: Path, done: Deleted) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError as err:
        done.problems.append(f"{path.name} ({describe_os_error(err)})")
    else:
        done.items.append(path.name)
