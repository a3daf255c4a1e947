"""Does a piece of public text give away a restricted fact, however it is written?

The feed publishes only text a supervisor wrote for the public; this screen is the second
line behind that rule. Restricted are the register reference, address, postcode, date of
birth, documents, offence and risk level (data contract, "Most-wanted feed"; domain.md s.4:
no conviction details). Exact-string matching missed paraphrases, so the text is first
normalised to tokens (transliterated to ASCII, case-folded, punctuation out, numbers and
month names read as numbers) and each fact is looked for in every way people write it.
Pure functions only: no database, no logging; the callers decide what a finding means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import permutations

from anyascii import anyascii

from tracker.reports import feed_vocabulary as vocab

NUM, MONTH, WORD, SUFFIX = "num", "month", "word", "suffix"
HOUSE_NUMBER_WINDOW = 4  # tokens between a house number and its street's name, at most
STREET_TYPE_WINDOW = 2  # tokens between a street's name and a street type, at most
MIN_COMPACT_LENGTH = 5  # shorter reference/document values would match ordinary text
MIN_REFERENCE_DIGITS = 4  # a register reference's number, found after a reference word
MIN_BARE_REFERENCE_DIGITS = 6  # ... and found anywhere, with no such word before it
MIN_CONTENT_WORD = 4  # an offence category's words shorter than this are not screened alone
_TOKEN = re.compile(r"[0-9]+|[a-z]+")


@dataclass(frozen=True)
class Token:
    """One word or number of the text: ``text`` as ASCII, ``value`` as compared."""

    text: str
    value: str
    kind: str
    start: int  # span in the original text, to quote it back to the supervisor
    end: int


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


# --- normalisation ----------------------------------------------------------------------------


def _ascii_with_origins(text: str) -> tuple[str, list[int]]:
    """The text in lower-case ASCII, and for each of its characters the original's index.

    One character at a time, so invisible characters and combining marks vanish in place
    ("ra\u200bpe" reads "rape") and every token can be traced back to what was typed.
    """
    out: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for ascii_char in anyascii(char).lower():
            out.append(ascii_char)
            origins.append(index)
    return "".join(out), origins


def _word_value(word: str) -> tuple[str, str]:
    if word in vocab.MONTHS:
        return str(vocab.MONTHS[word]), MONTH
    if word in vocab.NUMBER_WORDS:
        return str(vocab.NUMBER_WORDS[word]), NUM
    if word in vocab.TENS_WORDS:
        return str(vocab.TENS_WORDS[word]), NUM
    return word, WORD


def _joined_tens(tokens: list[Token]) -> list[Token]:
    """ "twenty first", "eighty-one" -> one number, as they are read."""
    joined: list[Token] = []
    for token in tokens:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.text in vocab.TENS_WORDS
            and token.kind == NUM
            and token.text in vocab.NUMBER_WORDS
            and 0 < int(token.value) < 10
        ):
            value = str(int(previous.value) + int(token.value))
            joined[-1] = Token(previous.text + token.text, value, NUM, previous.start, token.end)
        else:
            joined.append(token)
    return joined


def tokenize(text: str) -> list[Token]:
    """Words and numbers, normalised: numbers without leading zeros, months as numbers."""
    ascii_text, origins = _ascii_with_origins(text)
    tokens: list[Token] = []
    last_end = -1
    for match in _TOKEN.finditer(ascii_text):
        raw = match.group()
        start, end = origins[match.start()], origins[match.end() - 1] + 1
        after_number = bool(tokens) and tokens[-1].kind == NUM and last_end == match.start()
        if raw.isdigit():
            value, kind = str(int(raw)), NUM
        elif after_number and raw in vocab.ORDINAL_SUFFIXES:
            value, kind = raw, SUFFIX  # the "th" of "14th"
        else:
            value, kind = _word_value(raw)
        tokens.append(Token(raw, value, kind, start, end))
        last_end = match.end()
    return _joined_tens(tokens)


def _readable(tokens: list[Token]) -> list[Token]:
    """Tokens as a reader takes them: without ordinal suffixes."""
    return [t for t in tokens if t.kind != SUFFIX]


def compact(text: str) -> str:
    """Letters and digits only, as ASCII: how a number is compared whatever its separators."""
    return "".join(t.text for t in tokenize(text))


def _quote(text: str, tokens: list[Token], first: int, last: int) -> str:
    return text[tokens[first].start : tokens[last].end]


# --- finding sequences ------------------------------------------------------------------------

# One element of a pattern: the normalised value and the kinds of token allowed to carry it.
Element = tuple[str, frozenset[str]]
ANY_NUMBER = frozenset({NUM})
ANY_KIND = frozenset({NUM, MONTH, WORD})


def _find_sequence(tokens: list[Token], pattern: tuple[Element, ...]) -> tuple[int, int] | None:
    """First place where consecutive tokens match the pattern, as (first, last) indices."""
    size = len(pattern)
    for i in range(len(tokens) - size + 1):
        if all(
            tokens[i + k].value == value and tokens[i + k].kind in kinds
            for k, (value, kinds) in enumerate(pattern)
        ):
            return i, i + size - 1
    return None


def _find_compact(tokens: list[Token], needle: str) -> tuple[int, int] | None:
    """Where consecutive tokens, run together, spell ``needle`` exactly (separators ignored)."""
    for i in range(len(tokens)):
        joined = ""
        for j in range(i, len(tokens)):
            joined += tokens[j].text
            if joined == needle:
                return i, j
            if not needle.startswith(joined):
                break
    return None


def _words_pattern(phrase: str) -> tuple[Element, ...]:
    return tuple((t.value, ANY_KIND) for t in _readable(tokenize(phrase)))


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
    parts = [_readable(tokenize(p)) for p in address_line.split(",")]
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
    words = {t.text for t in _readable(tokenize(category or "")) if t.kind == WORD}
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
        offence_phrase=_words_pattern(facts.offence_category or ""),
        offence_words=_offence_words(facts.offence_category),
    )


# --- the checks -------------------------------------------------------------------------------

Span = tuple[int, int]
_OFFENCE_PATTERNS = tuple(_words_pattern(p) for p in vocab.OFFENCE_PHRASES)
_RISK_PATTERNS = tuple(_words_pattern(p) for p in vocab.RISK_PHRASES)


def _reference(tokens: list[Token], c: _Compiled) -> Span | None:
    """The whole reference, its zero-padded number, or its number where it reads as one: long
    enough to be no year or count, or after a reference word ("ref 2019", "VR 2019")."""
    found = _find_compact(tokens, c.reference) if c.reference else None
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
    return next((s for d in c.documents if (s := _find_compact(tokens, d))), None)


def _postcode(tokens: list[Token], c: _Compiled) -> Span | None:
    return _find_compact(tokens, c.postcode) if c.postcode else None


def _birth_date(tokens: list[Token], c: _Compiled) -> Span | None:
    for i, token in enumerate(tokens):
        if token.kind == NUM and token.text in c.compact_dates:
            return i, i
    readable = [
        i for i, t in enumerate(tokens) if t.kind != SUFFIX and t.text not in vocab.DATE_FILLERS
    ]
    view = [tokens[i] for i in readable]
    for pattern in c.dates:
        found = _find_sequence(view, pattern)
        if found:
            return readable[found[0]], readable[found[1]]
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
    phrase = _find_sequence(tokens, c.offence_phrase) if c.offence_phrase else None
    return phrase or _word_in(tokens, c.offence_words)


def _offence_wording(tokens: list[Token], c: _Compiled) -> Span | None:
    found = next((s for p in _OFFENCE_PATTERNS if (s := _find_sequence(tokens, p))), None)
    return found or _word_in(tokens, vocab.OFFENCE_WORDS)


def _risk_wording(tokens: list[Token], c: _Compiled) -> Span | None:
    found = next((s for p in _RISK_PATTERNS if (s := _find_sequence(tokens, p))), None)
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
    readable = _readable(tokens)
    compiled = _compiled(facts)
    for fact, check, reads in _CHECKS:
        seen = readable if reads else tokens
        found = check(seen, compiled)
        if found is not None:
            return Finding(fact, _quote(text, seen, *found))
    return None
