"""Generator profiles: the carriers' habits as data, so a stress profile turns one habit up.

``default`` holds today's rates (the brief's frequencies); every other profile overrides a few
fields and leaves the rest at those rates, so the matcher can be measured one habit at a time.
The overrides are data: ``data/profiles/stress.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tracker.synthetic.datafiles import table


@dataclass(frozen=True)
class Profile:
    """Probabilities the corruption steps read. ``p_*`` are chances per travel record of a
    known person; the stress habits are 0 (off) in ``default``, so it draws exactly as before."""

    name: str
    summary: str
    labels: tuple[str, ...] = ()  # the truth labels of the habit this profile turns up
    # --- the default carriers' habits --------------------------------------------------------
    p_alias: float = 0.25  # of those with a registered alias or previous name: travels under it
    p_nickname: float = 0.2  # of those with an English given name that has one: books under it
    p_upper: float = 0.95
    p_drop_middle: float = 0.45  # of records with middle names: about 20% of all records
    p_truncate_family: float = 0.8  # when the surname is longer than 20 characters
    p_truncate_total: float = 0.6  # when surname + given names are longer than 24 characters
    p_typo: float = 0.04
    p_missing_dob: float = 0.03
    p_swap_dob: float = 0.075  # of the dates that can be swapped (day <= 12): about 3% overall
    p_year_off: float = 0.01
    p_digit_typo: float = 0.01
    p_no_document: float = 0.04
    p_new_passport: float = 0.07  # plus travellers whose passport the register lacks: ~10%
    p_ocr: float = 0.03
    p_unknown_sex: float = 0.02
    # --- stress habits (off by default) --------------------------------------------------------
    p_dob_slip: float = 0.0  # birth dates missing or slipped; the rest keep the exact date
    dob_slips: tuple[tuple[str, float], ...] = ()  # (label, weight) of each kind of slip
    p_native_order: float = 0.0  # East Asian and Vietnamese names written family name first
    p_one_field: float = 0.0  # of those: the whole name in the family-name field
    p_run_together: float = 0.0  # a separated two-syllable given name written as one word
    p_first_syllable: float = 0.0  # a two-syllable given name cut to its first syllable
    p_east_initial: float = 0.0  # an East Asian or Vietnamese given name cut to an initial
    p_given_initial: float = 0.0  # any given name cut to initials
    p_given_missing: float = 0.0  # no given name at all
    p_short_typo: float = 0.0  # a one-letter slip in a name of at most 4 letters
    p_short_name: float = 0.0  # register: a name redrawn until one part is that short
    #: register and public weights of naming traditions that differ from names.TRADITIONS
    tradition_weights: tuple[tuple[str, float], ...] = ()
    #: the profile's name habits the public carry too: "nickname", "given" (initials and
    #: missing given names), "east" (East Asian given names and native order)
    public_habits: tuple[str, ...] = ()
    public_missing_dob: float = 0.02
    public_no_document: float = 0.02

    def weight(self, key: str, default: float) -> float:
        return dict(self.tradition_weights).get(key, default)


DEFAULT = Profile("default", "today's mix of carrier corruptions")
EAST_ASIAN = ("chinese", "korean", "japanese", "vietnamese")


def _tupled(value: Any) -> Any:
    """JSON lists as tuples: a profile is frozen and hashable (generation caches per profile)."""
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value


def _stress_profile(name: str, settings: dict) -> Profile:
    return replace(DEFAULT, name=name, **{k: _tupled(v) for k, v in settings.items()})


#: The stress profiles (data): each overrides a few of the default's fields. In
#: ``birth-dates`` the day/month swap, possible only for days 1-12 (and not on 5 May), weighs
#: more, so that each kind of slip is about as common as the others.
PROFILES: dict[str, Profile] = {DEFAULT.name: DEFAULT} | {
    name: _stress_profile(name, settings) for name, settings in table("profiles/stress").items()
}


def get_profile(name: str | Profile) -> Profile:
    """A profile by name (or the profile itself); unknown names list the known ones."""
    if isinstance(name, Profile):
        return name
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}") from None
