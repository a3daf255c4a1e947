"""The words the public feed's screen looks for, as data (``tracker.reports.feed_screen``).

Lists are of whole words in lower-case ASCII, matched token by token after the screen's
normalisation, so every inflection that must be caught is written out: no stemming, which
would also catch harmless words ("well-groomed" is a description, "grooming" is not).
Phrases are space-separated words that must appear next to each other.
"""

from __future__ import annotations

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
TENS_WORDS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
# Skipped between the parts of a date: "the 14th of March", "March the 14th".
DATE_FILLERS = frozenset({"of", "the"})

# Words that make a short bare number a reference when one of them is among the two words
# before it ("ref 2019", "register no. 2019"); without one, a number of few digits is a year or
# a count, and ordinary text is full of those ("the number 2019 tattooed").
REFERENCE_WORDS = frozenset({"ref", "reference", "register", "registration", "case", "file",
                             "record"})

# Street types and their usual abbreviations (Royal Mail and common usage).
STREET_TYPES = frozenset({
    "street", "st", "road", "rd", "lane", "ln", "avenue", "ave", "av", "close", "cl",
    "drive", "dr", "court", "ct", "crescent", "cres", "place", "pl", "terrace", "terr", "ter",
    "gardens", "gdns", "grove", "gr", "square", "sq", "way", "walk", "row", "hill", "park",
    "mews", "rise", "view", "green", "parade", "pde", "boulevard", "blvd", "parkway", "wharf",
    "quay", "yard", "croft", "fold", "gate", "vale", "wynd", "mount", "circus", "embankment",
    "approach", "broadway", "chase", "path", "highway",
})  # fmt: skip
# Words of an address line that are not part of a street's name.
ADDRESS_STOP_WORDS = frozenset({
    "flat", "apartment", "apt", "unit", "house", "no", "number", "the", "of", "and", "at",
    "room", "floor", "block", "building", "care", "c", "o",
})  # fmt: skip

# What an offence is called, in the words the public would read it in.
OFFENCE_WORDS = frozenset({
    "sexual", "sexually", "offence", "offences", "offense", "offenses", "offender",
    "offenders", "offending", "convicted", "conviction", "convictions", "rape", "raped",
    "rapes", "raping", "rapist", "rapists", "paedophile", "paedophiles", "pedophile",
    "pedophiles", "paedophilia", "pedophilia", "paedo", "pedo", "grooming", "groomer",
    "groomers", "abuse", "abused", "abuser", "abusers", "abuses", "abusing", "molest",
    "molested", "molester", "molesters", "molesting", "molestation", "indecent", "indecently",
    "indecency", "voyeur", "voyeurs", "voyeurism", "incest", "trafficking", "trafficked",
    "assault", "assaults", "assaulted", "assaulting", "murder", "murdered", "murderer",
    "manslaughter", "kidnap", "kidnapped", "kidnapping", "abduction", "abducted", "stalking",
    "stalker", "harassment", "upskirting", "sextortion", "csam", "porn", "pornography",
    "pornographic", "underage", "exhibitionism", "flasher", "sentenced", "imprisoned",
    "jailed", "custodial",
})  # fmt: skip
OFFENCE_PHRASES = (
    "sex offender", "sex offenders", "sex offence", "sex offences", "sex attack",
    "sex attacks", "sex crime", "sex crimes", "child sex", "child abuse", "against children",
    "against a child", "against minors", "images of children", "indecent images",
    "indecent exposure", "exposed himself", "exposed herself", "exposing himself",
    "exposing herself", "under age",
)  # fmt: skip
# Words of an offender's own offence category too common to refuse on their own.
OFFENCE_STOP_WORDS = frozenset({
    "against", "with", "from", "into", "upon", "under", "over", "involving", "other",
    "others", "their", "relating", "related", "including", "offences", "offence", "and",
    "the", "for", "not", "without", "person", "persons", "people", "having", "making",
    "taking", "being",
})  # fmt: skip

# How an internal risk assessment is put into words.
RISK_WORDS = frozenset({
    "risk", "risks", "risky", "mappa", "dangerous", "danger", "threat", "hazard",
})  # fmt: skip
RISK_LEVEL_WORDS = frozenset({"very", "high", "medium", "low", "higher", "highest"})
RISK_PHRASES = ("tier 1", "tier 2", "tier 3", "category 1", "category 2", "category 3",
                "level 1", "level 2", "level 3", "level 4")  # fmt: skip
