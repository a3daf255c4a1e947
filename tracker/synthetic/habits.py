"""The stress profiles' carrier habits, each with its own truth label.

Called by corrupt.py only when a profile turns a habit up (profiles.py), so the default
profile draws exactly as it always has. The public get the same name habits in bulk
(:func:`public_names`): a habit only offenders showed would itself give them away.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from tracker.synthetic.names import BLOCKED_KEYS, nicknames_for
from tracker.synthetic.profiles import EAST_ASIAN, Profile
from tracker.synthetic.rand import Draw
from tracker.synthetic.spelling import Part, fold
from tracker.synthetic.traditions import CHINESE_SYLLABLES_F, CHINESE_SYLLABLES_M, TRADITIONS

SYLLABIC = ("chinese", "korean")  # given names of two syllables, which carriers run together
ENGLISH = ("british", "irish", "american")
_ALPHABET = "ABCDEFGHIJKLMNOPRSTUVWY"
_KOREAN_GIVEN = (*TRADITIONS["korean"].male, *TRADITIONS["korean"].female)
_SYLLABLES = frozenset(s.upper() for s in (*CHINESE_SYLLABLES_M, *CHINESE_SYLLABLES_F)) | frozenset(
    s.upper() for name in _KOREAN_GIVEN for s in name.split("-")
)


# --- birth dates ---------------------------------------------------------------------------


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _parse(digits: str) -> date | None:
    return _valid(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def _swap(dob: date) -> list[date]:
    return [date(dob.year, dob.day, dob.month)] if dob.day <= 12 and dob.day != dob.month else []


def _year_off(dob: date) -> list[date]:
    return [
        _valid(y, dob.month, dob.day) or date(y, dob.month, 28)
        for y in (dob.year - 1, dob.year + 1)
    ]


def _transposed(dob: date) -> list[date]:
    """Two neighbouring digits of the year's last two, the month or the day swapped, where
    that is still a date (1981 -> 1918, 03-12 -> 03-21) and not the day/month swap."""
    digits, out = dob.strftime("%Y%m%d"), []
    for i in (2, 4, 6):
        new = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
        found = _parse(new)
        if found and found != dob and found.year >= 1900 and found not in _swap(dob):
            out.append(found)
    return out


def _digit(dob: date) -> list[date]:
    """One digit (not the century's) mistyped, where that is no other class of slip."""
    digits = dob.strftime("%Y%m%d")
    others = {
        dob,
        *_swap(dob),
        *_year_off(dob),
        *_transposed(dob),
        dob - timedelta(days=1),
        dob + timedelta(days=1),
    }
    out = []
    for i in range(2, 8):
        for k in "0123456789":
            found = _parse(digits[:i] + k + digits[i + 1 :])
            if found and found not in others and found.year >= 1900:
                out.append(found)
    return out


_CANDIDATES = {
    "day_month_swap": _swap,
    "dob_day_off": lambda dob: [dob - timedelta(days=1), dob + timedelta(days=1)],
    "dob_year_off": _year_off,
    "dob_transposed": _transposed,
    "dob_digit_typo": _digit,
}


def slip_dob(dob: date, on: date, draw: Draw, labels: list[str], profile: Profile) -> str:
    """The birth date a carrier sends under the ``birth-dates`` profile: exact, missing, or
    one slip; a kind this date cannot show (no swap for the 20th) gives way to the others."""
    if not draw.chance(profile.p_dob_slip):
        return dob.isoformat()
    options = list(profile.dob_slips)
    while options:
        pick, k = draw.random() * sum(w for _, w in options), 0
        while k < len(options) - 1 and pick >= options[k][1]:
            pick -= options[k][1]
            k += 1
        label = options.pop(k)[0]
        if label == "missing_dob":
            labels.append(label)
            return ""
        found = [d for d in _CANDIDATES[label](dob) if d <= on]
        if found:
            labels.append(label)
            return draw.pick(found).isoformat()
    return dob.isoformat()


# --- given names -----------------------------------------------------------------------------


def initials(forms: list[str], draw: Draw) -> list[str]:
    """J for JOHN PAUL, sometimes J P."""
    letters = [w[0] for w in " ".join(forms).replace("-", " ").split()]
    if len(letters) >= 2 and draw.chance(0.4):
        return [" ".join(letters)]
    return letters[:1]


def cut_given(forms: list[str], draw: Draw, labels: list[str], profile: Profile) -> list[str]:
    """No given name at all, or initials only (``initials-nicknames``)."""
    r = draw.random()
    if r < profile.p_given_missing:
        labels.append("given_missing")
        return []
    if r < profile.p_given_missing + profile.p_given_initial:
        labels.append("given_initial")
        return initials(forms, draw)
    return forms


def _two_syllables(parts: list[Part]) -> list[str] | None:
    if len(parts) == 1 and len(parts[0].forms) >= 2 and " " in parts[0].forms[1]:
        return parts[0].forms[1].split(" ")
    return None


def east_given(
    forms: list[str],
    parts: list[Part],
    tradition: str,
    draw: Draw,
    labels: list[str],
    profile: Profile,
) -> list[str]:
    """An East Asian or Vietnamese given name cut to an initial; a two-syllable one (Chinese,
    Korean) cut to its first syllable, or run together where the register separates it."""
    r = draw.random()
    if r < profile.p_east_initial:
        labels.append("given_initial")
        return [forms[0][:1]]
    syllables = _two_syllables(parts) if tradition in SYLLABIC else None
    if syllables is None:
        return forms
    r -= profile.p_east_initial
    if r < profile.p_first_syllable:
        labels.append("given_first_syllable")
        return [syllables[0]]
    r -= profile.p_first_syllable
    if r < profile.p_run_together and any(c in parts[0].text for c in " -"):
        labels.append("given_run_together")
        return [parts[0].forms[0]]
    return forms


def native_order(
    fam: str, giv: str, draw: Draw, labels: list[str], profile: Profile
) -> tuple[str, str]:
    """The name written family name first: read the Western way (the last word taken for
    the surname), or all of it in the family-name field (always so for a lone initial)."""
    words = f"{fam} {giv}".split()
    labels.append("native_order")
    if draw.chance(profile.p_one_field) or len(giv) == 1:
        labels.append("name_one_field")
        return " ".join(words), ""
    return words[-1], " ".join(words[:-1])


# --- short names ---------------------------------------------------------------------------


def is_short(word: str) -> bool:
    return 2 <= len(word) <= 4 and word.isascii() and word.isalpha()


def has_short_name(family: list[Part], given: list[Part]) -> bool:
    """A register name a carrier may slip on: a one-word surname or a first given name (or
    a Vietnamese personal name) of at most 4 letters."""
    words = [family[0].forms[0], given[0].forms[0].split(" ")[0], given[-1].forms[0]]
    return any(is_short(fold(w)) and " " not in w for w in words)


def one_letter(word: str, draw: Draw) -> str:
    """One substitution, insertion, deletion or swap of neighbours, anywhere in the word."""
    upper = word.upper()
    for _ in range(10):
        op = draw.pick(("sub", "ins", "del", "swap"))
        i = draw.between(0, len(upper) - 1)
        letter = draw.pick(_ALPHABET)
        if op == "sub":
            out = upper[:i] + letter + upper[i + 1 :]
        elif op == "ins":
            i = draw.between(0, len(upper))
            out = upper[:i] + letter + upper[i:]
        elif op == "del":
            out = upper[:i] + upper[i + 1 :]
        else:
            i = max(i, 1)
            out = upper[: i - 1] + upper[i] + upper[i - 1] + upper[i + 1 :]
        if out != upper and len(out) >= 2:
            return out if word.isupper() else out.capitalize() if word.istitle() else out.lower()
    return word


def short_typo(fam: str, giv: str, draw: Draw, labels: list[str], p: float) -> tuple[str, str]:
    """A one-letter slip in a short surname or first given name (``short-typos``)."""
    first = giv.split(" ")[0] if giv else ""
    spots = [k for k, w in (("family", fam), ("given", first)) if is_short(w)]
    if not spots or not draw.chance(p):
        return fam, giv
    if draw.pick(spots) == "family":
        new = one_letter(fam, draw)
        fam, changed = new, new != fam
    else:
        new = one_letter(first, draw)
        giv, changed = new + giv[len(first) :], new != first
    if changed:
        labels.append("short_typo")
    return fam, giv


# --- the public, in bulk ---------------------------------------------------------------------


def _first_syllable(word: str) -> str:
    for i in range(1, len(word)):
        if word[:i] in _SYLLABLES and word[i:] in _SYLLABLES:
            return word[:i]
    return word


def _nicknames(
    frame: pd.DataFrame, rows: np.ndarray, p: float, rng: np.random.Generator
) -> np.ndarray:
    """English first names swapped for a nickname at the offenders' rate; which rows."""
    given = frame["given_names"].to_numpy(dtype=object)
    family = frame["family_name"].to_numpy(dtype=object)
    done = np.zeros(len(frame), dtype=bool)
    pick, chance = rng.random(len(frame)), rng.random(len(frame))
    for i in np.flatnonzero(rows & (chance < p)):
        first, _, rest = given[i].partition(" ")
        nicks = nicknames_for(first.capitalize())
        if not nicks:
            continue
        nick = nicks[int(pick[i] * len(nicks))].upper()
        if f"{nick}|{fold(family[i].split(' ')[0])}" not in BLOCKED_KEYS:
            given[i], done[i] = f"{nick} {rest}".strip(), True
    frame["given_names"] = given
    return done


def _initials(given: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    both = rng.random(len(given)) < 0.4
    for i in np.flatnonzero(rows):
        letters = [w[0] for w in given[i].split()]
        given[i] = " ".join(letters) if both[i] and len(letters) > 1 else letters[0]


def public_names(
    frame: pd.DataFrame, traditions: np.ndarray, profile: Profile, rng: np.random.Generator
) -> None:
    """The profile's name habits on public travellers (carrier-style names), in place."""
    n = len(frame)
    if "nickname" in profile.public_habits:
        nicked = _nicknames(frame, np.isin(traditions, ENGLISH), profile.p_nickname, rng)
    else:
        nicked = np.zeros(n, dtype=bool)
    given = frame["given_names"].to_numpy(dtype=object)
    family = frame["family_name"].to_numpy(dtype=object)
    if "given" in profile.public_habits:
        r = rng.random(n)
        missing = (r < profile.p_given_missing) & ~nicked
        _initials(
            given, (r < profile.p_given_missing + profile.p_given_initial) & ~missing & ~nicked, rng
        )
        given[missing] = ""
    if "east" in profile.public_habits:
        east = np.isin(traditions, EAST_ASIAN)
        r = rng.random(n)
        initial = east & (r < profile.p_east_initial)
        given[initial] = [g[:1] for g in given[initial]]
        cut = (
            np.isin(traditions, SYLLABIC)
            & ~initial
            & (r < profile.p_east_initial + profile.p_first_syllable)
        )
        given[cut] = [_first_syllable(g) for g in given[cut]]
        native = east & (given != "") & (rng.random(n) < profile.p_native_order)
        one = native & ((rng.random(n) < profile.p_one_field) | initial)
        for i in np.flatnonzero(native):
            words = f"{family[i]} {given[i]}".split()
            if one[i]:
                family[i], given[i] = " ".join(words), ""
            else:
                family[i], given[i] = words[-1], " ".join(words[:-1])
    frame["given_names"], frame["family_name"] = given, family
