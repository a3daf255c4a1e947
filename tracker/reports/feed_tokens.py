"""Public text as a reader takes it: words and numbers normalised to tokens (transliterated
to ASCII, case-folded, punctuation out, numbers and month names read as numbers), each traced
back to what was typed, and the ways to find a sequence of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from anyascii import anyascii

from tracker.reports import feed_vocabulary as vocab

NUM, MONTH, WORD, SUFFIX = "num", "month", "word", "suffix"
_TOKEN = re.compile(r"[0-9]+|[a-z]+")


@dataclass(frozen=True)
class Token:
    """One word or number of the text: ``text`` as ASCII, ``value`` as compared."""

    text: str
    value: str
    kind: str
    start: int  # span in the original text, to quote it back to the supervisor
    end: int


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


def readable(tokens: list[Token]) -> list[Token]:
    """Tokens as a reader takes them: without ordinal suffixes."""
    return [t for t in tokens if t.kind != SUFFIX]


def compact(text: str) -> str:
    """Letters and digits only, as ASCII: how a number is compared whatever its separators."""
    return "".join(t.text for t in tokenize(text))


def quote(text: str, tokens: list[Token], first: int, last: int) -> str:
    return text[tokens[first].start : tokens[last].end]


# --- finding sequences ------------------------------------------------------------------------

# One element of a pattern: the normalised value and the kinds of token allowed to carry it.
Element = tuple[str, frozenset[str]]
ANY_NUMBER = frozenset({NUM})
ANY_KIND = frozenset({NUM, MONTH, WORD})


def find_sequence(tokens: list[Token], pattern: tuple[Element, ...]) -> tuple[int, int] | None:
    """First place where consecutive tokens match the pattern, as (first, last) indices."""
    size = len(pattern)
    for i in range(len(tokens) - size + 1):
        if all(
            tokens[i + k].value == value and tokens[i + k].kind in kinds
            for k, (value, kinds) in enumerate(pattern)
        ):
            return i, i + size - 1
    return None


def find_compact(tokens: list[Token], needle: str) -> tuple[int, int] | None:
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


def words_pattern(phrase: str) -> tuple[Element, ...]:
    return tuple((t.value, ANY_KIND) for t in readable(tokenize(phrase)))
