"""Naming traditions: whose names the register and the public carry, in what mix, and how.

The pools (common first names and surnames only, commonest first) are data files under
``data/names/``; the combinations drawn from them are synthetic. Entries list spelling
variants after a slash, the likeliest first: Arabic transliterations; Chinese pinyin, then the
Wade-Giles and Cantonese spellings of Hong Kong and older documents; Korean and Japanese
romanisations (Lee/Yi/Rhee, Sato/Satoh). Korean given names are two syllables joined by a
hyphen. Given names borne by well-known Koreans and Japanese with a common surname are left
out, so a random combination is nobody famous.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.synthetic.datafiles import table, word_list
from tracker.synthetic.rand import cumulative


@dataclass(frozen=True)
class Tradition:
    key: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    script: str = "latin"  # latin, german, arabic, russian, ukrainian, chinese, vietnamese,
    # korean, japanese
    middle_p: float = 0.3  # chance of a second given name
    family2_p: float = 0.0  # chance of a second surname (Spanish, Portuguese)
    swap_p: float = 0.15  # chance a carrier swaps the name fields
    nationalities: tuple[tuple[str, float], ...] = (("GBR", 1.0),)
    middle_male: tuple[str, ...] = ()  # a dedicated middle-name pool (Vietnamese, Indian)
    middle_female: tuple[str, ...] = ()
    register_weight: float = 1.0
    public_weight: float = 1.0


def names_pool(key: str, pool: str) -> tuple[str, ...]:
    """One pool of a tradition: ``data/names/<key>-<pool>.txt``."""
    return word_list(f"names/{key}-{pool}")


def _tradition(key: str, settings: dict) -> Tradition:
    """A tradition from its settings, with its pools read from the data files. Chinese given
    names are drawn from syllables instead (``"given": false``); Vietnamese and Indian names
    draw their middle names from a pool of their own (``"middles": true``)."""
    given = settings.pop("given", True)
    middles = settings.pop("middles", False)
    return Tradition(
        key,
        names_pool(key, "male") if given else (),
        names_pool(key, "female") if given else (),
        names_pool(key, "family"),
        middle_male=names_pool(key, "middle-male") if middles else (),
        middle_female=names_pool(key, "middle-female") if middles else (),
        nationalities=tuple((combo, share) for combo, share in settings.pop("nationalities")),
        **settings,
    )


#: Chinese given names are two syllables drawn from these (pinyin).
CHINESE_SYLLABLES_M = names_pool("chinese", "syllables-male")
CHINESE_SYLLABLES_F = names_pool("chinese", "syllables-female")

#: Register and public weights, nationalities and name habits per tradition (data). Korean
#: and Japanese weigh 0 in the default mix: only the stress profiles weight them (profiles.py).
TRADITIONS: dict[str, Tradition] = {
    key: _tradition(key, settings) for key, settings in table("names/traditions").items()
}
REGISTER_KEYS = tuple(k for k, t in TRADITIONS.items() if t.register_weight > 0)
REGISTER_CUM = cumulative([TRADITIONS[k].register_weight for k in REGISTER_KEYS])
