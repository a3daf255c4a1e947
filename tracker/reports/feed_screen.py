"""Does a piece of public text give away a restricted fact, however it is written?

The feed publishes only text a supervisor wrote for the public; this screen is the second
line behind that rule. Restricted are the register reference, address, postcode, date of
birth, documents, offence and risk level (data contract, "Most-wanted feed"; domain.md s.4:
no conviction details). The text is read as tokens (``feed_tokens``) and each fact is looked
for in every way people write it. Pure functions only: no database, no logging; the callers
decide what a finding means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import permutations

from tracker.reports import feed_vocabulary as vocab
from tracker.reports.feed_tokens import (
    ANY_NUMBER,
    MONTH,
    NUM,
    SUFFIX,
    WORD,
    Element,
    Token,
    compact,
    find_compact,
    find_sequence,
    quote,
    readable,
    tokenize,
    words_pattern,
)

HOUSE_NUMBER_WINDOW = 4  # tokens between a house number and its street's name, at most
STREET_TYPE_WINDOW = 2  # tokens between a street's name and a street type, at most
MIN_COMPACT_LENGTH = 5  # shorter reference/document values would match ordinary text
MIN_REFERENCE_DIGITS = 4  # a register reference's number, found after a reference word
MIN_BARE_REFERENCE_DIGITS = 6  # ... and found anywhere, with no such word before it
MIN_CONTENT_WORD = 4  # an offence category's words shorter than this are not screened alone


@dataclass(frozen=True)
class Finding:
    """What the text gives away and how it wrote it (for the supervisor, never a log)."""

    fact: str
    written: str

    def refusal(self, field: str) -> str:
        return f"{field} refused: it contains {self.fact} (written {self.written!r})"


@dataclass(frozen=True)
class RestrictedFacts:
    """The facts about one offender that must never reach the public."""

    register_reference: str
    date_of_birth: date | None = None
    address_line: str | None = None
    postcode: str | None = None
    document_numbers: tuple[str, ...] = ()
    offence_category: str | None = None
    risk_level: str | None = None


# --- the facts, compiled once per offender ----------------------------------------------------


def date_patterns(born: date) -> tuple[tuple[Element, ...], ...]:
    """Every way of writing the date that gives it away: whole in any order, with a 4-digit,
    2-digit or spoken ("nineteen eighty-one") year; or the day or the year with the month
    written as a word ("14 March", "March 1981")."""
    day = (str(born.day), ANY_NUMBER)
    month = (str(born.month), frozenset({NUM, MONTH}))
    month_word = (str(born.month), frozenset({MONTH}))
    short_year = (str(born.year % 100), ANY_NUMBER)
    century = (str(born.year // 100), ANY_NUMBER)
    years: list[tuple[Element, ...]] = [
        ((str(born.year), ANY_NUMBER),),
        (short_year,),
        (century, short_year),
    ]
    patterns: list[tuple[Element, ...]] = []
    for year in years:
        for order in permutations(("d", "m", "y")):
            parts = {"d": (day,), "m": (month,), "y": year}
            patterns.append(tuple(e for part in order for e in parts[part]))
        patterns.append((month_word, *year))
    patterns += [(day, month_word), (month_word, day)]
    return tuple(patterns)


def compact_dates(born: date) -> frozenset[str]:
    """The date written as one run of digits: 14031981, 19810314, 140381, ..."""
    formats = ("%d%m%Y", "%m%d%Y", "%Y%m%d", "%d%m%y", "%m%d%y", "%y%m%d")
    return frozenset(born.strftime(f) for f in formats)


def _street_part(address_line: str) -> list[Token]:
    """The part of the address line naming the street (not the town after a comma)."""
    parts = [readable(tokenize(p)) for p in address_line.split(",")]
    for part in parts:
        if any(t.text in vocab.STREET_TYPES for t in part):
            return part
    for part in parts:
        if any(t.kind == NUM for t in part):
            return part
    return parts[0] if parts else []


def address_parts(address_line: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """(house numbers, words of the street's name): "Flat 3, 12 Mill Lane" -> {3, 12}, {mill}."""
    if not address_line:
        return frozenset(), frozenset()
    numbers = frozenset(t.value for t in tokenize(address_line) if t.kind == NUM)
    street = _street_part(address_line)
    types = [i for i, t in enumerate(street) if t.text in vocab.STREET_TYPES]
    name = street[: types[-1]] if types else street  # "Park Road": park names, road types
    words = frozenset(
        t.text
        for t in name
        if t.kind != NUM and len(t.text) >= 3 and t.text not in vocab.ADDRESS_STOP_WORDS
    )
    return numbers, words


@dataclass(frozen=True)
class _Compiled:
    reference: str
    reference_number: str | None
    reference_padded: str | None
    reference_prefix: str | None
    documents: tuple[str, ...]
    postcode: str
    dates: tuple[tuple[Element, ...], ...]
    compact_dates: frozenset[str]
    house_numbers: frozenset[str]
    street_words: frozenset[str]
    offence_phrase: tuple[Element, ...]
    offence_words: frozenset[str]


def _offence_words(category: str | None) -> frozenset[str]:
    words = {t.text for t in readable(tokenize(category or "")) if t.kind == WORD}
    return frozenset(
        w for w in words if len(w) >= MIN_CONTENT_WORD and w not in vocab.OFFENCE_STOP_WORDS
    )


@lru_cache(maxsize=256)
def _compiled(facts: RestrictedFacts) -> _Compiled:
    reference = compact(facts.register_reference)
    padded = "".join(re.findall(r"[0-9]+", reference))
    digits = padded.lstrip("0")
    prefix = "".join(re.findall(r"[a-z]+", reference))
    documents = tuple(
        c for c in (compact(d) for d in facts.document_numbers) if len(c) >= MIN_COMPACT_LENGTH
    )
    born = facts.date_of_birth
    numbers, street = address_parts(facts.address_line)
    return _Compiled(
        reference=reference if len(reference) >= MIN_COMPACT_LENGTH else "",
        reference_number=digits if len(digits) >= MIN_REFERENCE_DIGITS else None,
        reference_padded=padded if padded != digits and len(padded) >= MIN_COMPACT_LENGTH else None,
        reference_prefix=prefix or None,
        documents=documents,
        postcode=compact(facts.postcode or ""),
        dates=date_patterns(born) if born else (),
        compact_dates=compact_dates(born) if born else frozenset(),
        house_numbers=numbers,
        street_words=street,
        offence_phrase=words_pattern(facts.offence_category or ""),
        offence_words=_offence_words(facts.offence_category),
    )


# --- the checks -------------------------------------------------------------------------------

Span = tuple[int, int]
_OFFENCE_PATTERNS = tuple(words_pattern(p) for p in vocab.OFFENCE_PHRASES)
_RISK_PATTERNS = tuple(words_pattern(p) for p in vocab.RISK_PHRASES)


def _reference(tokens: list[Token], c: _Compiled) -> Span | None:
    """The whole reference, its zero-padded number, or its number where it reads as one: long
    enough to be no year or count, or after a reference word ("ref 2019", "VR 2019")."""
    found = find_compact(tokens, c.reference) if c.reference else None
    if found is not None or not c.reference_number:
        return found
    for i, token in enumerate(tokens):
        if token.kind != NUM:
            continue
        if c.reference_padded and token.text == c.reference_padded:
            return i, i
        if token.value != c.reference_number:
            continue
        if len(c.reference_number) >= MIN_BARE_REFERENCE_DIGITS:
            return i, i
        for j in range(max(0, i - 2), i):
            if tokens[j].text in vocab.REFERENCE_WORDS or tokens[j].text == c.reference_prefix:
                return j, i
    return None


def _document(tokens: list[Token], c: _Compiled) -> Span | None:
    return next((s for d in c.documents if (s := find_compact(tokens, d))), None)


def _postcode(tokens: list[Token], c: _Compiled) -> Span | None:
    return find_compact(tokens, c.postcode) if c.postcode else None


def _birth_date(tokens: list[Token], c: _Compiled) -> Span | None:
    for i, token in enumerate(tokens):
        if token.kind == NUM and token.text in c.compact_dates:
            return i, i
    kept = [
        i for i, t in enumerate(tokens) if t.kind != SUFFIX and t.text not in vocab.DATE_FILLERS
    ]
    view = [tokens[i] for i in kept]
    for pattern in c.dates:
        found = find_sequence(view, pattern)
        if found:
            return kept[found[0]], kept[found[1]]
    return None


def _house_and_street(tokens: list[Token], c: _Compiled) -> Span | None:
    """A house number near a word of the street's name, in either order."""
    for i, token in enumerate(tokens):
        if token.kind == NUM and token.value in c.house_numbers:
            low, high = max(0, i - HOUSE_NUMBER_WINDOW), i + HOUSE_NUMBER_WINDOW + 1
            for j in range(low, min(high, len(tokens))):
                if tokens[j].text in c.street_words:
                    return min(i, j), max(i, j)
    return None


def _street(tokens: list[Token], c: _Compiled) -> Span | None:
    """The street's name followed by a street type ("Mill Lane", "Mill Ln", "Mill Road")."""
    for i, token in enumerate(tokens):
        if token.text in c.street_words:
            for j in range(i + 1, min(i + 1 + STREET_TYPE_WINDOW, len(tokens))):
                if tokens[j].text in vocab.STREET_TYPES:
                    return i, j
    return None


def _word_in(tokens: list[Token], words: frozenset[str]) -> Span | None:
    for i, token in enumerate(tokens):
        if token.kind != NUM and (token.text in words or token.text.rstrip("s") in words):
            return i, i
    return None


def _own_offence(tokens: list[Token], c: _Compiled) -> Span | None:
    phrase = find_sequence(tokens, c.offence_phrase) if c.offence_phrase else None
    return phrase or _word_in(tokens, c.offence_words)


def _offence_wording(tokens: list[Token], c: _Compiled) -> Span | None:
    found = next((s for p in _OFFENCE_PATTERNS if (s := find_sequence(tokens, p))), None)
    return found or _word_in(tokens, vocab.OFFENCE_WORDS)


def _risk_wording(tokens: list[Token], c: _Compiled) -> Span | None:
    found = next((s for p in _RISK_PATTERNS if (s := find_sequence(tokens, p))), None)
    found = found or _word_in(tokens, vocab.RISK_WORDS)
    if found is None:
        return None
    first = found[0]  # quote "very high risk", not just "risk"
    while first > 0 and tokens[first - 1].text in vocab.RISK_LEVEL_WORDS:
        first -= 1
    return first, found[1]


# (what the finding says it gives away, the check, whether it reads the text without suffixes)
_CHECKS = (
    ("the register reference", _reference, False),
    ("a document number", _document, False),
    ("the postcode", _postcode, False),
    ("the date of birth", _birth_date, False),
    ("the address (house number and street)", _house_and_street, True),
    ("the street of the address", _street, True),
    ("the offence", _own_offence, True),
    ("wording about an offence", _offence_wording, True),
    ("wording about the risk assessment", _risk_wording, True),
)


def screen(text: str | None, facts: RestrictedFacts) -> Finding | None:
    """The first restricted fact the text gives away, or None when it gives none away."""
    if not text or not text.strip():
        return None
    tokens = tokenize(text)
    suffixless = readable(tokens)
    compiled = _compiled(facts)
    for fact, check, reads in _CHECKS:
        seen = suffixless if reads else tokens
        found = check(seen, compiled)
        if found is not None:
            return Finding(fact, quote(text, seen, *found))
    return None
