"""Where a ``back`` or ``next`` value may send someone: only a path on this site.

An open redirect lets a link that starts on the tracker land on another site (a sign-in page
that looks like ours). Browsers are lenient: they drop tabs and line breaks anywhere in a URL,
read ``\\`` as ``/``, and a server or proxy may decode ``%2F`` again, so ``/%09/host`` or
``/%2F/host`` end up as ``//host``, another site. The value is therefore judged in every form
it can take after percent-decoding, and anything doubtful falls back to the default.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000
# Decoding more times than this without reaching a fixed point is itself suspicious.
MAX_DECODINGS = 4


def _decodings(value: str) -> list[str] | None:
    """The value and each further percent-decoding of it, or None if they never settle."""
    forms = [value]
    for _ in range(MAX_DECODINGS):
        decoded = unquote(forms[-1])
        if decoded == forms[-1]:
            return forms
        forms.append(decoded)
    return None


def _has_control(text: str) -> bool:
    """C0/C1 controls, DEL, and invisible format characters (browsers drop some of them)."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def _local(form: str) -> bool:
    """One form is a same-site path: one leading ``/``, no ``\\``, no control, no host."""
    if not form.startswith("/") or form.startswith("//") or "\\" in form:
        return False
    if _has_control(form):
        return False
    try:
        parts = urlsplit(form)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def safe_local_path(value: str | None, default: str = "/") -> str:
    """``value`` if every decoding of it is a path on this site, else ``default``."""
    if not value or len(value) > MAX_LENGTH:
        return default
    forms = _decodings(value)
    if forms is None or not all(_local(form) for form in forms):
        return default
    return value
