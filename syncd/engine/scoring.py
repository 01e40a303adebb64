"""Score a pair of records: a confidence in [0, 1] and the reasons, in words an admin can check.

Evidence adds up: a personal email in common is strong, a phone number is good, a name that agrees
(after accents, case, order, nicknames, initials and middle names are accounted for) is needed, and
company and city help. A name that clearly disagrees subtracts: two people sharing a mailbox or a
switchboard number are not one person. A shared mailbox (info@, sales@) alone is never enough.
"""

from __future__ import annotations

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein

from syncd.engine.features import Features

__all__ = ["name_similarity", "score_pair"]


def _initials_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """"J Smith" vs "John Smith": every one-letter token matches the initial of a token on the other side."""
    short_a = [t for t in a if len(t) == 1]
    short_b = [t for t in b if len(t) == 1]
    if not short_a and not short_b:
        return False
    long_a = [t for t in a if len(t) > 1]
    long_b = [t for t in b if len(t) > 1]
    if not set(long_a) & set(long_b):
        return False
    return all(any(u.startswith(s) for u in long_b) for s in short_a) and \
        all(any(u.startswith(s) for u in long_a) for s in short_b)


def name_similarity(a: Features, b: Features) -> float:
    """0..1; order-insensitive, tolerant of a middle name, an initial, a nickname or a typo."""
    if not a.tokens or not b.tokens:
        return 0.0
    ta, tb = " ".join(a.tokens), " ".join(b.tokens)
    best = max(fuzz.token_sort_ratio(ta, tb), fuzz.token_set_ratio(ta, tb)) / 100.0
    if a.family and b.family:
        # given + family compared part by part, in both orders (swapped fields)
        straight = (JaroWinkler.similarity(a.given, b.given) + JaroWinkler.similarity(a.family, b.family)) / 2
        swapped = (JaroWinkler.similarity(a.given, b.family) + JaroWinkler.similarity(a.family, b.given)) / 2
        best = max(best, straight, swapped) if a.given and b.given else best
    if _initials_agree(a.tokens, b.tokens):
        best = max(best, 0.93)
    if len(set(a.tokens) & set(b.tokens)) == 1 and min(len(a.tokens), len(b.tokens)) >= 2:
        # one shared token only (a common family name): cap, the other names disagree
        other_a = [t for t in a.tokens if t not in b.tokens]
        other_b = [t for t in b.tokens if t not in a.tokens]
        if other_a and other_b and max(JaroWinkler.similarity(x, y) for x in other_a for y in other_b) < 0.8 \
                and not _initials_agree(a.tokens, b.tokens):
            best = min(best, 0.6)
    return best


def _email_typo(a: frozenset[str], b: frozenset[str]) -> bool:
    for x in a:
        lx, _, dx = x.partition("@")
        for y in b:
            ly, _, dy = y.partition("@")
            # a slip of the keyboard, not another mailbox (andrew.roberts vs andrew.roberts39942)
            if dx == dy and Levenshtein.distance(lx, ly) <= 2 and JaroWinkler.similarity(lx, ly) >= 0.92:
                return True
    return False


#: domain labels that name no organisation: an organisation's mail may sit under several of these
_GENERIC_LABELS = frozenset({"com", "org", "net", "edu", "gov", "int", "info", "biz", "io", "co", "ac", "uk", "de",
                             "fr", "es", "it", "nl", "se", "no", "dk", "fi", "pl", "ch", "at", "be", "us", "ca",
                             "au", "jp", "cn", "in", "br", "mx", "example", "local", "mail"})


def _organisation(domain: str) -> str:
    """``acme`` for acme.com, acme.co.uk, mail.acme.de: the label that names who runs the mailboxes."""
    labels = [label for label in domain.split(".") if label]
    while len(labels) > 1 and labels[-1] in _GENERIC_LABELS:
        labels.pop()
    return labels[-1] if labels else domain


def _same_domain(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both sides' addresses are all at one organisation (or one mail provider)."""
    da = {_organisation(x.partition("@")[2]) for x in a}
    db = {_organisation(y.partition("@")[2]) for y in b}
    return len(da) == 1 and da == db


def score_pair(a: Features, b: Features, *, unique_at_company: bool = False) -> tuple[float, dict[str, str]]:
    """The confidence that ``a`` and ``b`` are one person, and why.

    ``unique_at_company``: each is the only record of its name at its company in its system, so a
    name and company that agree point at one person (the way a person would decide by hand)."""
    reasons: dict[str, str] = {}
    score = 0.0
    if a.personal_emails & b.personal_emails:
        score += 0.55
        reasons["email"] = "same personal email"
    elif a.personal_emails and b.personal_emails:
        if _email_typo(a.personal_emails, b.personal_emails):
            score += 0.3
            reasons["email"] = "emails differ by a typo"
        elif _same_domain(a.personal_emails, b.personal_emails):
            # two mailboxes of one organisation (or one provider): usually two people, not one
            score -= 0.35
            reasons["email"] = "different mailboxes at the same domain"
        else:
            score -= 0.15
            reasons["email"] = "different personal emails"
    if a.shared_emails & b.shared_emails:
        score += 0.05
        reasons["shared_email"] = "same shared mailbox (weak)"
    if a.phones & b.phones:
        score += 0.48
        reasons["phone"] = "same phone number"
    similarity = name_similarity(a, b)
    if a.has_name and b.has_name:
        if similarity >= 0.95:
            score += 0.45
            reasons["name"] = f"names agree ({similarity:.2f})"
        elif similarity >= 0.88:
            score += 0.35
            reasons["name"] = f"names nearly agree ({similarity:.2f})"
        elif similarity >= 0.75:
            score += 0.1
            reasons["name"] = f"names are similar ({similarity:.2f})"
        else:
            score -= 0.45
            reasons["name"] = f"names disagree ({similarity:.2f})"
    if a.company and b.company:
        company = fuzz.token_set_ratio(a.company, b.company) / 100.0
        if company >= 0.9:
            score += 0.1
            reasons["company"] = "same company"
        elif company < 0.5:
            score -= 0.05
            reasons["company"] = "different companies"
        if company >= 0.9 and unique_at_company and similarity >= 0.95:
            score += 0.4
            reasons["unique"] = "the only person of this name at this company in either system"
    if a.city and b.city and a.city == b.city:
        score += 0.05
        reasons["city"] = "same city"
    return max(0.0, min(1.0, score)), reasons
