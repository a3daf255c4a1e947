"""People: register entries with their aliases and documents, and the namesakes and relatives
who are not on the register but look as if they were (the matcher's hard negatives)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from tracker.synthetic.cases import TRAVEL_KINDS, Case
from tracker.synthetic.documents import EU, Document, Ledger, passport_code
from tracker.synthetic.habits import has_short_name
from tracker.synthetic.names import (
    family_parts,
    given_parts,
    is_blocked,
    nicknames_for,
    person_name,
)
from tracker.synthetic.profiles import DEFAULT, Profile
from tracker.synthetic.rand import Draw, cumulative, days
from tracker.synthetic.spelling import Part, fold, join, plain
from tracker.synthetic.traditions import REGISTER_CUM, REGISTER_KEYS, TRADITIONS


class _Named:
    """A name as register parts: its family and given names as the register writes them."""

    family: list[Part]
    given: list[Part]

    @property
    def family_text(self) -> str:
        return join(self.family)

    @property
    def given_text(self) -> str:
        return join(self.given)


@dataclass
class Alias(_Named):
    kind: str  # alias, previous_name, nickname, transliteration
    family: list[Part]
    given: list[Part]
    since: date | None = None  # a previous name that changed while registered


@dataclass
class Person(_Named):
    tradition: str
    sex: str
    family: list[Part]
    given: list[Part]
    dob: date
    nationalities: tuple[str, ...]
    documents: list[Document] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)

    def passport(self, on: date) -> Document | None:
        """The passport a traveller would show on ``on``: valid then, else the newest."""
        passports = [d for d in self.documents if d.doc_type == "P"]
        valid = [d for d in passports if d.expires is None or d.expires > on]
        pool = valid or passports
        return max(pool, key=lambda d: d.expires or date.max) if pool else None

    def id_card(self) -> Document | None:
        return next((d for d in self.documents if d.doc_type == "I"), None)

    @property
    def nationality(self) -> str:
        return self.nationalities[0] if self.nationalities else ""


def _sex(draw: Draw) -> str:
    r = draw.random()
    return "M" if r < 0.93 else "F" if r < 0.995 else "X"


def _nationalities(key: str, draw: Draw) -> tuple[str, ...]:
    if draw.chance(0.03):
        return ()
    options = TRADITIONS[key].nationalities
    choice = draw.weighted([o for o, _ in options], cumulative([w for _, w in options]))
    return tuple(choice.split("|"))


def _dob(start: date, draw: Draw) -> date:
    """Adult (19-70) when the requirement began, so no juvenile halving of the period."""
    age = 19 + int(51 * draw.random() ** 1.6)
    return start - days(int(age * 365.25) + draw.between(1, 360))


def _documents(
    person: Person, as_of: date, ledger: Ledger, draw: Draw, traveller: bool
) -> list[Document]:
    """Passports for ~85% (nearly all who travel: the police usually hold a traveller's
    passport), old expired ones, second nationality, EU identity cards, UK licences."""
    docs: list[Document] = []
    nats = person.nationalities or ("GBR",)
    primary = "GBR" if "GBR" in nats and draw.chance(0.7) else nats[0]
    if draw.chance(0.95 if traveller else 0.82):
        code = passport_code(primary, draw)
        expires = as_of + days(draw.between(40, 3600))
        if draw.chance(0.12):  # an old passport the register still holds
            old = as_of - days(draw.between(30, 2000))
            docs.append(Document("P", ledger.passport(code, draw), code, old))
        docs.append(Document("P", ledger.passport(code, draw), code, expires))
        others = [n for n in nats if n != primary]
        if others and draw.chance(0.3):
            code2 = passport_code(others[0], draw)
            exp2 = as_of + days(draw.between(40, 3600))
            docs.append(Document("P", ledger.passport(code2, draw), code2, exp2))
    eu = [n for n in nats if n in EU]
    if eu and draw.chance(0.4):
        code = passport_code(eu[0], draw)
        docs.append(Document("I", ledger.id_card(draw), code, as_of + days(draw.between(40, 3600))))
    if draw.chance(0.05):
        initials = "".join(fold(p.forms[0])[:1] for p in person.given)
        number = ledger.driving_licence(fold(person.family[0].forms[0]), person.dob, initials, draw)
        docs.append(Document("D", number, "GBR", as_of + days(draw.between(100, 3600))))
    return docs


def _latin_alias(parts: list[Part], index: int) -> list[Part]:
    return [Part(p.forms[min(index, len(p.forms) - 1)], p.forms, p.parallel, p.keep) for p in parts]


def _aliases(person: Person, case: Case, as_of: date, draw: Draw) -> list[Alias]:
    t = TRADITIONS[person.tradition]
    out: list[Alias] = []
    cyrillic = t.script in ("russian", "ukrainian")
    if cyrillic and any(p.text != p.forms[0] for p in person.given) and draw.chance(0.7):
        system = 0 if fold(person.given[0].text) != fold(person.given[0].forms[0]) else 1
        out.append(
            Alias(
                "transliteration",
                _latin_alias(person.family, system),
                _latin_alias(person.given, system),
            )
        )
    if t.script == "arabic" and draw.chance(0.25):
        out.append(
            Alias("transliteration", _latin_alias(person.family, 1), _latin_alias(person.given, 1))
        )
    if person.tradition in ("british", "irish") and draw.chance(0.35):
        nicks = nicknames_for(person.given[0].text)
        if nicks:
            nick = draw.pick(nicks)
            if not is_blocked(nick, person.family_text):
                out.append(Alias("nickname", person.family, [plain(nick)]))
    sex = person.sex if person.sex in ("M", "F") else "M"
    if sex == "F" and draw.chance(0.3):
        out.append(Alias("previous_name", family_parts(t, sex, draw), person.given))
    last = case.notify_until(as_of) - days(10)
    first = case.requirement_start + days(30)
    if draw.chance(0.03) and last > first:
        since = first + days(draw.between(0, (last - first).days))
        if draw.chance(0.6):
            out.append(Alias("previous_name", family_parts(t, sex, draw), person.given, since))
        else:
            fam, giv = person_name(t, sex, draw)
            out.append(Alias("previous_name", fam, giv, since))
    if draw.chance(0.12):
        other = TRADITIONS[draw.weighted(REGISTER_KEYS, REGISTER_CUM)]
        fam, giv = person_name(other, sex, draw)
        out.append(Alias("alias", fam, giv))
    own = (fold(person.family_text), fold(person.given_text))
    seen = {own}
    unique = []
    for alias in out:
        key = (fold(alias.family_text), fold(alias.given_text))
        if key not in seen and alias.family_text and alias.given_text:
            seen.add(key)
            unique.append(alias)
    return unique


@cache
def _register_mix(profile: Profile) -> tuple[tuple[str, ...], list[float]]:
    """Naming traditions of the register and their cumulative weights under ``profile``."""
    if not profile.tradition_weights:
        return REGISTER_KEYS, REGISTER_CUM
    weights = {k: profile.weight(k, t.register_weight) for k, t in TRADITIONS.items()}
    keys = tuple(k for k, w in weights.items() if w > 0)
    return keys, cumulative([weights[k] for k in keys])


def make_offender(
    case: Case,
    as_of: date,
    ledger: Ledger,
    draw: Draw,
    tag: str | None = None,
    profile: Profile = DEFAULT,
) -> Person:
    """A register person for ``case``; ``tag`` asks for one of the deliberately awkward
    names (``apostrophe``, ``comma``, ``cyrillic``). ``profile`` may weight the naming
    traditions and favour short names."""
    key = draw.weighted(*_register_mix(profile))
    if case.jurisdiction == "us-sorna" and draw.chance(0.6):
        key = "british" if draw.chance(0.3) else "spanish"
    key = {"cyrillic": "russian", "apostrophe": "irish"}.get(tag or "", key)
    sex = _sex(draw)
    name_sex = sex if sex != "X" else draw.pick(("M", "F"))
    if tag == "cyrillic":
        t = TRADITIONS[key]
        family = family_parts(t, name_sex, draw, "cyrillic")
        given = given_parts(t, name_sex, draw, "cyrillic")
    else:
        family, given = person_name(TRADITIONS[key], name_sex, draw)
        if profile.p_short_name and draw.chance(profile.p_short_name):
            for _ in range(40):
                if has_short_name(family, given):
                    break
                family, given = person_name(TRADITIONS[key], name_sex, draw)
    dob = _dob(case.requirement_start, draw)
    nats = _nationalities(key, draw)
    if case.jurisdiction == "us-sorna":
        nats = ("USA",) if not nats or draw.chance(0.7) else ("USA", nats[0])
    person = Person(key, sex, family, given, dob, nats)
    if tag == "apostrophe":
        apostrophe_name(person)
    elif tag == "comma":
        comma_name(person)
    traveller = bool(case.trips) or case.planted in TRAVEL_KINDS
    person.documents = _documents(person, as_of, ledger, draw, traveller)
    person.aliases = _aliases(person, case, as_of, draw)
    return person


# --- deliberately awkward but valid values ------------------------------------------------


def apostrophe_name(person: Person) -> None:
    person.tradition = "irish"
    person.family = [Part("O'Neill", ("O'Neill", "ONeill", "O Neill"), keep=0.5)]


def comma_name(person: Person) -> None:
    """An American-style suffix kept in the surname: needs CSV quoting."""
    head = person.family[0]
    person.family = [Part(f"{head.text}, Jr.", (f"{head.forms[0]} Jr",)), *person.family[1:]]
