"""Masking what parents type about their child before anything reaches a log."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A BSN has nine digits, often written in groups ("123 456 789", "1234.56.789").
_BSN = re.compile(r"(?<!\d)(?:\d[\s.-]?){8}\d(?!\d)")
_PHONE = re.compile(r"(?<![\w])(?:\+31|0031|0)[\s-]?(?:\d[\s-]?){8}\d(?!\d)")


def mask_personal_data(text: str) -> str:
    """Replace e-mail addresses, phone numbers and BSN-like numbers by placeholders.

    Usage:
        >>> mask_personal_data("BSN 123456782, bel 06-12345678")
        'BSN [nummer], bel [telefoon]'
    """
    text = _EMAIL.sub("[e-mail]", text)
    text = _PHONE.sub("[telefoon]", text)
    return _BSN.sub("[nummer]", text)
