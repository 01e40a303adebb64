"""What ITFlow does to a value before it stores it, predicted exactly, so syncd never sends one it would mangle.

ITFlow's API passes text through PHP's ``strip_tags`` and ``trim`` (its ``escapeSql``) and keeps only the
digits of phone numbers (``preg_replace('/[^0-9]/', '', …)``). ``strip_tags`` is not "remove <…>": it is a
byte-level state machine that also drops everything after a ``<`` that is followed by a non-space and never
closed (``"Head of R<D"`` -> ``"Head of R"``), PHP blocks (``<?…?>``), comments and ``<!…>`` declarations,
and honours quotes inside tags. :func:`strip_tags` is a re-implementation of that behaviour (written from
its observed results, checked against the PHP binary by ``tests/contract/test_itflow_php.py``).
"""

from __future__ import annotations

__all__ = ["digits_only", "php_trim", "stored_text", "strip_tags", "text_mangled"]

_SPACE = frozenset(b" \t\n\v\f\r")  # C isspace() in the "C" locale
_TRIM = " \t\n\r\0\x0b"  # PHP trim()'s default characters


def strip_tags(value: str) -> str:
    """PHP's ``strip_tags($value)`` (no allowed tags), on the UTF-8 bytes of ``value``."""
    if "<" not in value and ">" not in value and "\0" not in value:
        return value
    data = value.encode("utf-8", "surrogatepass")
    out = bytearray()
    state = 0  # 0 text, 1 HTML tag, 2 PHP block, 3 "<!" declaration, 4 comment
    depth = 0  # "<" nested inside a tag
    in_q = 0  # the quote byte we are inside (tags, PHP, declarations)
    lc = 0  # the last significant byte (PHP blocks: quotes and brackets)
    br = 0  # bracket depth inside a PHP block
    is_xml = False
    n = len(data)
    i = 0
    while i < n:
        c = data[i]
        prev = data[i - 1] if i >= 1 else -1
        nxt = data[i + 1] if i + 1 < n else 0  # PHP reads the string's NUL terminator here
        if c == 0:
            i += 1
            continue
        if state == 0:
            if c == 0x3C:  # <
                if not in_q:
                    if nxt in _SPACE:
                        out.append(c)
                    else:
                        lc = 0x3C
                        state = 1
            elif c == 0x3E:  # >
                if depth:
                    depth -= 1
                elif not in_q:
                    out.append(c)
            else:
                out.append(c)
        elif state == 1:
            if c == 0x3C:
                if not in_q and nxt not in _SPACE:
                    depth += 1
            elif c == 0x3E:
                if depth:
                    depth -= 1
                elif not in_q and not (is_xml and prev == 0x2D):
                    lc = 0x3E
                    in_q = 0
                    state = 0
                    is_xml = False
            elif c in (0x22, 0x27):  # " '
                if i != 0 and (not in_q or c == in_q):
                    in_q = 0 if in_q else c
            elif c == 0x21 and prev == 0x3C:  # <!
                state = 3
                lc = c
            elif c == 0x3F and prev == 0x3C:  # <?
                br = 0
                state = 2
        elif state == 2:
            if c == 0x28 and lc not in (0x22, 0x27):  # (
                lc = c
                br += 1
            elif c == 0x29 and lc not in (0x22, 0x27):  # )
                lc = c
                br -= 1
            elif c == 0x3E:
                if depth:
                    depth -= 1
                elif not in_q and not br and lc != 0x22 and prev == 0x3F:
                    in_q = 0
                    state = 0
            elif c in (0x22, 0x27):
                if i >= 1 and prev != 0x5C:  # not after a backslash: an escaped quote neither opens nor closes
                    if lc == c:
                        lc = 0
                    elif lc != 0x5C:
                        lc = c
                    if not in_q or c == in_q:
                        in_q = 0 if in_q else c
            elif c in (0x6C, 0x4C) and i > 4 and data[i - 1] in (0x6D, 0x4D) and data[i - 2] in (0x78, 0x58) \
                    and data[i - 3] == 0x3F and data[i - 4] == 0x3C:  # "<?xml": an XML declaration, not PHP
                state = 1
                is_xml = True
        elif state == 3:
            if c == 0x3E:
                if depth:
                    depth -= 1
                elif not in_q:
                    in_q = 0
                    state = 0
            elif c in (0x22, 0x27):
                if i != 0 and prev != 0x5C and (not in_q or c == in_q):
                    in_q = 0 if in_q else c
            elif c == 0x2D and i >= 2 and data[i - 1] == 0x2D and data[i - 2] == 0x21:  # "<!--"
                state = 4
            elif c in (0x45, 0x65) and i > 6 and data[i - 6:i].lower() == b"doctyp":
                state = 1
        else:  # state 4: inside a comment, until "-->"
            if c == 0x3E and not in_q and i >= 2 and data[i - 1] == 0x2D and data[i - 2] == 0x2D:
                in_q = 0
                state = 0
        i += 1
    return out.decode("utf-8", "replace")


def php_trim(value: str) -> str:
    return value.strip(_TRIM)


def stored_text(value: str) -> str:
    """What ITFlow stores for a text value: ``trim(strip_tags(value))``."""
    return php_trim(strip_tags(value))


def digits_only(value: str) -> str:
    """What ITFlow stores for a phone, extension or mobile number: its ASCII digits."""
    return "".join(ch for ch in value if "0" <= ch <= "9")


def text_mangled(value: str) -> str | None:
    """Why ITFlow would not store ``value`` as it is (beyond whitespace at the ends), or None.

    Trimming is harmless (syncd compares trimmed text anyway); any other difference is a loss that the
    other systems must never inherit, so the value is not sent at all."""
    stored = stored_text(value)
    if stored.split() == value.split():
        return None
    if value.strip().startswith(stored):
        return (f"ITFlow would keep only {_short(stored)}: PHP's strip_tags drops everything after a \"<\" "
                "that a non-space follows")
    return f"ITFlow would store {_short(stored)}: PHP's strip_tags removes what looks like a tag"


def _short(text: str, limit: int = 40) -> str:
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 2] + "…" + quoted[0]
