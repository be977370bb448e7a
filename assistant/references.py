"""Legal references and parties named in a passage: what the answer lists besides its sentences.

Usage:
    extract_rules("volgens artikel 9 lid 9 WPO")      # ('artikel 9 lid 9 WPO',)
    extract_parties("de gemeente en het zorgkantoor")   # ('gemeente', 'zorgkantoor')
"""

from __future__ import annotations

import re

_LAW_NAMES = (
    r"Leerplichtwet(?: 1969)?|Jeugdwet|Wet langdurige zorg|Zorgverzekeringswet|"
    r"Wet maatschappelijke ondersteuning(?: 2015)?|Wmo(?: 2015)?|Wlz|Zvw|"
    r"Wet (?:op )?(?:het )?passend onderwijs|Wet op het primair onderwijs|"
    r"Wet op de expertisecentra|Wet op het voortgezet onderwijs|WPO|WEC|WVO|"
    r"Wet gelijke behandeling[\w ]{0,60}?(?:chronische ziekte|handicap)|"
    r"VN-verdrag[\w ]{0,60}?handicap|Kinderrechtenverdrag|"
    r"Verdrag inzake de [Rr]echten van het [Kk]ind|"
    r"Experimenteerregeling onderwijszorgarrangementen|Wet kwaliteit \(v\)so"
)
_RULES = re.compile(
    rf"(?:[Aa]rtikel|[Aa]rt\.)\s*\d+[a-z]?(?:[,\s]+lid\s*\d+)?(?:\s*(?:onder|sub)\s*[a-z]\b)?"
    rf"(?:\s*(?:van\s+(?:de|het)\s+)?(?:{_LAW_NAMES}))?"
    rf"|\b(?:{_LAW_NAMES})\b"
    rf"|‘Beleidsregel[^’]{{5,120}}’(?:[^.;‘]{{0,80}}?\b(?:19|20)\d\d\b)?"
    rf"|\bBeleidsregel[^.;:()‘’]{{5,120}}?(?:\((?:19|20)\d\d\)|\b(?:19|20)\d\d\b)"
    rf"|\b5 onder [ab]\b"
)
_QUOTED_RULE = re.compile(r"‘([^’]+)’(?:.*\b((?:19|20)\d\d)\b)?")
_PARTIES = {
    "schoolbestuur": r"schoolbestu(?:ur|ren)|bevoegd gezag",
    "school": r"school|scholen",
    "samenwerkingsverband": r"samenwerkingsverband(?:en)?|swv",
    "gemeente": r"gemeente(?:n)?|wethouder",
    "leerplichtambtenaar": r"leerplichtambtena(?:ar|ren)|leerplicht(?:zaken)?",
    "zorgkantoor": r"zorgkanto(?:or|ren)",
    "zorgverzekeraar": r"zorgverzekeraar(?:s)?",
    "zorgaanbieder": r"zorgaanbieder(?:s)?|jeugdhulpaanbieder(?:s)?",
    "inspectie van het onderwijs": r"inspectie|onderwijsinspectie",
    "ouders": r"ouders?(?:/verzorgers?)?",
    "jeugdarts": r"jeugdarts(?:en)?|GGD",
    "CIZ": r"CIZ",
    "minister van OCW": r"minist(?:er|erie) van OCW|OCW",
    "kinderdagcentrum": r"kinderdagcentr(?:um|a)|KDC",
}
_PARTY_PATTERNS = {
    name: re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.IGNORECASE if name != "CIZ" else 0)
    for name, p in _PARTIES.items()
}


def extract_rules(text: str) -> tuple[str, ...]:
    """Laws, articles and policy rules named in `text`, in order of first mention.

    A quoted policy rule keeps its name and gains its year: "‘Beleidsregel inzake …’ van de
    Inspectie uit 2018" becomes "Beleidsregel inzake … (2018)".
    """
    found = (_rule_name(" ".join(m.group().split())) for m in _RULES.finditer(text))
    return tuple(dict.fromkeys(found))


def _rule_name(match: str) -> str:
    quoted = _QUOTED_RULE.match(match)
    if quoted is None:
        return match.rstrip(" ,")
    year = quoted.group(2)
    return f"{quoted.group(1)} ({year})" if year else quoted.group(1)


def extract_parties(text: str) -> tuple[str, ...]:
    """The parties (school, gemeente, zorgkantoor, ...) that `text` mentions."""
    return tuple(name for name, pattern in _PARTY_PATTERNS.items() if pattern.search(text))
