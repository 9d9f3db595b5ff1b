"""Where Counter keeps its files by default (platformdirs), resolved only when asked."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "counter"


def default_database() -> Path:
    """The live database in the user's data directory."""
    return Path(platformdirs.user_data_dir(APP)) / "counter.db"


def default_config() -> Path:
    """The organisation's configuration file in the user's config directory."""
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def default_training_room() -> Path:
    """The training folder: the results of practice and a practice database per attempt, in a
    folder of its own beside (never inside) the live database."""
    return Path(platformdirs.user_data_dir(APP)) / "training"
