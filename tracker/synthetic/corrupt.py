"""How a carrier's passenger record of a known person differs from the register.

Each step mirrors a real source of error in API data (name keyed from the passport's machine
zone, fields swapped, long names cut, OCR misreads) and records its label, so the matcher's
recall can be measured per kind of corruption. Frequencies are the brief's, held by the
generator profile (profiles.py); the stress profiles' extra habits are in habits.py.
"""

from __future__ import annotations

from datetime import date

from tracker.synthetic import habits
from tracker.synthetic.documents import EU, Ledger, comparable, ocr_misread, passport_code
from tracker.synthetic.names import is_blocked, nicknames_for
from tracker.synthetic.people import Person
from tracker.synthetic.profiles import DEFAULT, EAST_ASIAN, Profile
from tracker.synthetic.rand import Draw, days
from tracker.synthetic.spelling import Part, carrier_upper, fold, plain
from tracker.synthetic.traditions import TRADITIONS

ENGLISH = habits.ENGLISH
_ALPHABET = "ABCDEFGHIJKLMNOPRSTUVWY"


def _system(draw: Draw) -> int:
    r = draw.random()
    return 0 if r < 0.7 else 1 if r < 0.9 else 2


def _form(part: Part, system: int, draw: Draw) -> str:
    if part.parallel:
        return part.forms[min(system, len(part.forms) - 1)]
    if len(part.forms) == 1 or draw.chance(part.keep):
        return part.forms[0]
    return draw.pick(part.forms[1:])


def _choose_parts(
    person: Person, draw: Draw, labels: list[str], allow_alias: bool, profile: Profile
) -> tuple[list[Part], list[Part]]:
    family, given = person.family, person.given
    if not allow_alias:
        return family, given
    usable = [a for a in person.aliases if a.kind in ("alias", "previous_name")]
    if usable and draw.chance(profile.p_alias):
        alias = draw.pick(usable)
        labels.append("alias")
        return alias.family, alias.given
    if person.tradition in ENGLISH and draw.chance(profile.p_nickname):
        registered = [a for a in person.aliases if a.kind == "nickname"]
        nicks = nicknames_for(given[0].text)
        if registered and draw.chance(0.7):
            nick = registered[0].given[0].text
        elif nicks:
            nick = draw.pick(nicks)
        else:
            return family, given
        if not is_blocked(nick, person.family_text):
            labels.append("nickname")
            return family, [plain(nick), *given[1:]]
    return family, given


def _typo(text: str, draw: Draw) -> str:
    if len(text) < 3:
        return text
    for _ in range(10):
        i = draw.between(1, len(text) - 1)
        letter = draw.pick(_ALPHABET)
        letter = letter if text[i - 1].isupper() else letter.lower()
        op = draw.pick(("sub", "del", "ins", "swap"))
        if op == "sub":
            out = text[:i] + letter + text[i + 1 :]
        elif op == "del":
            out = text[:i] + text[i + 1 :]
        elif op == "ins":
            out = text[:i] + letter + text[i:]
        else:
            out = text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
        if out != text and out.strip() == out and "  " not in out and len(out) >= 2:
            return out
    return text


def travel_name(
    person: Person, draw: Draw, labels: list[str], allow_alias: bool, profile: Profile
) -> tuple[str, str]:
    """(family_name, given_names) as a carrier sends them."""
    family, given = _choose_parts(person, draw, labels, allow_alias, profile)
    system = _system(draw)
    fam_forms = [_form(p, system, draw) for p in family]
    giv_forms = [_form(p, system, draw) for p in given]
    if fold(" ".join(fam_forms)) != fold(" ".join(p.text for p in family)) or fold(
        " ".join(giv_forms)
    ) != fold(" ".join(p.text for p in given)):
        labels.append("transliteration")
    if len(giv_forms) >= 2 and draw.chance(profile.p_drop_middle):
        vietnamese = TRADITIONS[person.tradition].script == "vietnamese"
        giv_forms = giv_forms[-1:] if vietnamese else giv_forms[:1]
        labels.append("dropped_middle")
    east = person.tradition in EAST_ASIAN and "alias" not in labels
    if east and (profile.p_east_initial or profile.p_first_syllable or profile.p_run_together):
        giv_forms = habits.east_given(giv_forms, given, person.tradition, draw, labels, profile)
    if (
        (profile.p_given_missing or profile.p_given_initial)
        and giv_forms
        and "nickname" not in labels
    ):
        giv_forms = habits.cut_given(giv_forms, draw, labels, profile)
    fam, giv = " ".join(fam_forms), " ".join(giv_forms)
    if draw.chance(profile.p_upper):
        keep = draw.chance(0.5)
        upper_fam, upper_giv = carrier_upper(fam, keep), carrier_upper(giv, keep)
        if (upper_fam, upper_giv) != (fam, giv):
            labels.append("case")
        fam, giv = upper_fam or fam, upper_giv
    before = sorted((fam, giv))
    if profile.p_short_typo:
        fam, giv = habits.short_typo(fam, giv, draw, labels, profile.p_short_typo)
    if east and profile.p_native_order and giv and draw.chance(profile.p_native_order):
        fam, giv = habits.native_order(fam, giv, draw, labels, profile)
    elif giv and draw.chance(TRADITIONS[person.tradition].swap_p):
        fam, giv = giv, fam
        labels.append("order_swap")
    cut = False
    if len(fam) > 20 and draw.chance(profile.p_truncate_family):
        fam, cut = fam[:20].rstrip(), True
    if giv and len(fam) + 1 + len(giv) > 24 and draw.chance(profile.p_truncate_total):
        giv, cut = giv[: max(1, 23 - len(fam))].rstrip(), True
    if cut:
        labels.append("truncation")
    if draw.chance(profile.p_typo):
        if giv and draw.chance(0.4):
            new = _typo(giv, draw)
            changed, giv = new != giv, new
        else:
            new = _typo(fam, draw)
            changed, fam = new != fam, new
        if changed:
            labels.append("typo")
    if "short_typo" in labels and sorted((fam, giv)) == before:  # a typo undid the slip
        labels[:] = [label for label in labels if label not in ("short_typo", "typo")]
    return fam, giv


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def travel_dob(
    dob: date, draw: Draw, labels: list[str], profile: Profile = DEFAULT, on: date = date.max
) -> str:
    if profile.p_dob_slip:
        return habits.slip_dob(dob, on, draw, labels, profile)
    if draw.chance(profile.p_missing_dob):
        labels.append("missing_dob")
        return ""
    if dob.day <= 12 and dob.day != dob.month and draw.chance(profile.p_swap_dob):
        labels.append("day_month_swap")
        return date(dob.year, dob.day, dob.month).isoformat()
    r = draw.random()
    if r < profile.p_year_off:
        year = dob.year + (1 if draw.chance(0.5) else -1)
        labels.append("dob_year_off")
        return (_valid(year, dob.month, dob.day) or date(year, dob.month, 28)).isoformat()
    if r < profile.p_year_off + profile.p_digit_typo:
        digits = dob.strftime("%Y%m%d")
        for _ in range(20):
            i = draw.between(2, 7)
            new = digits[:i] + str(draw.between(0, 9)) + digits[i + 1 :]
            found = _valid(int(new[:4]), int(new[4:6]), int(new[6:]))
            if found and found != dob and not (found.day == dob.month and found.month == dob.day):
                labels.append("dob_digit_typo")
                return found.isoformat()
    return dob.isoformat()


def travel_document(
    person: Person,
    on: date,
    abroad_country: str,
    ledger: Ledger,
    draw: Draw,
    labels: list[str],
    allow_new: bool = True,
    profile: Profile = DEFAULT,
) -> dict[str, str]:
    """doc_type, doc_number, doc_issuing_country and the expiry PAXLST carries."""
    empty = {"doc_type": "", "doc_number": "", "doc_issuing_country": "", "expiry": ""}
    if "missing_dob" not in labels and draw.chance(profile.p_no_document):
        labels.append("no_document")
        return empty
    passport = person.passport(on)
    card = person.id_card()
    expiry: date | None
    if passport is None or (allow_new and draw.chance(profile.p_new_passport)):
        code = passport.country if passport else passport_code(person.nationality or "GBR", draw)
        number, doc_type, country = ledger.passport(code, draw), "P", code
        expiry = on + days(draw.between(3000, 3650))
        labels.append("new_passport")
    elif card is not None and abroad_country in EU and draw.chance(0.3):
        number, doc_type, country, expiry = card.number, "I", card.country, card.expires
    else:
        number, doc_type, country = passport.number, "P", passport.country
        expiry = passport.expires
    if draw.chance(profile.p_ocr):
        misread = ocr_misread(number, draw)
        if misread is not None:
            number = misread
            labels.append("doc_ocr")
    return {
        "doc_type": doc_type,
        "doc_number": number,
        "doc_issuing_country": country,
        "expiry": expiry.isoformat() if expiry else "",
    }


def travel_identity(
    person: Person,
    on: date,
    abroad_country: str,
    ledger: Ledger,
    draw: Draw,
    *,
    registered: bool,
    profile: Profile = DEFAULT,
) -> tuple[dict[str, str], list[str]]:
    """The identity fields of one travel record and the corruption labels applied.
    ``registered`` people may travel on aliases and new passports; hard negatives carry
    their own (unregistered) documents and name."""
    labels: list[str] = []
    family, given = travel_name(person, draw, labels, allow_alias=registered, profile=profile)
    dob = travel_dob(person.dob, draw, labels, profile, on)
    doc = travel_document(
        person, on, abroad_country, ledger, draw, labels, allow_new=registered, profile=profile
    )
    sex = person.sex if not draw.chance(profile.p_unknown_sex) else "U"
    nationality = person.nationality
    if nationality == "DEU" and doc["doc_issuing_country"] == "D" and draw.chance(0.5):
        nationality = "D"
    if not nationality and doc["doc_issuing_country"]:
        nationality = comparable(doc["doc_issuing_country"])
    fields = {
        "family_name": family,
        "given_names": given,
        "date_of_birth": dob,
        "sex": sex,
        "nationality": nationality,
        **doc,
    }
    return fields, labels or ["exact"]
