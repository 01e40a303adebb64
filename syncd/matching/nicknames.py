"""Common given-name variants, folded to one canonical form for matching (Bob -> robert).

Small on purpose: the names that real contact lists show most. Keys and values are folded (see
:func:`syncd.model.fold_name`). A name maps to itself unless listed.
"""

from __future__ import annotations

__all__ = ["canonical_given"]

_GROUPS: dict[str, tuple[str, ...]] = {
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "william": ("bill", "billy", "will", "willy", "liam"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza", "elisabeth", "lisa", "libby"),
    "richard": ("rick", "ricky", "dick", "rich", "richie"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny", "jon"),
    "jonathan": ("jon", "jonny"),
    "michael": ("mike", "mikey", "mick"),
    "margaret": ("maggie", "meg", "peggy", "marge", "greta"),
    "katherine": ("kate", "kathy", "katie", "kat", "catherine", "cathy", "kathryn", "katharina", "katarina"),
    "thomas": ("tom", "tommy"),
    "joseph": ("joe", "joey", "jose", "josef"),
    "charles": ("charlie", "chuck", "carl", "karl"),
    "christopher": ("chris", "kit"),
    "christine": ("chris", "christina", "tina", "kristina", "kristin"),
    "daniel": ("dan", "danny"),
    "david": ("dave", "davey"),
    "edward": ("ed", "eddie", "ted", "ned"),
    "alexander": ("alex", "sasha", "alejandro", "alessandro", "aleksander", "sandy"),
    "alexandra": ("alex", "sasha", "alexa", "sandra"),
    "anthony": ("tony", "antonio", "anton"),
    "andrew": ("andy", "drew", "andreas", "andres", "andrzej"),
    "benjamin": ("ben", "benny", "benji"),
    "matthew": ("matt", "matty", "mateo", "matteo", "mathias", "matthias"),
    "nicholas": ("nick", "nicky", "nico", "nicolas", "nikolaus", "mikolaj"),
    "patricia": ("pat", "patty", "tricia", "trish"),
    "patrick": ("pat", "paddy"),
    "jennifer": ("jen", "jenny"),
    "susan": ("sue", "susie", "suzanne"),
    "deborah": ("deb", "debbie"),
    "rebecca": ("becky", "becca"),
    "samuel": ("sam", "sammy"),
    "samantha": ("sam", "sammy"),
    "stephen": ("steve", "steven", "stevie", "stefan", "esteban"),
    "timothy": ("tim", "timmy"),
    "victoria": ("vicky", "tori"),
    "gregory": ("greg",),
    "peter": ("pete", "pedro", "pierre", "piotr", "pieter"),
    "francisco": ("paco", "pancho", "frank", "francis", "franz", "francois"),
    "jose": ("pepe",),
    "manuel": ("manolo", "manny"),
    "guillermo": ("memo",),
    "ignacio": ("nacho",),
    "dolores": ("lola",),
    "mercedes": ("merche",),
    "johannes": ("hans", "jan", "johan", "johann"),
    "wolfgang": ("wolf",),
    "friedrich": ("fritz",),
    "henrik": ("henry", "heinrich", "harry", "hank", "enrique"),
    "gustav": ("gus", "gustaf", "gustavo"),
    "kristoffer": ("kris",),
    "ingrid": ("inga",),
    "nguyen": (),
    "mohammed": ("mohamed", "muhammad", "mohammad", "mo", "mehmet"),
    "abdullah": ("abdallah",),
    "yusuf": ("youssef", "joseph"),
    "ibrahim": ("abraham",),
}

_CANON: dict[str, str] = {}
for canonical, variants in _GROUPS.items():
    _CANON.setdefault(canonical, canonical)
    for variant in variants:
        _CANON.setdefault(variant, canonical)


def canonical_given(token: str) -> str:
    """The canonical form of a folded given-name token (itself when not a known variant)."""
    return _CANON.get(token, token)
