"""The generator's data, kept as files under ``data/``: word lists (``<group>/<name>.txt``, one
entry a line, commonest first, since the draws favour the top of a list) and tables
(``<group>/<name>.json``). Read through ``importlib.resources``, so an installed package finds
them as a checkout does."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

DATA_DIR = "data"
SUFFIXES = (".txt", ".json")


def _file(name: str, suffix: str) -> Traversable:
    group, _, stem = name.rpartition("/")
    folder = files("tracker.synthetic").joinpath(DATA_DIR)
    return (folder.joinpath(group) if group else folder).joinpath(stem + suffix)


@cache
def word_list(name: str) -> tuple[str, ...]:
    """The entries of ``data/<name>.txt`` (``name`` as ``group/list``), in file order."""
    text = _file(name, ".txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def table(name: str) -> Any:
    """The parsed ``data/<name>.json`` (``name`` as ``group/table``)."""
    return json.loads(_file(name, ".json").read_text(encoding="utf-8"))


def data_files() -> tuple[str, ...]:
    """Every data file the package holds, as ``group/name.suffix``."""
    found = []
    for group in files("tracker.synthetic").joinpath(DATA_DIR).iterdir():
        if group.is_dir():
            names = (f.name for f in group.iterdir())
            found += [f"{group.name}/{name}" for name in names if name.endswith(SUFFIXES)]
    return tuple(sorted(found))
