"""How a carrier's passenger record of a known person differs from the register.

Each step mirrors a real source of error in API data (name keyed from the passport's machine
zone, fields swapped, long names cut, OCR misreads) and records its label, so the matcher's
recall can be measured per kind of corruption. Frequencies are the brief's.
"""

from __future__ import annotations

from datetime import date

from tracker.synthetic.documents import EU, Ledger, comparable, ocr_misread, passport_code
from tracker.synthetic.names import (
    TRADITIONS,
    Part,
    carrier_upper,
    fold,
    is_blocked,
    nicknames_for,
    plain,
)
from tracker.synthetic.people import Person
from tracker.synthetic.rand import Draw, days

P_ALIAS = 0.25  # of those with a registered alias or previous name: travels under it
P_NICKNAME = 0.2  # of those with an English given name that has one: books under a nickname
P_UPPER = 0.95
P_DROP_MIDDLE = 0.45  # of records with middle names: about 20% of all records
P_TRUNCATE_FAMILY = 0.8  # when the surname is longer than 20 characters
P_TRUNCATE_TOTAL = 0.6  # when surname + given names are longer than 24 characters
P_TYPO = 0.04
P_MISSING_DOB = 0.03
P_SWAP_DOB = 0.075  # of the dates that can be swapped (day <= 12): about 3% overall
P_YEAR_OFF = 0.01
P_DIGIT_TYPO = 0.01
P_NO_DOCUMENT = 0.04
P_NEW_PASSPORT = 0.07  # plus travellers whose passport the register lacks: ~10% in all
P_OCR = 0.03
P_UNKNOWN_SEX = 0.02
ENGLISH = ("british", "irish", "american")
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


def _choose_parts(person: Person, draw: Draw, labels: list[str],
                  allow_alias: bool) -> tuple[list[Part], list[Part]]:  # fmt: skip
    family, given = person.family, person.given
    if not allow_alias:
        return family, given
    usable = [a for a in person.aliases if a.kind in ("alias", "previous_name")]
    if usable and draw.chance(P_ALIAS):
        alias = draw.pick(usable)
        labels.append("alias")
        return alias.family, alias.given
    if person.tradition in ENGLISH and draw.chance(P_NICKNAME):
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


def travel_name(person: Person, draw: Draw, labels: list[str],
                allow_alias: bool = True) -> tuple[str, str]:  # fmt: skip
    """(family_name, given_names) as a carrier sends them."""
    family, given = _choose_parts(person, draw, labels, allow_alias)
    system = _system(draw)
    fam_forms = [_form(p, system, draw) for p in family]
    giv_forms = [_form(p, system, draw) for p in given]
    if (fold(" ".join(fam_forms)) != fold(" ".join(p.text for p in family))
            or fold(" ".join(giv_forms)) != fold(" ".join(p.text for p in given))):  # fmt: skip
        labels.append("transliteration")
    if len(giv_forms) >= 2 and draw.chance(P_DROP_MIDDLE):
        vietnamese = TRADITIONS[person.tradition].script == "vietnamese"
        giv_forms = giv_forms[-1:] if vietnamese else giv_forms[:1]
        labels.append("dropped_middle")
    fam, giv = " ".join(fam_forms), " ".join(giv_forms)
    if draw.chance(P_UPPER):
        keep = draw.chance(0.5)
        upper_fam, upper_giv = carrier_upper(fam, keep), carrier_upper(giv, keep)
        if (upper_fam, upper_giv) != (fam, giv):
            labels.append("case")
        fam, giv = upper_fam or fam, upper_giv
    if giv and draw.chance(TRADITIONS[person.tradition].swap_p):
        fam, giv = giv, fam
        labels.append("order_swap")
    cut = False
    if len(fam) > 20 and draw.chance(P_TRUNCATE_FAMILY):
        fam, cut = fam[:20].rstrip(), True
    if giv and len(fam) + 1 + len(giv) > 24 and draw.chance(P_TRUNCATE_TOTAL):
        giv, cut = giv[: max(1, 23 - len(fam))].rstrip(), True
    if cut:
        labels.append("truncation")
    if draw.chance(P_TYPO):
        if giv and draw.chance(0.4):
            new = _typo(giv, draw)
            changed, giv = new != giv, new
        else:
            new = _typo(fam, draw)
            changed, fam = new != fam, new
        if changed:
            labels.append("typo")
    return fam, giv


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def travel_dob(dob: date, draw: Draw, labels: list[str]) -> str:
    if draw.chance(P_MISSING_DOB):
        labels.append("missing_dob")
        return ""
    if dob.day <= 12 and dob.day != dob.month and draw.chance(P_SWAP_DOB):
        labels.append("day_month_swap")
        return date(dob.year, dob.day, dob.month).isoformat()
    r = draw.random()
    if r < P_YEAR_OFF:
        year = dob.year + (1 if draw.chance(0.5) else -1)
        labels.append("dob_year_off")
        return (_valid(year, dob.month, dob.day) or date(year, dob.month, 28)).isoformat()
    if r < P_YEAR_OFF + P_DIGIT_TYPO:
        digits = dob.strftime("%Y%m%d")
        for _ in range(20):
            i = draw.between(2, 7)
            new = digits[:i] + str(draw.between(0, 9)) + digits[i + 1 :]
            found = _valid(int(new[:4]), int(new[4:6]), int(new[6:]))
            if found and found != dob and not (found.day == dob.month and found.month == dob.day):
                labels.append("dob_digit_typo")
                return found.isoformat()
    return dob.isoformat()


def travel_document(person: Person, on: date, abroad_country: str, ledger: Ledger, draw: Draw,
                    labels: list[str], allow_new: bool = True) -> dict[str, str]:  # fmt: skip
    """doc_type, doc_number, doc_issuing_country and the expiry PAXLST carries."""
    empty = {"doc_type": "", "doc_number": "", "doc_issuing_country": "", "expiry": ""}
    if "missing_dob" not in labels and draw.chance(P_NO_DOCUMENT):
        labels.append("no_document")
        return empty
    passport = person.passport(on)
    card = person.id_card()
    if passport is None or (allow_new and draw.chance(P_NEW_PASSPORT)):
        code = passport.country if passport else passport_code(person.nationality or "GBR", draw)
        number, doc_type, country = ledger.passport(code, draw), "P", code
        expiry = on + days(draw.between(3000, 3650))
        labels.append("new_passport")
    elif card is not None and abroad_country in EU and draw.chance(0.3):
        number, doc_type, country, expiry = card.number, "I", card.country, card.expires
    else:
        number, doc_type, country = passport.number, "P", passport.country
        expiry = passport.expires
    if draw.chance(P_OCR):
        misread = ocr_misread(number, draw)
        if misread is not None:
            number = misread
            labels.append("doc_ocr")
    return {"doc_type": doc_type, "doc_number": number, "doc_issuing_country": country,
            "expiry": expiry.isoformat() if expiry else ""}  # fmt: skip


def travel_identity(person: Person, on: date, abroad_country: str, ledger: Ledger, draw: Draw,
                    *, registered: bool) -> tuple[dict[str, str], list[str]]:  # fmt: skip
    """The identity fields of one travel record and the corruption labels applied.
    ``registered`` people may travel on aliases and new passports; hard negatives carry
    their own (unregistered) documents and name."""
    labels: list[str] = []
    family, given = travel_name(person, draw, labels, allow_alias=registered)
    dob = travel_dob(person.dob, draw, labels)
    doc = travel_document(person, on, abroad_country, ledger, draw, labels, allow_new=registered)
    sex = person.sex if not draw.chance(P_UNKNOWN_SEX) else "U"
    nationality = person.nationality
    if nationality == "DEU" and doc["doc_issuing_country"] == "D" and draw.chance(0.5):
        nationality = "D"
    if not nationality and doc["doc_issuing_country"]:
        nationality = comparable(doc["doc_issuing_country"])
    fields = {"family_name": family, "given_names": given, "date_of_birth": dob, "sex": sex,
              "nationality": nationality, **doc}  # fmt: skip
    return fields, labels or ["exact"]
