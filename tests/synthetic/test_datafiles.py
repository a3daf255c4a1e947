"""The generator's word lists and tables are package data: every one loads through
importlib.resources, is not empty, and is covered by pyproject's package-data globs (so an
installed wheel carries it)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from importlib.resources import files
from pathlib import Path

import pytest

from tracker.synthetic.datafiles import DATA_DIR, data_files, table, word_list
from tracker.synthetic.traditions import TRADITIONS

ROOT = Path(__file__).resolve().parents[2]
DATA = files("tracker.synthetic").joinpath(DATA_DIR)


def test_the_data_folder_holds_word_lists_and_tables():
    names = data_files()
    assert any(n.endswith(".txt") for n in names) and any(n.endswith(".json") for n in names)
    assert "names/famous.txt" in names and "names/traditions.json" in names


@pytest.mark.parametrize("name", data_files())
def test_every_data_file_loads_through_importlib_resources_and_is_not_empty(name):
    group, file_name = name.split("/")
    assert DATA.joinpath(group).joinpath(file_name).is_file()
    stem = name.rsplit(".", 1)[0]
    if name.endswith(".txt"):
        entries = word_list(stem)
        assert entries and all(e and e == e.strip() for e in entries)
        assert len(set(entries)) == len(entries), "an entry listed twice weighs twice"
    else:
        assert table(stem)


def test_every_data_file_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["tracker"]
    for name in data_files():
        path = f"synthetic/{DATA_DIR}/{name}"
        assert any(fnmatch(path, pattern) for pattern in globs), path


def test_every_tradition_has_its_pools():
    for key, tradition in TRADITIONS.items():
        assert tradition.family, key
        if key != "chinese":  # Chinese given names are drawn from syllables
            assert tradition.male and tradition.female, key
        assert bool(tradition.middle_male) == bool(tradition.middle_female), key
