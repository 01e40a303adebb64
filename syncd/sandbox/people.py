"""Synthetic people for the sandbox, the tests and the benchmarks: seeded, realistic, and messy.

Each person has a name from one of several cultures, an email at their company, phone numbers from
their company's country, a title, a department and an address. About 70% of people appear in two or
more systems, and every copy is written the way that system (and its users) would: case changes,
accents dropped, swapped given and family names, a middle name or initial, a nickname, extra
addresses, missing fields, phone numbers in any format, office and mobile swapped, a few typos.
``truth_id`` says which copies are one person, so a matcher can be scored.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from syncd.model import Contact

__all__ = ["SeededContact", "generate", "to_csv_rows"]

_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "en": (("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
            "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
            "Christopher", "Nancy", "Daniel", "Margaret", "Matthew", "Lisa", "Anthony", "Betty", "Andrew", "Sandra",
            "Katherine", "Rebecca", "Samuel", "Victoria", "Gregory", "Deborah", "Timothy", "Stephen"),
           ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
            "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
            "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill",
            "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins"), "US"),
    "es": (("José", "María", "Juan", "Lucía", "Francisco", "Carmen", "Antonio", "Dolores", "Manuel", "Mercedes",
            "Jesús", "Ángela", "Javier", "Inés", "Álvaro", "Sofía", "Andrés", "Valentina", "Sebastián", "Mónica",
            "Guillermo", "Ignacio", "Martín", "Rocío"),
           ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
            "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso",
            "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Castillo"), "ES"),
    "de": (("Lukas", "Anna", "Jonas", "Lea", "Maximilian", "Hannah", "Felix", "Lena", "Paul", "Sophie", "Jürgen",
            "Ursula", "Wolfgang", "Brigitte", "Friedrich", "Käthe", "Johannes", "Grete"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
            "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
            "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Köhler"), "DE"),
    "fr": (("Camille", "Léa", "Hugo", "Chloé", "Louis", "Manon", "Théo", "Inès", "Jules", "Zoé", "François",
            "Hélène", "Stéphane", "Cécile", "Jérôme", "Agnès"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
            "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Fournier", "Girard",
            "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent"), "FR"),
    "nordic": (("Åsa", "Björn", "Sören", "Ingrid", "Lars", "Astrid", "Ole", "Sigrid", "Henrik", "Maja", "Gustav",
                "Linnéa", "Kristoffer", "Ebba", "Mikael", "Päivi", "Jörgen", "Solveig"),
               ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
                "Svensson", "Gustafsson", "Lindström", "Sjöberg", "Åberg", "Östlund", "Hansen", "Jensen",
                "Sørensen", "Kristiansen", "Møller", "Virtanen", "Mäkinen", "Nyström", "Lindqvist", "Bergström"),
               "SE"),
    "pl": (("Małgorzata", "Łukasz", "Agnieszka", "Paweł", "Katarzyna", "Piotr", "Krzysztof", "Joanna", "Tomasz",
            "Zofia", "Wojciech", "Ewa"),
           ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
            "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Krawczyk"), "PL"),
    "vi": (("Anh", "Minh", "Thảo", "Dũng", "Hương", "Tuấn", "Lan", "Hùng", "Ngọc", "Phương", "Quang", "Trang"),
           ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"), "VN"),
    "zh": (("Wei", "Fang", "Jing", "Lei", "Min", "Jun", "Yan", "Hui", "Xin", "Tao", "Ying", "Qiang", "Li Na",
            "Xiao Ming"),
           ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu",
            "Hu", "Guo", "He", "Lin"), "SG"),
    "in": (("Aarav", "Priya", "Vivaan", "Ananya", "Aditya", "Diya", "Arjun", "Isha", "Rohan", "Kavya", "Rahul",
            "Sneha", "Vikram", "Lakshmi"),
           ("Sharma", "Verma", "Gupta", "Patel", "Reddy", "Iyer", "Nair", "Singh", "Kumar", "Das", "Rao", "Mehta",
            "Joshi", "Chatterjee", "Banerjee", "Menon"), "IN"),
    "ar": (("Mohammed", "Fatima", "Ahmed", "Aisha", "Omar", "Layla", "Yusuf", "Mariam", "Khalid", "Noor", "Ibrahim",
            "Zainab", "Hassan", "Samira"),
           ("Al-Farsi", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Haddad", "Aziz", "Hamdan", "Darwish",
            "Karim", "Rahman", "Sabbagh", "Qasim"), "AE"),
}
_NICKNAMES = {"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Richard": "Rick", "James": "Jim",
              "Michael": "Mike", "Margaret": "Maggie", "Katherine": "Kate", "Thomas": "Tom", "Joseph": "Joe",
              "Christopher": "Chris", "Daniel": "Dan", "David": "Dave", "Andrew": "Andy", "Matthew": "Matt",
              "Patricia": "Pat", "Samuel": "Sam", "Stephen": "Steve", "Timothy": "Tim", "Victoria": "Vicky",
              "Gregory": "Greg", "Deborah": "Debbie", "Rebecca": "Becky", "Anthony": "Tony", "Jennifer": "Jen",
              "Susan": "Sue", "Francisco": "Paco", "Johannes": "Hans", "Friedrich": "Fritz", "Ignacio": "Nacho",
              "Dolores": "Lola"}
_COMPANIES = ("Acme Freight", "Nordic Logistics AB", "Globex Corporation", "Initech", "Umbrella Supplies",
              "Stark Industries", "Wayne Enterprises", "Cyberdyne Systems", "Hooli", "Vandelay Industries",
              "Soylent Foods", "Tyrell Corporation", "Wonka Industries", "Oceanic Shipping", "Pied Piper",
              "Dunder Mifflin", "Massive Dynamic", "Gringotts Trading", "Ibérica Transportes SL", "Müller & Söhne GmbH")
_CITIES = {"US": ("New York", "Chicago", "Dallas", "Seattle", "Boston"), "ES": ("Madrid", "Sevilla", "Málaga"),
           "DE": ("München", "Köln", "Düsseldorf", "Hamburg"), "FR": ("Paris", "Lyon", "Orléans"),
           "SE": ("Göteborg", "Malmö", "Stockholm"), "PL": ("Kraków", "Łódź", "Gdańsk"),
           "VN": ("Hà Nội", "Đà Nẵng"), "SG": ("Singapore",), "IN": ("Mumbai", "Bengaluru", "Chennai"),
           "AE": ("Dubai", "Abu Dhabi")}
_PREFIX = {"US": "+1", "ES": "+34", "DE": "+49", "FR": "+33", "SE": "+46", "PL": "+48", "VN": "+84", "SG": "+65",
           "IN": "+91", "AE": "+971"}
_TITLES = ("Buyer", "Logistics Manager", "Accountant", "IT Administrator", "Warehouse Lead", "Sales Director",
           "Customer Service", "Operations Manager", "Dispatcher", "Procurement Officer", "CFO", "Office Manager")
_DEPARTMENTS = ("Purchasing", "Logistics", "Finance", "IT", "Warehouse", "Sales", "Support", "Operations")
_STREETS = ("Main Street", "Calle Mayor", "Hauptstraße", "Rue de la Paix", "Storgatan", "ul. Długa", "High Road")


@dataclass(frozen=True, slots=True)
class SeededContact:
    truth_id: str
    system: str
    contact: Contact


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ł", "l").replace("Ł", "L") \
        .replace("ø", "o").replace("đ", "d").replace("Đ", "D").replace("ß", "ss")


def _local(text: str) -> str:
    return "".join(c for c in _ascii(text).lower() if c.isalnum())


def _phone(rng: random.Random, country: str) -> str:
    """A valid-looking number for the country (US: NANP with a real area code; others: national digits)."""
    if country == "US":
        area = rng.choice(("212", "312", "415", "617", "206", "214"))
        return f"+1{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    lengths = {"ES": 9, "DE": 10, "FR": 9, "SE": 9, "PL": 9, "VN": 9, "SG": 8, "IN": 10, "AE": 9}
    first = {"ES": "6", "DE": "30", "FR": "6", "SE": "70", "PL": "5", "VN": "9", "SG": "8", "IN": "9", "AE": "50"}
    lead = first[country]
    rest = "".join(str(rng.randint(0, 9)) for _ in range(lengths[country] - len(lead)))
    return f"{_PREFIX[country]}{lead}{rest}"


def _format_phone(rng: random.Random, e164: str) -> str:
    digits = e164[1:]
    style = rng.random()
    if style < 0.3:
        return e164
    if style < 0.5:
        return "+" + " ".join(digits[i:i + 3] for i in range(0, len(digits), 3))
    if style < 0.7:
        return f"00{digits[:2]} {digits[2:5]}-{digits[5:]}"
    if style < 0.85 and e164.startswith("+1"):
        return f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    return f"+{digits[:2]} ({digits[2:4]}) {digits[4:]}"


@dataclass(slots=True)
class _Person:
    truth_id: str
    given: str
    family: str
    middle: str | None
    email: str
    extra_email: str | None
    office: str | None
    mobile: str | None
    title: str
    department: str
    company: str
    street: str
    city: str
    zip: str
    country: str


def _person(rng: random.Random, index: int, taken: set[str]) -> _Person:
    culture = rng.choices(list(_NAMES), weights=(30, 12, 10, 8, 8, 6, 6, 7, 7, 6))[0]
    givens, families, country = _NAMES[culture]
    given, family = rng.choice(givens), rng.choice(families)
    middle = rng.choice(givens) if rng.random() < 0.15 else None
    company = rng.choice(_COMPANIES)
    domain = _local(company.split()[0]) + rng.choice((".example", ".example.com", ".example.org"))
    pattern = rng.random()
    if pattern < 0.5:
        local = f"{_local(given)}.{_local(family)}"
    elif pattern < 0.8:
        local = f"{_local(given)[0]}{_local(family)}"
    else:
        local = f"{_local(given)}{_local(family)[0]}"
    email = f"{local}{index if rng.random() < 0.3 else ''}@{domain}"
    if email in taken:  # a mailbox belongs to one person: a second John Smith gets john.smith2
        email = f"{local}{index}@{domain}"
    taken.add(email)
    return _Person(
        truth_id=f"p{index:06d}", given=given, family=family, middle=middle, email=email,
        extra_email=f"{_local(given)}.{_local(family)}{index}@mail.example" if rng.random() < 0.2 else None,
        office=_phone(rng, country) if rng.random() < 0.8 else None,
        mobile=_phone(rng, country) if rng.random() < 0.6 else None,
        title=rng.choice(_TITLES), department=rng.choice(_DEPARTMENTS), company=company,
        street=f"{rng.randint(1, 200)} {rng.choice(_STREETS)}", city=rng.choice(_CITIES[country]),
        zip=f"{rng.randint(10000, 99999)}", country=country,
    )


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randint(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _copy(rng: random.Random, p: _Person, system: str, mess: float) -> Contact:
    given, family = p.given, p.family
    if rng.random() < 0.25 * mess and given in _NICKNAMES:
        given = _NICKNAMES[given]
    if rng.random() < 0.3 * mess:
        given, family = _ascii(given), _ascii(family)
    if rng.random() < 0.04 * mess:
        family = _typo(rng, family)
    shown_given = given
    if p.middle and rng.random() < 0.6:
        shown_given = f"{given} {p.middle if rng.random() < 0.5 else p.middle[0] + '.'}"
    if system == "cirrus":
        names = {"given_name": shown_given, "family_name": family, "full_name": f"{shown_given} {family}"}
    else:
        full = f"{shown_given} {family}"
        roll = rng.random()
        if roll < 0.06 * mess:
            full = f"{family}, {shown_given}" if rng.random() < 0.5 else f"{family} {shown_given}"
        elif roll < 0.16 * mess:
            full = full.upper()
        elif roll < 0.22 * mess:
            full = full.lower()
        names = {"full_name": full}
    email: str | None = p.email
    if rng.random() < 0.1 * mess:
        email = p.email.upper() if rng.random() < 0.5 else f" {p.email} "
    if rng.random() < 0.12 * mess:
        email = None
    office, mobile = p.office, p.mobile
    if rng.random() < 0.1 * mess:
        office, mobile = mobile, office
    if rng.random() < 0.15 * mess:
        office = None
    extras = (p.extra_email,) if p.extra_email and system == "lightening" and rng.random() < 0.7 else ()
    return Contact(
        **names,
        email=email.strip() if email and rng.random() < 0.5 else email,
        emails=extras,
        phone_office=_format_phone(rng, office) if office else None,
        phone_mobile=_format_phone(rng, mobile) if mobile else None,
        title=p.title if rng.random() > 0.15 * mess else None,
        department=p.department if rng.random() > 0.3 * mess else None,
        company=p.company,
        street=p.street if system in ("flowtrac", "cirrus") else None,
        city=p.city if system in ("flowtrac", "cirrus") and rng.random() > 0.2 * mess else None,
        zip=p.zip if system in ("flowtrac", "cirrus") else None,
        active=True if rng.random() > 0.03 else False,
    )


def generate(
    seed: int, n_people: int, systems: Sequence[str] = ("flowtrac", "lightening", "itflow", "cirrus"), *,
    overlap: float = 0.7, mess: float = 1.0,
) -> list[SeededContact]:
    """``n_people`` people; each in one system, or (with probability ``overlap``) in two or more."""
    rng = random.Random(seed)
    out: list[SeededContact] = []
    taken: set[str] = set()
    for index in range(n_people):
        person = _person(rng, index, taken)
        if len(systems) == 1 or rng.random() >= overlap:
            chosen = [rng.choice(list(systems))]
        else:
            chosen = rng.sample(list(systems), rng.randint(2, len(systems)))
        for system in chosen:
            out.append(SeededContact(person.truth_id, system, _copy(rng, person, system, mess)))
    return out


CSV_HEADER = ("system", "record_id", "name", "given_name", "family_name", "email", "phone", "mobile", "company",
              "street", "city", "zip")


def to_csv_rows(seeded: Sequence[SeededContact]) -> list[dict[str, str]]:
    """Rows in the `syncd match` input format; record_id is the position within its system."""
    counters: dict[str, int] = {}
    rows = []
    for s in seeded:
        counters[s.system] = counters.get(s.system, 0) + 1
        c = s.contact
        rows.append({"system": s.system, "record_id": f"{counters[s.system]}", "name": c.full_name or "",
                     "given_name": c.given_name or "", "family_name": c.family_name or "", "email": c.email or "",
                     "phone": c.phone_office or "", "mobile": c.phone_mobile or "", "company": c.company or "",
                     "street": c.street or "", "city": c.city or "", "zip": c.zip or ""})
    return rows
