"""The generator's stress profiles: each turns its habit up, labels say exactly what differs
from the register, every record still loads, and the same seed and profile give the same files.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.ingest.formats.paxlst import PaxlstReader
from tracker.schemas.rows import TravelRow
from tracker.synthetic import generate
from tracker.synthetic.names import nicknames_for
from tracker.synthetic.profiles import PROFILES, get_profile
from tracker.synthetic.spelling import fold
from tracker.synthetic.traditions import names_pool

AS_OF = date(2026, 11, 20)
SIZE = {"offenders": 500, "travel": 5000}
READ = {"dtype": str, "keep_default_na": False}
OCR = str.maketrans({"O": "0", "I": "1", "B": "8"})
EAST_FAMILIES = {
    fold(v)
    for key in ("chinese", "korean", "japanese", "vietnamese")
    for e in names_pool(key, "family")
    for v in e.split("/")
}
DOB_LABELS = {
    "missing_dob",
    "day_month_swap",
    "dob_day_off",
    "dob_year_off",
    "dob_transposed",
    "dob_digit_typo",
}
QUIET = {"exact", "case", "no_document", "new_passport", "doc_ocr"}  # leave names and dates be


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _paxlst(folder: Path) -> pd.DataFrame:
    """PAXLST passengers as the tracker's own reader reads them."""
    rows = []
    for path in sorted(folder.glob("*.paxlst")):
        for chunk in PaxlstReader(path, today=AS_OF).chunks():
            for row in chunk:
                assert row.problem is None, (path.name, row.problem)
                rows.append({k: _text(v) for k, v in (row.values or {}).items()})
    return pd.DataFrame(rows).assign(channel="paxlst")


def load(folder: Path) -> dict[str, pd.DataFrame]:
    csv = pd.read_csv(folder / "travel.csv", **READ).assign(channel="csv")
    with (folder / "travel-extra.jsonl").open(encoding="utf-8") as f:
        jsonl = pd.DataFrame([{k: _text(v) for k, v in json.loads(line).items()} for line in f])
    travel = pd.concat([csv, jsonl.assign(channel="jsonl"), _paxlst(folder)], ignore_index=True)
    truth = pd.read_csv(folder / "truth_links.csv", **READ)
    rows = truth.merge(
        travel.fillna(""),
        left_on=["travel_source", "travel_record_id"],
        right_on=["source", "record_id"],
        validate="one_to_one",
    )
    offenders = pd.read_csv(folder / "offenders.csv", **READ)
    known = rows[rows["category"] == "offender"].merge(
        offenders[["offender_id", "family_name", "given_names", "date_of_birth"]],
        on="offender_id",
        suffixes=("", "_reg"),
    )
    known["labels"] = known["corruptions"].str.split("|").map(set)
    return {
        "rows": rows,
        "known": known,
        "offenders": offenders,
        "aliases": pd.read_csv(folder / "aliases.csv", **READ),
        "documents": pd.read_csv(folder / "documents.csv", **READ),
    }


@pytest.fixture(scope="module")
def inboxes(tmp_path_factory):
    """Each profile's inbox, generated once when a test first asks for it."""
    made: dict[str, dict[str, pd.DataFrame]] = {}

    def get(name: str) -> dict[str, pd.DataFrame]:
        if name not in made:
            folder = tmp_path_factory.mktemp(f"profile-{name}")
            generate(folder, seed=5, as_of=AS_OF, profile=name, **SIZE)
            made[name] = load(folder)
        return made[name]

    return get


def _share(known: pd.DataFrame, labels: set[str]) -> float:
    return float(known["labels"].map(lambda ls: bool(ls & labels)).mean())


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- every profile ---------------------------------------------------------------------------


def test_the_default_profile_is_the_generator_as_it_was(tmp_path):
    generate(tmp_path / "plain", seed=3, offenders=120, travel=1500)
    generate(tmp_path / "named", seed=3, offenders=120, travel=1500, profile="default")
    assert _snapshot(tmp_path / "plain") == _snapshot(tmp_path / "named")
    with pytest.raises(ValueError, match="unknown profile 'nope'"):
        get_profile("nope")


@pytest.mark.parametrize("name", [n for n in PROFILES if n != "default"])
def test_same_seed_and_profile_same_bytes_and_the_profile_changes_the_data(tmp_path, name):
    small = {"seed": 3, "offenders": 120, "travel": 1500}
    generate(tmp_path / "a", profile=name, **small)
    generate(tmp_path / "b", profile=name, **small)
    generate(tmp_path / "default", **small)
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["args"]["profile"] == name
    truth_a = (tmp_path / "a" / "truth_links.csv").read_bytes()
    assert truth_a != (tmp_path / "default" / "truth_links.csv").read_bytes()


@pytest.mark.parametrize("name", list(PROFILES))
def test_every_travel_record_of_a_known_person_loads(inboxes, name):
    """Empty or one-letter given names, one-field names, odd dates: all within the contract."""
    rows = inboxes(name)["rows"]
    known = rows[rows["category"] != "public"]
    assert set(known["channel"]) == {"csv", "jsonl", "paxlst"}
    validate = TravelRow.__pydantic_validator__.validate_python
    fields = [c for c in known.columns if c in TravelRow.model_fields]
    for row in known[fields].to_dict("records"):
        validate({k: v for k, v in row.items() if v.strip()})
    habit = get_profile(name).labels
    if habit:
        seen = set(known["corruptions"].str.split("|").explode())
        assert set(habit) <= seen, set(habit) - seen


# --- birth-dates ---------------------------------------------------------------------------


def _dob_label_holds(label: str, given: str, registered: str) -> bool:
    if label == "missing_dob":
        return given == ""
    g, r = date.fromisoformat(given), date.fromisoformat(registered)
    gd, rd = g.strftime("%Y%m%d"), r.strftime("%Y%m%d")
    diff = [i for i in range(8) if gd[i] != rd[i]]
    if label == "day_month_swap":
        return (g.year, g.month, g.day) == (r.year, r.day, r.month)
    if label == "dob_day_off":
        return abs((g - r).days) == 1
    if label == "dob_year_off":
        return abs(g.year - r.year) == 1 and (g.month, g.day) in {(r.month, r.day), (2, 28)}
    if label == "dob_transposed":
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and gd[diff[0]] == rd[diff[1]]
            and gd[diff[1]] == rd[diff[0]]
        )
    assert label == "dob_digit_typo"
    return len(diff) == 1 and diff[0] >= 2 and abs((g - r).days) != 1


def test_birth_dates_most_missing_or_slipped_each_labelled_right(inboxes):
    known = inboxes("birth-dates")["known"]
    differs = known["date_of_birth"] != known["date_of_birth_reg"]
    assert differs.mean() > 0.6
    assert 0.15 < (~differs).mean() < 0.4  # about a quarter exact
    keyed = known[known["channel"] != "paxlst"]  # PAXLST dates carry two-digit years
    for _, row in keyed.iterrows():
        slips = row["labels"] & DOB_LABELS
        assert len(slips) <= 1
        if slips:
            label = slips.pop()
            assert _dob_label_holds(label, row["date_of_birth"], row["date_of_birth_reg"]), (
                label,
                row["date_of_birth"],
                row["date_of_birth_reg"],
            )
        else:
            assert row["date_of_birth"] == row["date_of_birth_reg"]
    counts = known["labels"].explode().value_counts()
    assert all(counts.get(label, 0) >= 8 for label in DOB_LABELS), counts.to_dict()


# --- new-passports -------------------------------------------------------------------------


def test_new_passports_most_unknown_missing_or_misread_each_labelled_right(inboxes):
    inbox = inboxes("new-passports")
    known, registered = inbox["known"], set(inbox["documents"]["doc_number"])
    by_ocr = {n.translate(OCR) for n in registered}
    unknown = ~known["doc_number"].isin(registered)
    assert unknown.mean() > 0.6
    assert (~unknown).mean() > 0.15  # some exact
    for _, row in known.iterrows():
        labels, number = row["labels"], row["doc_number"]
        if "no_document" in labels:
            assert number == ""
        elif "doc_ocr" in labels and "new_passport" not in labels:
            assert number not in registered and number.translate(OCR) in by_ocr
        elif "new_passport" in labels:
            assert number not in registered
        else:
            assert number in registered
    public = inbox["rows"][inbox["rows"]["category"] == "public"]
    assert 0.08 < (public["doc_number"] == "").mean() < 0.25  # the public lack them as often


# --- native-order --------------------------------------------------------------------------


def _native(row) -> tuple[str, str]:
    """(family, given) the way the register holds them, undoing the carrier's order."""
    family, given, labels = row["family_name"], row["given_names"], row["labels"]
    if "name_one_field" in labels:
        words = family.split()
    elif "native_order" in labels:
        words = f"{given} {family}".split()
    elif "order_swap" in labels:
        return given, family
    else:
        return family, given
    return words[0], " ".join(words[1:])


def _east(frame: pd.DataFrame, column: str = "family_name_reg") -> pd.Series:
    return frame[column].map(lambda f: fold(f) in EAST_FAMILIES)


def test_native_order_register_rich_in_east_asian_names_most_written_family_first(inboxes):
    inbox = inboxes("native-order")
    assert _east(inbox["offenders"], "family_name").mean() > 0.3
    known = inbox["known"]
    east = known[_east(known)]
    assert len(east) > 60
    assert _share(east, {"native_order"}) > 0.55
    assert _share(east, {"name_one_field"}) > 0.1
    for label in ("given_run_together", "given_first_syllable", "given_initial"):
        assert _share(east, {label}) > 0.03, label
    assert _share(known[~_east(known)], {"native_order"}) == 0
    public = inbox["rows"][inbox["rows"]["category"] == "public"]
    asian = public[public["nationality"].isin(["CHN", "KOR", "JPN", "VNM"])]
    assert (asian["given_names"] == "").mean() > 0.1  # the public write family-first too


def test_native_order_labels_say_what_the_carrier_did(inboxes):
    known = inboxes("native-order")["known"]
    allowed = (
        QUIET
        | {
            "native_order",
            "name_one_field",
            "order_swap",
            "given_run_together",
            "given_first_syllable",
            "given_initial",
        }
        | DOB_LABELS
    )
    checked = 0
    for _, row in known[known["labels"].map(lambda ls: ls <= allowed)].iterrows():
        family, given = _native(row)
        reg_given, labels = row["given_names_reg"], row["labels"]
        assert fold(family) == fold(row["family_name_reg"]), (row["family_name"], family)
        if "name_one_field" in labels:
            assert row["given_names"] == ""
        if "given_run_together" in labels:
            assert " " not in given and any(c in reg_given for c in " -")
            assert fold(given) == fold(reg_given)
        elif "given_first_syllable" in labels:
            assert fold(reg_given).startswith(fold(given)) and len(given) < len(fold(reg_given))
        elif "given_initial" in labels:
            assert len(given) == 1 and given in {w[0] for w in fold_words(reg_given)}
        else:
            assert fold(given) == fold(reg_given)
        checked += "native_order" in labels
    assert checked > 30


def fold_words(text: str) -> list[str]:
    return [fold(w) for w in text.replace("-", " ").split()]


# --- initials-nicknames --------------------------------------------------------------------


def test_initials_nicknames_given_names_cut_replaced_or_missing_each_labelled_right(inboxes):
    inbox = inboxes("initials-nicknames")
    known = inbox["known"]
    assert _share(known, {"given_initial", "nickname", "given_missing"}) > 0.45
    for label in ("given_initial", "nickname", "given_missing"):
        assert _share(known, {label}) > 0.06, label
    registered_nicks = inbox["aliases"][inbox["aliases"]["kind"] == "nickname"]
    nick_alias = dict(
        zip(registered_nicks["offender_id"], registered_nicks["given_names"].map(fold), strict=True)
    )
    plain = ~known["labels"].map(lambda ls: bool(ls & {"alias", "typo", "transliteration"}))
    for _, row in known[plain].iterrows():
        labels = row["labels"]
        given = row["family_name"] if "order_swap" in labels else row["given_names"]
        reg_words = fold_words(row["given_names_reg"])
        if "given_missing" in labels:
            assert row["given_names"] == ""
        elif "given_initial" in labels:
            letters = given.split()
            assert all(len(x) == 1 for x in letters)
            assert {fold(x) for x in letters} <= {w[0] for w in reg_words}
            vietnamese_cut = "dropped_middle" in labels  # keeps the personal name, the last
            assert vietnamese_cut or fold(letters[0]) == reg_words[0][0]
        elif "nickname" in labels:
            nick = fold(given.split()[0])
            nicks = {fold(n) for n in nicknames_for(row["given_names_reg"].split()[0])}
            assert nick in nicks or nick == nick_alias.get(row["offender_id"]), nick
    public = inbox["rows"][inbox["rows"]["category"] == "public"]
    assert (public["given_names"] == "").mean() > 0.05  # the public's records look the same
    assert (public["given_names"].str.len() == 1).mean() > 0.1


# --- short-typos ---------------------------------------------------------------------------


def _osa(a: str, b: str) -> int:
    """Edit distance with swaps of neighbours (optimal string alignment)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_short_typos_short_names_with_one_letter_slips_each_labelled_right(inboxes):
    inbox = inboxes("short-typos")
    offenders = inbox["offenders"]
    short = offenders["family_name"].map(lambda f: len(fold(f)) <= 4 and " " not in f) | (
        offenders["given_names"].map(lambda g: len(fold(g.split(" ")[0])) <= 4)
    )
    assert short.mean() > 0.6
    known = inbox["known"]
    assert _share(known, {"short_typo"}) > 0.35
    checked = 0
    allowed = QUIET | DOB_LABELS | {"order_swap", "short_typo"}
    for _, row in known[known["labels"].map(lambda ls: ls <= allowed)].iterrows():
        family, given = _native(row)
        pairs = [
            ("family", family, row["family_name_reg"]),
            ("given", given, row["given_names_reg"]),
        ]
        slipped = [pair for pair in pairs if fold(pair[1]) != fold(pair[2])]
        if "short_typo" not in row["labels"]:
            assert not slipped
            continue
        assert len(slipped) == 1, pairs
        field, typed, registered = slipped[0]
        assert _osa(fold(typed), fold(registered)) == 1, (typed, registered)
        # the slip is in a one-word surname of at most 4 letters, or in a first given word
        # that short as the carrier wrote it (a joined given name may come in syllables)
        if field == "family":
            assert len(fold(registered)) <= 4 and " " not in typed, typed
        else:
            assert len(fold(typed.split(" ")[0])) <= 5, typed
        checked += 1
    assert checked > 40


# --- the command line ----------------------------------------------------------------------


def test_generate_command_takes_a_profile_and_lists_them_all(tmp_path):
    runner = CliRunner()
    shown = runner.invoke(main, ["generate", "--help"])
    assert shown.exit_code == 0
    for name, profile in PROFILES.items():
        assert any(name in line and profile.summary in line for line in shown.output.splitlines())
    out = tmp_path / "inbox"
    done = runner.invoke(
        main,
        [
            "generate",
            "--out",
            str(out),
            "--offenders",
            "60",
            "--travel",
            "600",
            "--profile",
            "birth-dates",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "profile birth-dates" in done.output
    assert '"profile": "birth-dates"' in (out / "manifest.json").read_text()
    wrong = runner.invoke(main, ["generate", "--out", str(out), "--profile", "nope"])
    assert wrong.exit_code == 2 and "nope" in wrong.output
