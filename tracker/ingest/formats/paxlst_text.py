"""A PAXLST file's bytes to text, in the character set its UNB header declares, with each byte
outside that set repaired and warned about rather than the file refused (issue 18)."""

from __future__ import annotations

import re

# The character set named in UNB decides how the bytes are read (UN/EDIFACT syntax level A and
# B are ASCII subsets, C is ISO 8859-1, W and Y are UTF-8; the data contract 1.1).
SYNTAX_ENCODINGS = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}
# A byte the declared set cannot hold is read as Windows-1252, the likeliest origin of a stray
# byte in a carrier's file, and warned about: one byte never costs a whole flight's list.
FALLBACK_ENCODING = "cp1252"
_UNB_SYNTAX = re.compile(rb"UNB.(UNO[A-Z])")


def decode_interchange(data: bytes) -> tuple[str, list[str]]:
    """The file's text in the character set its UNB header declares (UTF-8 if none), and a
    warning for bytes outside it, each read through the fallback instead of refusing the file.
    Under UNOA/UNOB, text that is valid UTF-8 is read as UTF-8: senders put UTF-8 names under
    the ASCII levels so often that reading them otherwise would garble every accent."""
    found = _UNB_SYNTAX.search(data[:512])
    declared = found.group(1).decode() if found else "no syntax identifier"
    encoding = SYNTAX_ENCODINGS.get(declared, "utf-8")
    if encoding == "ascii":
        encoding = "utf-8"
    encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        first = exc.start
    else:
        if encoding.startswith(("latin", "iso8859")):
            return _c1_as_windows_1252(text, declared, data)
        return text, []
    # Undecodable bytes come back as lone surrogates (U+DC80..U+DCFF), which valid text never
    # holds; each is then read as the fallback character set.
    escaped = data.decode(encoding, errors="surrogateescape")
    count = len(_ESCAPED_BYTE.findall(escaped))
    text = _ESCAPED_BYTE.sub(
        lambda m: bytes([ord(m.group()) - 0xDC00]).decode(FALLBACK_ENCODING, errors="replace"),
        escaped,
    )
    warning = (
        f"{count:,} byte(s) that are not {declared} text as UNB declares (the first, "
        f"0x{data[first]:02X}, at offset {first:,}) read as {FALLBACK_ENCODING.upper()}"
        "; the travellers loaded"
    )
    return text, [warning]


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_C1_CONTROL = re.compile("[\x80-\x9f]")


def _c1_as_windows_1252(text: str, declared: str, data: bytes) -> tuple[str, list[str]]:
    """ISO 8859 sets hold no printable character at 0x80-0x9F (the C1 controls); a byte there
    in a name is a Windows-1252 character (an apostrophe, a dash, an accent) sent under UNOC."""
    found = _C1_CONTROL.search(text)
    if found is None:
        return text, []
    count = len(_C1_CONTROL.findall(text))
    first = data.find(bytes([ord(found.group())]))
    repaired = _C1_CONTROL.sub(
        lambda m: bytes([ord(m.group())]).decode(FALLBACK_ENCODING, errors="replace"), text
    )
    return repaired, [
        f"{count:,} byte(s) that are control characters in {declared} (the first, "
        f"0x{ord(found.group()):02X}, at offset {first:,}) read as "
        f"{FALLBACK_ENCODING.upper()}; the travellers loaded"
    ]
