"""Our prediction of ITFlow's ``trim(strip_tags(…))`` against PHP itself, on hypothesis-made strings.

ITFlow stores text through PHP's ``strip_tags``; syncd must predict what it keeps exactly, or it would send a
value that comes back cut (and spreads) or refuse one that is fine. PHP's state machine has corners (an
unclosed ``<`` ends the text, ``<?…?>`` blocks, comments, quotes inside tags), so the prediction is checked
against the ``php`` binary, not against itself. Skipped without ``php`` on the PATH (CI installs php-cli).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syncd.connectors.itflow.php import stored_text

PHP = shutil.which("php")
pytestmark = pytest.mark.skipif(PHP is None, reason="php is not installed (apt-get install php-cli)")
EXAMPLES = int(os.environ.get("SYNCD_STRIP_TAGS_EXAMPLES", "40"))
_SCRIPT = ('while (($l = fgets(STDIN)) !== false) { echo json_encode(trim(strip_tags(json_decode($l))), '
           'JSON_INVALID_UTF8_SUBSTITUTE), "\\n"; }')
PIECES = st.sampled_from(["<", ">", "!", "?", "-", '"', "'", "\\", "(", ")", " ", "\t", "\n", "a", "Z", "=", "/",
                          "é", "😀", "<!--", "-->", "<?xml", "<?php", "?>", "<!DOCTYPE", "<b>", "</b>", "<3", "<=",
                          " < ", "\x0b", "\x0c"])
TEXT = st.lists(PIECES, max_size=16).map("".join)


def php_stored(values: list[str]) -> list[str]:
    assert PHP is not None
    lines = "".join(json.dumps(v) + "\n" for v in values)
    done = subprocess.run([PHP, "-r", _SCRIPT], input=lines, capture_output=True, text=True, check=True, timeout=60)
    return [json.loads(line) for line in done.stdout.splitlines()]


CORNERS = ["Head of R<D", "5<6", "I <3 you", "a <= b", "a < b", "<b>Analyst</b>", "x <", "x<", "<", "a > b",
           "NEAT <? cool < blah ?> STUFF", "NEAT <!-- cool > blah --> STUFF", '<a href=">">t</a>',
           '<?xml version="1.0"?>x', "<!DOCTYPE html>y", "a<<b>>c", " padded ", "Müller & Söhne <GmbH>"]


def test_the_known_corners_match_php() -> None:
    assert [stored_text(v) for v in CORNERS] == php_stored(CORNERS)


@settings(max_examples=EXAMPLES, deadline=None)
@given(values=st.lists(TEXT, min_size=100, max_size=100))
@example(values=["a <=> b", "<?= 1 ?>x", "<!-- x", "<a '>'>y"] * 10 + [""] * 10)
def test_generated_strings_match_php(values: list[str]) -> None:
    assert [stored_text(v) for v in values] == php_stored(values)
