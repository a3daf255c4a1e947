"""A person's name drawn from a naming tradition, as a list of :class:`Part`, and nobody
famous: a blocklist keeps out the full names of well-known people that a random draw of common
names could otherwise produce. Also the everyday short forms of English given names, and the
carrier-style pools the vectorised public generator draws from.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from anyascii import anyascii

from tracker.synthetic.datafiles import word_list
from tracker.synthetic.rand import Draw
from tracker.synthetic.spelling import (
    Part,
    carrier_upper,
    fold,
    mrz_latin,
    plain,
    ru_bgn,
    ru_icao,
    ru_legacy,
    uk_kmu,
    uk_legacy,
)
from tracker.synthetic.traditions import (
    CHINESE_SYLLABLES_F,
    CHINESE_SYLLABLES_M,
    TRADITIONS,
    Tradition,
)

if TYPE_CHECKING:  # the nickname tables load only when first asked for a nickname
    from nicknames import NickNamer

#: Russian patronymics are formed from the commonest fathers' names.
_PATRONYMIC_FATHERS = TRADITIONS["russian"].male[:20]
_PATRONYMIC_STEM = {
    "Михаил": "Михайл",
    "Павел": "Павл",
    "Юрий": "Юрь",
    "Григорий": "Григорь",
    "Игорь": "Игор",
    "Николай": "Никола",
    "Сергей": "Серге",
    "Андрей": "Андре",
    "Алексей": "Алексе",
    "Дмитрий": "Дмитри",
    "Евгений": "Евгени",
    "Вячеслав": "Вячеслав",
    "Артём": "Артём",
}


# --- blocklist -------------------------------------------------------------------------

#: First given name + surname of well-known people that common-name pools could produce.
_FAMOUS = word_list("names/famous")


def _block_key(first: str, family: str) -> tuple[str, str]:
    f, s = fold(first), fold(family)
    for a, b in (("AE", "A"), ("OE", "O"), ("UE", "U")):
        f, s = f.replace(a, b), s.replace(a, b)
    return f, s


BLOCKED: frozenset[tuple[str, str]] = frozenset(_block_key(*name.split(" ", 1)) for name in _FAMOUS)


#: The same names as ``FIRST|SURNAME`` letter keys, for vectorised checks.
BLOCKED_KEYS: frozenset[str] = frozenset(
    f"{fold(a)}|{fold(b)}" for a, b in (name.split(" ", 1) for name in _FAMOUS)
)


def is_blocked(first_given: str, family: str) -> bool:
    """True when first given name + surname (or its first word) is a well-known person's."""
    first = first_given.split(" ")[0] if first_given else ""
    if _block_key(first, family) in BLOCKED:
        return True
    head = family.split(" ")[0] if family else ""
    return _block_key(first, head) in BLOCKED


# --- building a person's name ----------------------------------------------------------


def _variants(entry: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in entry.split("/"))


def _german(name: str) -> Part:
    mrz, ascii_ = mrz_latin(name), anyascii(name)
    return Part(name, (mrz, ascii_) if mrz != ascii_ else (mrz,), keep=0.8)


def _arabic(entry: str, draw: Draw) -> Part:
    options = _variants(entry)
    chosen = draw.pick(options)
    return Part(chosen, (chosen, *(o for o in options if o != chosen)), keep=0.6)


def _romanised(entry: str, draw: Draw) -> Part:
    """A name with romanisation variants (Chinese, Korean, Japanese): mostly the first."""
    options = _variants(entry)
    chosen = options[0] if draw.chance(0.85) or len(options) == 1 else draw.pick(options[1:])
    return Part(chosen, (chosen, *(o for o in options if o != chosen)), keep=0.92)


def _cyrillic(word: str, script: str, style: str) -> Part:
    systems = (ru_icao, ru_bgn, ru_legacy) if script == "russian" else (uk_kmu, uk_legacy)
    forms = tuple(dict.fromkeys(f(word) for f in systems))
    if style == "cyrillic":
        text = word
    elif style == "icao":
        text = forms[0]
    else:
        text = forms[min(1, len(forms) - 1)]
    return Part(text, forms, parallel=True)


def feminine(family: str, script: str) -> str:
    """Surnames that agree with gender: Kowalski -> Kowalska, Иванов -> Иванова."""
    if script == "latin":
        for masc, fem in (("cki", "cka"), ("dzki", "dzka"), ("ski", "ska")):
            if family.endswith(masc):
                return family[: -len(masc)] + fem
        return family
    if script == "russian":
        for masc, fem in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")):
            if family.endswith(masc):
                return family[: -len(masc)] + fem
        if family.endswith(("ов", "ев", "ёв", "ин", "ын")):
            return family + "а"
    if script == "ukrainian":
        if family.endswith("ський"):
            return family[:-5] + "ська"
        if family.endswith(("ов", "ев", "ін")):
            return family + "а"
    return family


def patronymic(father: str, sex: str) -> str:
    stem = _PATRONYMIC_STEM.get(father, father)
    soft = stem.endswith(("е", "и", "ь", "а"))
    if sex == "F":
        return stem + ("евна" if soft else "овна")
    return stem + ("евич" if soft else "ович")


def _chinese_given(sex: str, draw: Draw, style: str) -> Part:
    pool = CHINESE_SYLLABLES_M if sex == "M" else CHINESE_SYLLABLES_F
    a, b = draw.skewed(pool), draw.skewed(pool)
    while b == a:
        b = draw.pick(pool)
    return _syllables(a, b, style)


def _syllables(a: str, b: str, style: str) -> Part:
    """A two-syllable given name as the register writes it; carriers join or space it."""
    text = {"joined": a + b.lower(), "spaced": f"{a} {b}", "hyphen": f"{a}-{b.lower()}"}[style]
    return Part(text, (a + b.lower(), f"{a} {b}"), keep=0.85)


def _given_pool(tradition: Tradition, sex: str) -> tuple[str, ...]:
    return tradition.male if sex == "M" else tradition.female


def _one_given(tradition: Tradition, sex: str, draw: Draw, style: str) -> Part:
    name = draw.skewed(_given_pool(tradition, sex))
    return _make_part(name, tradition, draw, style)


def _make_part(name: str, tradition: Tradition, draw: Draw, style: str) -> Part:
    script = tradition.script
    if script == "german":
        return _german(name)
    if script == "arabic":
        return _arabic(name, draw)
    if script in ("russian", "ukrainian"):
        return _cyrillic(name, script, style)
    if script == "vietnamese":
        return Part(name, (anyascii(name),))
    if script == "japanese":
        return _romanised(name, draw)
    return plain(name)


def given_parts(tradition: Tradition, sex: str, draw: Draw, style: str = "") -> list[Part]:
    if tradition.script == "chinese":
        return [_chinese_given(sex, draw, draw.pick(("joined", "joined", "spaced", "hyphen")))]
    if tradition.script == "korean":
        a, b = draw.skewed(_given_pool(tradition, sex)).split("-")
        return [_syllables(a, b.capitalize(), draw.pick(("hyphen", "hyphen", "joined", "spaced")))]
    first = _one_given(tradition, sex, draw, style)
    parts = [first]
    if tradition.script == "russian" and draw.chance(tradition.middle_p):
        parts.append(_cyrillic(patronymic(draw.pick(_PATRONYMIC_FATHERS), sex), "russian", style))
        return parts
    if tradition.script == "vietnamese":
        middles = tradition.middle_male if sex == "M" else tradition.middle_female
        if draw.chance(tradition.middle_p):
            parts.insert(0, Part(m := draw.skewed(middles), (anyascii(m),)))
        return parts
    if tradition.middle_male and draw.chance(tradition.middle_p):
        middles = tradition.middle_male if sex == "M" else tradition.middle_female
        parts.append(plain(draw.pick(middles)))
        return parts
    if " " not in first.text and draw.chance(tradition.middle_p):
        second = _one_given(tradition, sex, draw, style)
        if fold(second.text) != fold(first.text):
            parts.append(second)
        if tradition.key == "british" and draw.chance(0.12):
            third = _one_given(tradition, sex, draw, style)
            if fold(third.text) not in (fold(p.text) for p in parts):
                parts.append(third)
    return parts


def family_parts(tradition: Tradition, sex: str, draw: Draw, style: str = "") -> list[Part]:
    script = tradition.script
    entry = draw.skewed(tradition.family)
    if script in ("chinese", "korean", "japanese"):
        return [_romanised(entry, draw)]
    if script in ("russian", "ukrainian"):
        word = feminine(entry, script) if sex == "F" else entry
        return [_cyrillic(word, script, style)]
    if script == "latin" and sex == "F":
        entry = feminine(entry, script)
    parts = [_make_part(entry, tradition, draw, style)]
    if tradition.family2_p and draw.chance(tradition.family2_p):
        second = draw.skewed(tradition.family)
        if second != entry:
            parts.append(plain(second))
    return parts


def register_style(tradition: Tradition, draw: Draw) -> str:
    """How the register spells a Cyrillic name: as written, or in one romanisation."""
    if tradition.script not in ("russian", "ukrainian"):
        return ""
    r = draw.random()
    return "cyrillic" if r < 0.25 else "icao" if r < 0.4 else "legacy"


def person_name(tradition: Tradition, sex: str, draw: Draw) -> tuple[list[Part], list[Part]]:
    """A register name (family parts, given parts) that is nobody famous."""
    for _ in range(20):
        style = register_style(tradition, draw)
        family = family_parts(tradition, sex, draw, style)
        given = given_parts(tradition, sex, draw, style)
        first_latin = given[0].forms[0] if tradition.script != "vietnamese" else given[-1].forms[0]
        if not is_blocked(first_latin, family[0].forms[0]):
            return family, given
    return family, given


# --- nicknames ---------------------------------------------------------------------------


@cache
def _namer() -> NickNamer:
    from nicknames import NickNamer

    return NickNamer()


_NICK_OTHER_LETTER = frozenset(word_list("names/nicknames-other-letter"))
_NICK_ODD = frozenset(word_list("names/nicknames-odd"))


@cache
def nicknames_for(given: str) -> tuple[str, ...]:
    """Everyday short forms of an English given name (Robert -> Bob, Rob), from `nicknames`:
    only those the package also maps back to the name, shorter than it, and still in use."""
    namer = _namer()
    name = given.lower()
    out = []
    for nick in sorted(namer.nicknames_of(name)):
        word = nick.capitalize()
        if (
            len(nick) >= 3
            and nick.isalpha()
            and len(nick) < len(name)
            and name in namer.canonicals_of(nick)
            and word not in _NICK_ODD
            and (nick[0] == name[0] or word in _NICK_OTHER_LETTER)
        ):
            out.append(word)
    return tuple(out)


# --- pools for the vectorised public generator ---------------------------------------------


@cache
def public_pools(key: str, sex: str) -> dict[str, tuple[str, ...]]:
    """Carrier-style (upper-case ASCII) pools for one tradition and sex: ``given`` (first
    names, or full two-syllable Chinese given names), ``middle`` and ``family``. Common names
    come first, and a name with several spellings appears once per spelling."""
    t = TRADITIONS[key]
    script = t.script

    def forms(name: str) -> tuple[str, ...]:
        if script == "german":
            return (carrier_upper(mrz_latin(name), True),)
        if script == "arabic":
            return tuple(carrier_upper(v, True) for v in _variants(name))
        if script == "russian":
            return (carrier_upper(ru_icao(name), True), carrier_upper(ru_bgn(name), True))
        if script == "ukrainian":
            return (carrier_upper(uk_kmu(name), True),)
        if script in ("chinese", "korean", "japanese"):
            return (carrier_upper(_variants(name)[0].replace("-", ""), True),)
        return (carrier_upper(name, True), carrier_upper(name, False))

    def expand(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for n in names for f in forms(n)))

    if script == "chinese":
        syl = CHINESE_SYLLABLES_M if sex == "M" else CHINESE_SYLLABLES_F
        given = tuple(a.upper() + b.upper() for a in syl[:18] for b in syl[:18] if a != b)
        middle: tuple[str, ...] = ()
    else:
        given = expand(_given_pool(t, sex))
        mids = t.middle_male if sex == "M" else t.middle_female
        if script == "russian":
            mids = tuple(patronymic(f, sex) for f in _PATRONYMIC_FATHERS)
        middle = expand(mids) if mids else given
    family_src = t.family
    if script in ("russian", "ukrainian") or (script == "latin" and sex == "F"):
        family_src = tuple(feminine(f, script) for f in t.family) if sex == "F" else t.family
    return {"given": given, "middle": middle, "family": expand(family_src)}
