"""How one person of :mod:`syncd.sandbox.othergen` is written into one system: the copy and its mess.

Kept apart from the world (households, companies) so each can be read alone. Every decision draws from the
world's one random stream, so a seed gives the same copies; every kind of mess is counted by name in the
world's tally when one is given.
"""

# ruff: noqa: RUF001  (names and places are written in their own scripts, on purpose)
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from syncd.model import Contact
from syncd.sandbox.othergen_names import ALIASES
from syncd.sandbox.othergen_places import COUNTRIES, DEPARTMENTS, TITLE_SHORT, TITLES
from syncd.sandbox.othergen_text import Pick, flat, spelled, typo

if TYPE_CHECKING:
    from syncd.sandbox.othergen import Phone, _Address, _Person, _World

__all__ = ["VENDOR_PROFILES", "render"]


class _Profile:
    __slots__ = ("address", "country", "department", "extras", "names", "phone_styles")
    phone_styles: Pick

    def __init__(self, names: str, address: bool, department: bool, extras: bool, country: bool,
                 phone_styles: tuple[tuple[str, float], ...]) -> None:
        self.names, self.address, self.department, self.extras, self.country = (names, address, department,
                                                                                 extras, country)
        self.phone_styles = Pick([name for name, _ in phone_styles], [weight for _, weight in phone_styles])


_ANY_STYLE = (("e164", 1.0), ("intl", 1.0), ("intl_trunk", 0.5), ("00", 0.6), ("national", 1.5),
              ("compact", 0.6), ("digits", 0.4), ("digits_intl", 0.3))
#: what each vendor holds (see the vendor docs): and how its users tend to type phone numbers
VENDOR_PROFILES: dict[str, _Profile] = {
    "flowtrac": _Profile("full", True, False, False, True,
                         (("national", 4), ("compact", 1.5), ("intl", 2), ("e164", 1), ("00", 1), ("intl_trunk", .5))),
    "lightening": _Profile("full", False, True, True, False,
                           (("e164", 3), ("intl", 3.5), ("intl_trunk", 1), ("00", 1), ("national", 1.5))),
    "itflow": _Profile("full", False, True, False, False,
                       (("digits", 3.5), ("digits_intl", 2.5), ("national", 2), ("e164", 2))),
    "cirrus": _Profile("split", True, True, False, False,
                       (("national", 3), ("intl", 3), ("e164", 2), ("intl_trunk", 1), ("compact", 1))),
}
_FULL = _Profile("both", True, True, True, True, _ANY_STYLE)

_PARTICLES = frozenset({"van", "der", "den", "de", "ter", "ten", "von", "'t", "in", "da", "dos", "das", "del",
                        "della", "la", "le", "di", "du", "d'", "het", "op", "y", "e", "do", "zu"})
_HONORIFICS = {"en": ("Mr", "Mr.", "Mrs", "Ms", "Dr.", "Dr", "Prof."), "de": ("Herr", "Frau", "Dr.", "Prof. Dr."),
               "nl": ("Dhr.", "Mevr.", "ir.", "drs.", "mr.", "ing."), "fr": ("M.", "Mme", "Mlle", "Dr", "Me"),
               "it": ("Dott.", "Ing.", "Sig.", "Sig.ra", "Avv.", "Dott.ssa"), "es": ("Sr.", "Sra.", "D.", "Dña."),
               "pt": ("Sr.", "Sra.", "Eng.", "Dr.", "Dra."), "hu": ("dr.", "Dr."), "tr": ("Bay", "Bayan", "Dr."),
               "ru": ("Dr.", "g-n")}
_SUFFIXES = ("Jr.", "Jr", "Sr.", "III", "PhD", "MBA", "BSc", "(Ret.)")
_LEGAL_WORDS = frozenset({"B.V.", "BV", "V.O.F.", "GmbH", "AG", "KG", "e.K.", "SARL", "SAS", "SA", "EURL", "S.r.l.",
                          "Srl", "S.p.A.", "S.n.c.", "S.L.", "SL", "S.A.", "S.L.U.", "Lda.", "Ltda.", "ME", "Kft.",
                          "Zrt.", "Bt.", "Nyrt.", "OOO", "AO", "PAO", "IP", "A.Ş.", "Ltd", "Limited", "LLC", "Inc.",
                          "plc", "Group", "Holding"})
_DOMAIN_TYPOS = (("gmail.com", "gmial.com"), ("gmail.com", "gmail.co"), ("hotmail.com", "hotmal.com"),
                 ("yahoo.com", "yaho.com"), (".com", ".con"), (".de", ".fe"), ("outlook.com", "outlok.com"))
_SPACES = re.compile(r"\s+")
_COUNTRY_NAMES = {"NL": ("NL", "Netherlands", "Nederland", "Holland"), "DE": ("DE", "Germany", "Deutschland"),
                  "GB": ("GB", "UK", "United Kingdom", "England"), "US": ("US", "USA", "United States"),
                  "FR": ("FR", "France"), "IT": ("IT", "Italy", "Italia"), "ES": ("ES", "Spain", "España")}
_PREFER_WORK = {"flowtrac": 0.8, "itflow": 0.8, "lightening": 0.6}


def format_phone(style: str, phone: Phone, trunk: str, country: str) -> str:
    """One number as a user of a given habit writes it; ``style`` names the habit."""
    cc, area, sub = phone
    if style == "e164":
        return f"+{cc}{area}{sub}"
    if style == "digits_intl":
        return f"{cc}{area}{sub}"
    grouped = _group(sub)
    if style == "intl":
        return f"+{cc} {area} {grouped}"
    if style == "intl_trunk" and trunk == "0":
        return f"+{cc} (0){area} {grouped}"
    if style == "00":
        return f"00{cc} {area} {sub}"
    if style == "digits":
        return f"{trunk}{area}{sub}"
    if style == "compact":
        return f"{trunk}{area}{sub}" if country != "US" else f"{area}-{sub[:3]}-{sub[3:]}"
    # national: each country's own habit
    if country == "US":
        return f"({area}) {sub[:3]}-{sub[3:]}"
    if country == "FR":
        digits = f"0{area}{sub}"
        return " ".join(digits[i:i + 2] for i in range(0, len(digits), 2))
    if country == "RU":
        return f"8 ({area}) {sub[:3]}-{sub[3:5]}-{sub[5:]}"
    if country == "JP":
        digits = area + sub
        cut = 2 if digits[:2] in ("90", "80", "70") else len(area)
        return f"0{digits[:cut]}-{digits[cut:-4]}-{digits[-4:]}"
    if country == "DE":
        return f"0{area}/{sub}" if len(sub) % 2 else f"0{area} {sub}"
    if country == "BR":
        return f"({area[:2]}) {area[2:]}{sub[:-4]}-{sub[-4:]}"
    return f"{trunk}{area} {grouped}"


def _group(sub: str) -> str:
    if len(sub) <= 4:
        return sub
    if len(sub) % 2 == 0 and len(sub) > 6:
        return f"{sub[:-4]} {sub[-4:]}" if len(sub) == 8 else " ".join(sub[i:i + 2] for i in range(0, len(sub), 2))
    return f"{sub[:3]} {sub[3:]}"


def _first_surname(family: str) -> str:
    words, out = family.split(), []
    for word in words:
        out.append(word)
        if word.lower() not in _PARTICLES:
            break
    return " ".join(out)


def _particle_variant(w: _World, family: str) -> str:
    rng = w.rng
    words = family.split()
    lead = [x for x in words if x.lower() in _PARTICLES]
    core = [x for x in words if x.lower() not in _PARTICLES]
    if not lead or not core:
        return family
    w.count("particle_variant")
    roll = rng.random()
    if roll < 0.35:
        return " ".join(x[:1].upper() + x[1:] if x.lower() in _PARTICLES else x for x in words)
    if roll < 0.55:
        return " ".join(core)
    if roll < 0.7:
        return "".join(words).capitalize()
    if roll < 0.85 and lead[0] == "van":
        return ("vd " if rng.random() < 0.5 else "v.d. ") + " ".join(core) if len(lead) > 1 else "v. " + " ".join(core)
    return " ".join(x.upper() if x.lower() in _PARTICLES else x for x in words)


def _given_form(w: _World, p: _Person, mess: float) -> str:
    rng, given = w.rng, p.given
    roll = rng.random()
    aliases = ALIASES.get(given)
    if aliases and roll < w.opts.nickname * mess:
        w.count("nickname")
        return aliases[0] if rng.random() < 0.45 else str(aliases[int(rng.random() * len(aliases))])
    if rng.random() < w.opts.initials * mess and given:
        w.count("initials")
        parts = [x for x in re.split(r"[\s-]", given) if x]
        dotted = rng.random() < 0.7
        joiner = "-" if "-" in given else " "
        if rng.random() < 0.3:
            parts = parts[:1]
        return joiner.join(x[0] + ("." if dotted else "") for x in parts) if dotted else "".join(x[0] for x in parts)
    return given


def _family_form(w: _World, p: _Person, mess: float) -> str:
    rng, family = w.rng, p.family
    if p.maiden and rng.random() < 0.5:
        family = p.maiden
        w.count("maiden_copy")
    structure = p.culture.structure
    if not family:
        return family
    if structure == "double":
        roll = rng.random()
        if roll < 0.35 * mess:
            family = _first_surname(family)
            w.count("double_surname_short")
        elif roll < 0.45 * mess and " " in family:
            first = _first_surname(family)
            family = f"{first}-{family[len(first):].strip()}"
            w.count("double_surname_hyphen")
    elif structure == "compound_pt" and " " in family and rng.random() < 0.35 * mess:
        family = family.split()[-1]
        w.count("compound_surname_last")
    if any(x.lower() in _PARTICLES for x in family.split()) and rng.random() < 0.35 * mess:
        family = _particle_variant(w, family)
    if "'" in family and rng.random() < 0.25 * mess:
        family = rng.choice((family.replace("'", ""), family.replace("'", " "), family.replace("'", "’"),
                             family.replace("'", "´")))
        w.count("apostrophe_variant")
    elif family.startswith("Mc") and rng.random() < 0.15 * mess:
        family = rng.choice(("Mc " + family[2:], "Mac" + family[2:], "MC" + family[2:].upper()))
        w.count("mc_variant")
    elif "-" in family and structure not in ("double",) and rng.random() < 0.25 * mess:
        family = rng.choice((family.replace("-", " "), family.split("-")[0], family.split("-")[-1],
                             family.replace("-", "")))
        w.count("hyphen_variant")
    return family


def _accents(w: _World, text: str) -> str:
    if text.isascii():
        return text
    w.count("ascii")
    return spelled(text) if w.rng.random() < 0.35 else flat(text)


def _names(w: _World, p: _Person, profile: _Profile, mess: float) -> dict[str, str | None]:
    rng, opts, culture = w.rng, w.opts, p.culture
    given, family = _given_form(w, p, mess), _family_form(w, p, mess)
    if rng.random() < opts.ascii * mess:
        given, family = _accents(w, given), _accents(w, family)
    if rng.random() < opts.typo * mess:
        if family and rng.random() < 0.6:
            family, kind = typo(rng, family)
        else:
            given, kind = typo(rng, given)
        w.count(f"typo_{kind}")
    middle = p.middle
    shown_middle: str | None = None
    if middle and rng.random() < (0.35 if culture.structure == "patronymic_ru" else 0.5):
        shown_middle = middle if rng.random() < 0.6 else middle[0] + "."
    if culture.structure == "mononym":
        full = given
        split_family = _one_of(w, (given, ".", "-", "N/A", given))
        w.count("mononym")
    elif culture.structure == "initial":
        initial = family[0] + "."
        roll = rng.random()
        full = (f"{initial} {given}" if roll < 0.4 else f"{given} {initial}" if roll < 0.6
                else f"{given} {family}" if roll < 0.9 else f"{given} {family[0]}")
        split_family = family if rng.random() < 0.5 else initial
        w.count("tamil_initial")
    elif culture.family_first and rng.random() < opts.native_order:
        fam = family.upper() if rng.random() < 0.3 else family
        full = f"{fam} {given}"
        split_family = family
        w.count("family_first")
    elif culture.structure == "patronymic_ru" and rng.random() < 0.2:
        full = f"{family} {given}{' ' + middle if middle and rng.random() < 0.7 else ''}"
        split_family = family
        w.count("family_first")
    else:
        full = " ".join(x for x in (given, shown_middle, family) if x)
        split_family = family
        if family and rng.random() < 0.05 * mess:
            full = f"{family}, {given}"
            w.count("family_comma")
    if rng.random() < opts.honorific * mess:
        if rng.random() < 0.75:
            full = f"{_one_of(w, _HONORIFICS.get(w_lang(p), _HONORIFICS['en']))} {full}"
        else:
            full = f"{full} {_one_of(w, _SUFFIXES)}"
        w.count("honorific")
    roll = rng.random()
    if roll < 0.04 * mess:
        full, given, split_family = full.upper(), given.upper(), split_family.upper()
        w.count("upper_case")
    elif roll < 0.07 * mess:
        full, given, split_family = full.lower(), given.lower(), split_family.lower()
        w.count("lower_case")
    if profile.names == "full":
        return {"full_name": _SPACES.sub(" ", full).strip()}
    split_given = given if not shown_middle or rng.random() < 0.5 else f"{given} {shown_middle}"
    if (culture.family_first and rng.random() < 0.25) or rng.random() < 0.03 * mess:
        split_given, split_family = split_family, split_given
        w.count("split_swapped")
    elif split_family and " " in split_family and split_family.split()[0].lower() in _PARTICLES \
            and rng.random() < 0.15 * mess:
        words = split_family.split()
        split_given, split_family = f"{split_given} {' '.join(words[:-1])}", words[-1]
        w.count("particle_split")
    out: dict[str, str | None] = {"given_name": split_given or None, "family_name": split_family or None}
    if profile.names == "both":
        out["full_name"] = _SPACES.sub(" ", full).strip()
    return out


def w_lang(p: _Person) -> str:
    return p.culture.lang


def _one_of(w: _World, items: tuple[str, ...]) -> str:
    return items[int(w.rng.random() * len(items))]


def _email(w: _World, address: str, mess: float) -> str:
    rng = w.rng
    roll = rng.random()
    if roll < w.opts.field_typo * mess:
        local, _, domain = address.partition("@")
        if rng.random() < 0.5:
            found = [(a, b) for a, b in _DOMAIN_TYPOS if a in domain]
            if found:
                a, b = found[int(rng.random() * len(found))]
                domain = domain.replace(a, b, 1)
            else:
                local, _ = typo(rng, local, "drop")
        else:
            local, _ = typo(rng, local, "transpose")
        w.count("email_typo")
        return f"{local}@{domain}"
    if roll < 0.1:
        w.count("email_case")
        return address.upper() if rng.random() < 0.4 else address[:1].upper() + address[1:]
    if roll < 0.12:
        return f" {address}"
    return address


def _street(w: _World, addr: _Address, mess: float) -> str:
    rng = w.rng
    country = COUNTRIES[addr.country]
    street = addr.street
    for long, short in country.abbreviations:
        if long in street and rng.random() < 0.3:
            street = street.replace(long, short, 1)
            w.count("street_abbreviation")
    unit = ""
    if addr.unit and rng.random() < 0.8:
        unit = country.unit.format(u=addr.unit)
    number = addr.number if rng.random() < 0.9 else addr.number.upper().replace("A", " A").replace("B", " B")
    if country.number_after:
        text = f"{street} {number}{unit}" if not unit.endswith(" ") else f"{unit}{street} {number}"
    else:
        text = f"{unit}{number} {street}" if unit.endswith(" ") or not unit else f"{number} {street}{unit}"
    if rng.random() < w.opts.field_typo * mess:
        text, _ = typo(rng, text)
        w.count("street_typo")
    roll = rng.random()
    if roll < 0.04 * mess:
        return text.upper()
    if roll < 0.07 * mess:
        return text.lower()
    return text


def _city(w: _World, addr: _Address, mess: float) -> str:
    rng = w.rng
    city = addr.city.name
    roll = rng.random()
    if addr.city.variants and roll < 0.2 * mess:
        city = addr.city.variants[int(rng.random() * len(addr.city.variants))]
        w.count("city_variant")
    elif roll < 0.25 * mess:
        city = city.upper()
    return city


def _zip(w: _World, addr: _Address, mess: float) -> str:
    rng = w.rng
    code = addr.zip
    roll = rng.random()
    if roll < 0.2 * mess and (" " in code or "-" in code):
        w.count("zip_format")
        return code.replace(" ", "").replace("-", "")
    if roll < 0.25 * mess and any(c.isalpha() for c in code):
        return code.lower()
    if roll < 0.35 * mess and addr.country == "US":
        return f"{code}-{int(rng.random() * 10000):04d}"
    return code


def _company(w: _World, name: str, mess: float) -> str:
    rng = w.rng
    roll = rng.random()
    words = name.split()
    if roll < 0.3 * mess and len(words) > 1 and words[-1] in _LEGAL_WORDS:
        w.count("company_variant")
        return " ".join(words[:-1]).removesuffix(" GmbH &").removesuffix(" &")
    if roll < 0.35 * mess:
        return name.upper()
    if roll < 0.4 * mess and "&" in name:
        return name.replace("&", _one_of(w, ("and", "en", "und", "e", "y", "+")))
    return name


def render(w: _World, p: _Person, system: str) -> Contact:
    """One copy of ``p`` as ``system`` holds it."""
    rng, opts, mess = w.rng, w.opts, w.opts.mess
    profile = VENDOR_PROFILES.get(system, _FULL) if opts.schema == "vendor" else _FULL
    names = _names(w, p, profile, mess)
    sparse = rng.random() < opts.sparse * mess
    stale_home = p.old_home is not None and rng.random() < opts.stale_copy
    if stale_home:
        w.count("moved_stale_copy")
    company, work_email, office = p.company, p.work_email, p.office
    if p.old_job is not None and rng.random() < 0.5:
        company, work_email, office = p.old_job
        w.count("job_stale_copy")
    home_line = p.old_home_phone if stale_home else p.home_phone
    landline = home_line if home_line and (office is None or rng.random() < 0.35) else office
    if landline is not None and landline is home_line:
        w.count("home_landline_copy")
    mobile = p.mobile
    # email
    email: str | None = None
    extras: list[str] = []
    role = company is not None and rng.random() < opts.role_mailbox * mess
    if role and company is not None:
        email = f"{_one_of(w, company.roles)}@{company.domain}"
        w.count("role_mailbox_only")
    else:
        have = [a for a in (work_email, p.personal_email) if a]
        if have and rng.random() < opts.email_missing * mess:
            w.count("email_dropped")
        elif have:
            prefer_work = _PREFER_WORK.get(system, 0.5)
            if len(have) == 2 and rng.random() >= prefer_work:
                have.reverse()
            email = _email(w, have[0], mess)
            if profile.extras and len(have) == 2 and rng.random() < 0.6:
                extras.append(have[1])
            if profile.extras and company is not None and rng.random() < 0.1:
                extras.append(f"{company.roles[0]}@{company.domain}")
                w.count("role_mailbox_extra")
    # phones
    if rng.random() < 0.12 * mess:
        landline = None
    if rng.random() < 0.15 * mess:
        mobile = None
    if rng.random() < opts.swap_phones * mess and (landline or mobile):
        landline, mobile = mobile, landline
        w.count("swap_phones")
    office_text = _phone(w, profile, landline)
    if office_text and landline is not None and landline is not home_line and rng.random() < 0.05 * mess:
        office_text += _one_of(w, (" ext. ", " x", " #", " ext ", "-")) + str(10 + int(rng.random() * 400))
        w.count("phone_extension")
    mobile_text = _phone(w, profile, mobile)
    if sparse:
        w.count("sparse")
        keep = rng.random()
        if email and keep < 0.45:
            office_text = mobile_text = None
        elif mobile_text and keep < 0.8:
            email, office_text = None, None
        else:
            email, mobile_text = None, None
        extras = []
    title_idx = p.title
    title: str | None = None
    if not sparse and rng.random() > 0.22 * mess:
        local = rng.random() < opts.local_language
        title = TITLES[title_idx].get(p.culture.lang if local else "en", TITLES[title_idx]["en"])
        if title in TITLE_SHORT and rng.random() < 0.15 * mess:
            title = TITLE_SHORT[title]
        if local and title != TITLES[title_idx]["en"]:
            w.count("title_local_language")
    department: str | None = None
    if profile.department and not sparse and rng.random() > 0.35 * mess:
        local = rng.random() < opts.local_language
        department = DEPARTMENTS[p.department].get(p.culture.lang if local else "en", DEPARTMENTS[p.department]["en"])
    company_text = None
    if company is not None and rng.random() > 0.08 * mess and not (sparse and rng.random() < 0.5):
        company_text = _company(w, company.name, mess)
    street = city = zip_code = country_text = None
    if profile.address and not sparse:
        addr = p.old_home if stale_home and p.old_home is not None else p.home
        street = _street(w, addr, mess) if rng.random() > 0.1 * mess else None
        city = _city(w, addr, mess) if rng.random() > 0.08 * mess else None
        zip_code = _zip(w, addr, mess) if rng.random() > 0.1 * mess else None
        if profile.country and rng.random() < 0.6:
            choices = _COUNTRY_NAMES.get(addr.country, (addr.country,))
            country_text = choices[int(rng.random() * len(choices))]
    if sparse:
        w.count("sparse_fields_missing", 1)
    active = not rng.random() < opts.inactive * mess
    return Contact(
        **names, email=email, emails=tuple(extras), phone_office=office_text, phone_mobile=mobile_text, title=title,
        department=department, company=company_text, street=street, city=city, zip=zip_code, country=country_text,
        active=active,
    )


_BY_CALLING = {c.calling: c for c in COUNTRIES.values()}


def _phone(w: _World, profile: _Profile, phone: Phone | None) -> str | None:
    """A number written with its own country's habits (a foreign colleague's number keeps its own)."""
    if phone is None:
        return None
    own = _BY_CALLING[phone[0]]
    return format_phone(profile.phone_styles(w.rng), phone, own.trunk, own.code)
