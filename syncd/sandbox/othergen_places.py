"""Places, numbering plans, mail providers, companies and job titles of the second generator.

Phone plans follow each country's published numbering (area codes of real cities, mobile ranges), so the
numbers parse as valid with libphonenumber; addresses use each country's own order, abbreviations and
postcode shape. Titles and departments are written in the country's language as well as in English.
"""

# ruff: noqa: RUF001  (names and places are written in their own scripts, on purpose)
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COUNTRIES", "DEPARTMENTS", "FREEMAIL", "ROLE_LOCALS", "SECTORS", "TITLES", "City", "Country"]


@dataclass(frozen=True, slots=True)
class City:
    name: str
    #: other written forms: exonyms, without accents, abbreviations
    variants: tuple[str, ...]
    #: postcodes of this city start with this
    zip_prefix: str
    #: landline area code (national significant digits, no trunk prefix)
    area: str
    #: digits after the area code
    subscriber: int
    #: digits a subscriber number may start with there
    lead: str = "23456789"


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    calling: str
    #: prefix dialled inside the country ("0", "8", "06", "1"), "" where none
    trunk: str
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    #: (prefix, digits after it) of mobile numbers
    mobiles: tuple[tuple[str, int], ...]
    #: how a postcode looks: "9" a digit, "A" a letter, anything else literal; the city prefix comes first
    zip_shape: str
    #: house number after the street name ("Kerkstraat 12") rather than before ("12 Station Road")
    number_after: bool
    #: how a flat or unit is written, with {u}
    unit: str
    #: (long form, short form) pairs a user may abbreviate
    abbreviations: tuple[tuple[str, str], ...] = ()
    #: top-level domain of companies there
    tld: str = ".com"


def _c(name: str, variants: str, zip_prefix: str, area: str, subscriber: int, lead: str = "23456789") -> City:
    return City(name, tuple(v for v in variants.split("|") if v), zip_prefix, area, subscriber, lead)


COUNTRIES: dict[str, Country] = {c.code: c for c in (
    Country("NL", "31", "0", (
        _c("Amsterdam", "A'dam|AMSTERDAM", "10", "20", 7), _c("Rotterdam", "R'dam", "30", "10", 7),
        _c("Den Haag", "'s-Gravenhage|The Hague|Den Haag (Scheveningen)", "25", "70", 7),
        _c("Utrecht", "", "35", "30", 7), _c("Eindhoven", "", "56", "40", 7), _c("Groningen", "", "97", "50", 7),
        _c("Tilburg", "", "50", "13", 7), _c("Nijmegen", "", "65", "24", 7)),
        ("Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Julianastraat", "Beatrixlaan", "Prinsengracht",
         "Keizersgracht", "Nieuwe Binnenweg", "Oranjestraat", "Schoolstraat", "Lindelaan", "Parallelweg",
         "Wilhelminaplein", "Van Heemstraweg", "Burgemeester de Withstraat"),
        (("61", 7), ("62", 7), ("63", 7), ("64", 7), ("65", 7)), "99 AA", True, "-{u}",
        (("straat", "str."), ("laan", "ln."), ("Burgemeester", "Burg."),
                                              ("plein", "pl.")), ".nl"),
    Country("DE", "49", "0", (
        _c("Berlin", "BERLIN", "10", "30", 8), _c("Hamburg", "", "20", "40", 8),
        _c("München", "Munich|Muenchen|Munchen", "80", "89", 8), _c("Köln", "Cologne|Koeln|Koln", "50", "221", 7),
        _c("Frankfurt am Main", "Frankfurt|Frankfurt/Main|Frankfurt a. M.", "60", "69", 8),
        _c("Stuttgart", "", "70", "711", 7), _c("Leipzig", "", "04", "341", 7),
        _c("Nürnberg", "Nuremberg|Nuernberg", "90", "911", 7)),
        ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Goethestraße", "Lindenallee", "Am Markt",
         "Friedrichstraße", "Berliner Allee", "Ringstraße", "Kirchgasse", "Mühlenweg", "Dorfstraße", "Birkenweg"),
        (("151", 8), ("160", 7), ("170", 7), ("171", 7), ("172", 7), ("176", 8), ("177", 7)), "999", True,
        " / {u}", (("straße", "str."), ("Straße", "Str."), ("straße", "strasse"), ("Allee", "Al.")), ".de"),
    Country("GB", "44", "0", (
        _c("London", "LONDON|Greater London", "SW", "20", 8, "378"), _c("Manchester", "", "M", "161", 7),
        _c("Birmingham", "B'ham", "B", "121", 7, "234567"), _c("Leeds", "", "LS", "113", 7, "2345"),
        _c("Glasgow", "", "G", "141", 7), _c("Bristol", "", "BS", "117", 7, "234"),
        _c("Edinburgh", "", "EH", "131", 7, "2345")),
        ("High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane", "Queen's Road",
         "King Street", "The Crescent", "Manor Close", "Green Lane", "Albert Road", "St John's Road"),
        (("74", 8), ("75", 8), ("78", 8), ("772", 7), ("775", 7), ("795", 7)), "9 9AA", False, "Flat {u}, ",
        (("Street", "St"), ("Road", "Rd"), ("Avenue", "Ave"), ("Lane", "Ln"), ("Close", "Cl")), ".co.uk"),
    Country("IE", "353", "0", (
        _c("Dublin", "Baile Átha Cliath|Dublin 2|DUBLIN", "D0", "1", 7), _c("Cork", "Corcaigh", "T1", "21", 7),
        _c("Galway", "Gaillimh", "H9", "91", 6), _c("Limerick", "Luimneach", "V9", "61", 6)),
        ("Main Street", "O'Connell Street", "Church Road", "Grafton Street", "Patrick Street", "Shop Street",
         "Strand Road", "Seafield Avenue"),
        (("83", 7), ("85", 7), ("86", 7), ("87", 7), ("89", 7)), "9 A9A9", False, "Apt {u}, ",
        (("Street", "St."), ("Road", "Rd."), ("Avenue", "Ave.")), ".ie"),
    Country("US", "1", "1", (
        _c("New York", "NYC|New York City|NEW YORK|Manhattan", "100", "212", 7),
        _c("Chicago", "Chicago, IL|CHICAGO", "606", "312", 7), _c("Houston", "Houston, TX", "770", "713", 7),
        _c("Boston", "Boston, MA", "021", "617", 7), _c("Seattle", "Seattle, WA", "981", "206", 7),
        _c("Miami", "Miami, FL", "331", "305", 7), _c("Los Angeles", "LA|L.A.", "900", "213", 7)),
        ("Maple Avenue", "Oak Street", "Washington Boulevard", "2nd Street", "Lincoln Road", "Cedar Lane",
         "Sunset Boulevard", "Elm Street", "Park Place", "Martin Luther King Jr Drive", "Lakeview Drive"),
        (), "99", False, "Apt {u}, ",
        (("Street", "St"), ("Avenue", "Ave"), ("Boulevard", "Blvd"), ("Drive", "Dr"), ("Road", "Rd"),
         ("Lane", "Ln")), ".com"),
    Country("FR", "33", "0", (
        _c("Paris", "PARIS|Paris 11e|Paris Cedex", "750", "1", 8), _c("Lyon", "Lyon 3e|LYON", "690", "4", 8),
        _c("Marseille", "Marseilles", "130", "4", 8), _c("Toulouse", "", "310", "5", 8, "2345678"),
        _c("Lille", "Rijsel", "590", "3", 8), _c("Bordeaux", "", "330", "5", 8, "2345678"),
        _c("Nantes", "", "440", "2", 8, "2345789")),
        ("rue de la République", "rue Victor Hugo", "avenue Jean Jaurès", "boulevard Gambetta", "place de la Mairie",
         "rue des Écoles", "chemin des Vignes", "allée des Tilleuls", "impasse du Moulin", "rue Pasteur",
         "avenue du Général de Gaulle", "quai des Chartrons"),
        (("60", 7), ("61", 7), ("62", 7), ("64", 7), ("65", 7), ("66", 7), ("67", 7), ("68", 7), ("73", 7),
         ("76", 7), ("78", 7)), "99", False, "Bât. {u}, ",
        (("avenue", "av."), ("boulevard", "bd"), ("rue", "r."), ("Général", "Gal"), ("place", "pl.")), ".fr"),
    Country("IT", "39", "", (
        _c("Roma", "Rome|ROMA", "001", "06", 8), _c("Milano", "Milan|MILANO", "201", "02", 8),
        _c("Napoli", "Naples", "801", "081", 7), _c("Torino", "Turin", "101", "011", 7),
        _c("Firenze", "Florence", "501", "055", 7), _c("Bologna", "", "401", "051", 7)),
        ("Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele II", "Via Mazzini", "Piazza del Duomo",
         "Viale dei Mille", "Via Dante Alighieri", "Via XX Settembre", "Via Giuseppe Verdi", "Largo Augusto"),
        (("320", 7), ("333", 7), ("338", 7), ("347", 7), ("349", 7), ("366", 7)), "99", True, ", int. {u}",
        (("Via", "V."), ("Viale", "V.le"), ("Piazza", "P.zza"), ("Corso", "C.so")), ".it"),
    Country("ES", "34", "", (
        _c("Madrid", "MADRID", "280", "91", 7), _c("Barcelona", "BCN|Barna", "080", "93", 7),
        _c("Valencia", "València", "460", "96", 7), _c("Sevilla", "Seville", "410", "95", 7),
        _c("Bilbao", "Bilbo", "480", "94", 7)),
        ("Calle Mayor", "Avenida de la Constitución", "Calle Real", "Paseo de Gracia", "Plaza de España",
         "Calle del Sol", "Gran Vía", "Calle de Alcalá", "Rambla de Catalunya", "Calle San Vicente"),
        (("6", 8), ("71", 7)), "99", True, ", {u}º B",
        (("Calle", "C/"), ("Avenida", "Avda."), ("Plaza", "Pza."), ("Paseo", "Pº")), ".es"),
    Country("MX", "52", "", (
        _c("Ciudad de México", "CDMX|Mexico City|México D.F.|Ciudad de Mexico", "03", "55", 8),
        _c("Guadalajara", "GDL", "44", "33", 8), _c("Monterrey", "MTY", "64", "81", 8)),
        ("Avenida Insurgentes Sur", "Calle Hidalgo", "Avenida Reforma", "Calle Morelos", "Calzada de Tlalpan",
         "Avenida Juárez"),
        (("55", 8), ("33", 8), ("81", 8)), "999", True, " Int. {u}",
        (("Avenida", "Av."), ("Calle", "C."), ("Calzada", "Calz.")), ".com.mx"),
    Country("PT", "351", "", (
        _c("Lisboa", "Lisbon|LISBOA", "11", "21", 7), _c("Porto", "Oporto", "4", "22", 7),
        _c("Braga", "", "47", "253", 6), _c("Coimbra", "", "30", "239", 6)),
        ("Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Carmo", "Praça do Comércio",
         "Rua da Prata", "Avenida dos Aliados"),
        (("91", 7), ("92", 7), ("93", 7), ("96", 7)), "99-999", True, ", {u}º Esq.",
        (("Avenida", "Av."), ("Rua", "R."), ("Praça", "Pç.")), ".pt"),
    Country("BR", "55", "0", (
        _c("São Paulo", "Sao Paulo|SP|SAO PAULO|S. Paulo", "01", "11", 8, "2345"),
        _c("Rio de Janeiro", "Rio|RJ", "20", "21", 8, "2345"),
        _c("Belo Horizonte", "BH", "30", "31", 8, "2345"), _c("Curitiba", "", "80", "41", 8, "2345"),
        _c("Porto Alegre", "POA", "90", "51", 8, "2345")),
        ("Rua das Flores", "Avenida Paulista", "Rua Augusta", "Avenida Brasil", "Rua XV de Novembro",
         "Avenida Atlântica", "Rua Oscar Freire", "Avenida Getúlio Vargas"),
        (("119", 8), ("219", 8), ("319", 8), ("419", 8), ("519", 8)), "999-999", True, " - apto {u}",
        (("Avenida", "Av."), ("Rua", "R.")), ".com.br"),
    Country("HU", "36", "06", (
        _c("Budapest", "BUDAPEST|Bp.|Budapest V. kerület", "10", "1", 7), _c("Debrecen", "", "40", "52", 6),
        _c("Szeged", "", "67", "62", 6), _c("Pécs", "Pecs", "76", "72", 6), _c("Győr", "Gyor", "90", "96", 6)),
        ("Kossuth Lajos utca", "Petőfi Sándor utca", "Rákóczi út", "Andrássy út", "Fő utca", "Széchenyi tér",
         "Ady Endre utca", "Bartók Béla út"),
        (("20", 7), ("30", 7), ("70", 7)), "99", True, " {u}. em.",
        (("utca", "u."), ("Lajos", "L."), ("Sándor", "S."), ("út", "ú.")), ".hu"),
    Country("RU", "7", "8", (
        _c("Moskva", "Moscow|Moskau|MOSKVA|Москва", "10", "495", 7),
        _c("Sankt-Peterburg", "Saint Petersburg|St. Petersburg|St Petersburg|Санкт-Петербург", "19", "812", 7),
        _c("Novosibirsk", "", "63", "383", 7), _c("Yekaterinburg", "Ekaterinburg|Jekaterinburg", "62", "343", 7),
        _c("Kazan", "Kazan'", "42", "843", 7)),
        ("ulitsa Tverskaya", "ulitsa Lenina", "prospekt Mira", "ulitsa Gagarina", "Nevsky prospekt",
         "ulitsa Pushkina", "ulitsa Sovetskaya", "Leninsky prospekt"),
        (("912", 7), ("916", 7), ("903", 7), ("926", 7), ("985", 7), ("915", 7)), "9999", True, ", kv. {u}",
        (("ulitsa", "ul."), ("prospekt", "pr-t"), ("prospekt", "prosp.")), ".ru"),
    Country("IS", "354", "", (
        _c("Reykjavík", "Reykjavik|REYKJAVÍK", "10", "5", 6, "156"), _c("Kópavogur", "Kopavogur", "20", "5", 6, "156"),
        _c("Hafnarfjörður", "Hafnarfjordur", "22", "5", 6, "156"), _c("Akureyri", "", "60", "46", 5)),
        ("Laugavegur", "Skólavörðustígur", "Hverfisgata", "Bankastræti", "Suðurlandsbraut", "Borgartún"),
        (("69", 5), ("77", 5), ("86", 5)), "9", True, ", íbúð {u}", (), ".is"),
    Country("JP", "81", "0", (
        _c("Tokyo", "Tōkyō|TOKYO|Tokyo-to", "10", "3", 8), _c("Osaka", "Ōsaka", "53", "6", 8),
        _c("Yokohama", "", "22", "45", 7), _c("Nagoya", "", "45", "52", 7), _c("Sapporo", "", "06", "11", 7, "235678"),
        _c("Fukuoka", "", "81", "92", 7)),
        ("Shibuya", "Shinjuku", "Minato-ku Akasaka", "Chiyoda-ku Marunouchi", "Umeda", "Sakae", "Tenjin",
         "Nishi-ku Kita"),
        (("901", 7), ("903", 7), ("905", 7), ("806", 7), ("808", 7), ("704", 7)), "9-9999", False, "Room {u}, ",
        (("-ku", " ku"),), ".co.jp"),
    Country("KR", "82", "0", (
        _c("Seoul", "SEOUL|Seoul Special City|Soul", "06", "2", 8), _c("Busan", "Pusan", "48", "51", 7),
        _c("Incheon", "Inchon", "21", "32", 7), _c("Daegu", "Taegu", "41", "53", 7)),
        ("Teheran-ro", "Sejong-daero", "Gangnam-daero", "Olympic-ro", "Haeundae-ro", "Dongseong-ro"),
        (("102", 7), ("103", 7), ("104", 7), ("106", 7), ("108", 7), ("109", 7)), "999", False, "#{u}, ",
        (("-ro", " ro"), ("-daero", " daero")), ".co.kr"),
    Country("TR", "90", "0", (
        _c("İstanbul", "Istanbul|ISTANBUL|Stambul", "34", "212", 7), _c("Ankara", "", "06", "312", 7),
        _c("İzmir", "Izmir|Smyrna", "35", "232", 7), _c("Bursa", "", "16", "224", 7),
        _c("Antalya", "", "07", "242", 7)),
        ("Atatürk Caddesi", "İstiklal Caddesi", "Cumhuriyet Caddesi", "Bağdat Caddesi", "Gazi Mustafa Kemal Bulvarı",
         "Kordon Boyu", "Fevzi Çakmak Sokak"),
        (("532", 7), ("533", 7), ("542", 7), ("505", 7), ("555", 7)), "999", True, " D: {u}",
        (("Caddesi", "Cad."), ("Caddesi", "Cd."), ("Sokak", "Sk."), ("Bulvarı", "Blv.")), ".com.tr"),
    Country("NG", "234", "0", (
        _c("Lagos", "LAGOS|Lagos Island|Ikeja", "10", "201", 7), _c("Abuja", "FCT Abuja", "90", "209", 7),
        _c("Ibadan", "", "20", "202", 7), _c("Port Harcourt", "PH|P/H", "50", "208", 7)),
        ("Adeola Odeku Street", "Awolowo Road", "Allen Avenue", "Herbert Macaulay Way", "Ahmadu Bello Way",
         "Ozumba Mbadiwe Avenue", "Obafemi Awolowo Way"),
        (("803", 7), ("806", 7), ("813", 7), ("703", 7), ("802", 7), ("905", 7)), "9999", False, "Flat {u}, ",
        (("Street", "St."), ("Road", "Rd."), ("Avenue", "Ave.")), ".com.ng"),
    Country("PH", "63", "0", (
        _c("Manila", "MANILA|City of Manila", "10", "2", 8, "345678"),
        _c("Quezon City", "QC|Q.C.", "11", "2", 8, "345678"),
        _c("Makati", "Makati City", "12", "2", 8, "345678"), _c("Cebu City", "Cebu", "60", "32", 7),
        _c("Davao City", "Davao", "80", "82", 7)),
        ("Rizal Avenue", "Ayala Avenue", "Taft Avenue", "Mabini Street", "Bonifacio Street", "Roxas Boulevard",
         "Aguinaldo Highway", "Osmeña Boulevard"),
        (("917", 7), ("918", 7), ("927", 7), ("995", 7), ("998", 7)), "99", False, "Unit {u}, ",
        (("Avenue", "Ave."), ("Street", "St."), ("Boulevard", "Blvd.")), ".com.ph"),
    Country("ID", "62", "0", (
        _c("Jakarta", "DKI Jakarta|Jakarta Selatan|JKT", "12", "21", 8), _c("Surabaya", "Soerabaja", "60", "31", 8),
        _c("Bandung", "", "40", "22", 8), _c("Medan", "", "20", "61", 7)),
        ("Jalan Sudirman", "Jalan Thamrin", "Jalan Gatot Subroto", "Jalan Diponegoro", "Jalan Merdeka",
         "Jalan Asia Afrika"),
        (("812", 8), ("813", 8), ("821", 8), ("857", 8)), "999", True, " Blok {u}", (("Jalan", "Jl."),), ".co.id"),
    Country("IN", "91", "0", (
        _c("Chennai", "Madras|CHENNAI", "600", "44", 8, "234567"), _c("Coimbatore", "Kovai", "641", "422", 7, "234567"),
        _c("Madurai", "", "625", "452", 7, "234567"), _c("Bengaluru", "Bangalore|BLR", "560", "80", 8)),
        ("Anna Salai", "Mount Road", "T. Nagar Main Road", "Gandhi Street", "Nehru Street", "Mahatma Gandhi Road",
         "Avinashi Road", "Velachery Main Road"),
        (("98", 8), ("94", 8), ("99", 8), ("70", 8)), "999", False, "Flat {u}, ",
        (("Road", "Rd"), ("Street", "St"), ("Mahatma Gandhi", "M.G."), ("Main Road", "Main Rd")), ".co.in"),
    Country("GR", "30", "", (
        _c("Athina", "Athens|Athína|ATHINA", "10", "21", 8),
        _c("Thessaloniki", "Salonica|Thessaloníki", "54", "231", 7),
        _c("Patra", "Patras", "26", "261", 7), _c("Irakleio", "Heraklion|Iraklio", "71", "281", 7)),
        ("Ermou", "Stadiou", "Panepistimiou", "Akadimias", "Egnatia", "Tsimiski", "Vasilissis Sofias"),
        (("69", 8),), "9 99", True, ", {u}os orofos", (("Leoforos", "Leof."), ("Odos", "Od.")), ".gr"),
    Country("MA", "212", "0", (
        _c("Casablanca", "Dar el Beida|Casa|CASABLANCA", "20", "522", 6), _c("Rabat", "", "10", "537", 6),
        _c("Marrakech", "Marrakesh|Marrakech Medina", "40", "524", 6, "234678"), _c("Fès", "Fes|Fez", "30", "535", 6),
        _c("Tanger", "Tangier|Tanja", "90", "539", 6, "3456789")),
        ("Boulevard Zerktouni", "Avenue Mohammed V", "Rue Ibn Battouta", "Boulevard Anfa", "Avenue Hassan II",
         "Rue de Fès", "Boulevard d'Anfa"),
        (("61", 7), ("66", 7), ("67", 7), ("70", 7)), "999", False, "Appt {u}, ",
        (("Boulevard", "Bd"), ("Avenue", "Av."), ("Mohammed", "Med")), ".ma"),
)}

#: free-mail providers: (domain, countries where it is common; empty = everywhere)
FREEMAIL: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gmail.com", ()), ("yahoo.com", ()), ("outlook.com", ()), ("hotmail.com", ()), ("icloud.com", ()),
    ("protonmail.com", ()), ("live.com", ()), ("aol.com", ("US",)), ("comcast.net", ("US",)),
    ("gmx.de", ("DE",)), ("web.de", ("DE",)), ("t-online.de", ("DE",)), ("gmx.net", ("DE",)),
    ("orange.fr", ("FR", "MA")), ("free.fr", ("FR",)), ("laposte.net", ("FR",)), ("yahoo.fr", ("FR", "MA")),
    ("hotmail.fr", ("FR", "MA")), ("wanadoo.fr", ("FR",)), ("libero.it", ("IT",)), ("virgilio.it", ("IT",)),
    ("alice.it", ("IT",)), ("ziggo.nl", ("NL",)), ("kpnmail.nl", ("NL",)), ("hetnet.nl", ("NL",)),
    ("planet.nl", ("NL",)), ("btinternet.com", ("GB",)), ("yahoo.co.uk", ("GB",)), ("sky.com", ("GB",)),
    ("eircom.net", ("IE",)), ("telefonica.net", ("ES",)), ("yahoo.es", ("ES", "MX")), ("prodigy.net.mx", ("MX",)),
    ("sapo.pt", ("PT",)), ("uol.com.br", ("BR",)), ("bol.com.br", ("BR",)), ("terra.com.br", ("BR",)),
    ("freemail.hu", ("HU",)), ("citromail.hu", ("HU",)), ("mail.ru", ("RU",)), ("yandex.ru", ("RU",)),
    ("simnet.is", ("IS",)), ("yahoo.co.jp", ("JP",)), ("docomo.ne.jp", ("JP",)), ("naver.com", ("KR",)),
    ("daum.net", ("KR",)), ("hanmail.net", ("KR",)), ("yandex.com.tr", ("TR",)), ("yahoo.com.ph", ("PH",)),
    ("yahoo.co.id", ("ID",)), ("rediffmail.com", ("IN",)), ("yahoo.co.in", ("IN",)), ("otenet.gr", ("GR",)),
    ("menara.ma", ("MA",)),
)

#: role and shared mailboxes, by language of the company's country
ROLE_LOCALS: dict[str, tuple[str, ...]] = {
    "en": ("info", "sales", "office", "accounts", "orders", "admin", "hello", "enquiries", "contact"),
    "nl": ("info", "verkoop", "kantoor", "administratie", "inkoop", "office", "planning"),
    "de": ("info", "kontakt", "vertrieb", "buero", "office", "einkauf", "zentrale", "buchhaltung"),
    "fr": ("contact", "info", "commercial", "accueil", "compta", "direction", "ventes"),
    "it": ("info", "amministrazione", "commerciale", "ufficio", "vendite", "segreteria"),
    "es": ("info", "ventas", "administracion", "contacto", "comercial", "oficina", "pedidos"),
    "pt": ("geral", "comercial", "contato", "financeiro", "info", "vendas"),
    "hu": ("info", "iroda", "ertekesites", "penzugy", "office"),
    "ru": ("info", "office", "sales", "zakaz", "buh"),
    "tr": ("info", "satis", "muhasebe", "iletisim", "bilgi"),
}

#: words a company is named with, by language: (sector words, legal forms)
SECTORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (("Logistics", "Freight", "Supplies", "Engineering", "Holdings", "Trading", "Distribution", "Packaging",
            "Foods", "Systems", "Industries", "Shipping", "Cold Storage"), ("Ltd", "Limited", "LLC", "Inc.", "plc",
                                                                           "& Sons", "Group", "")),
    "nl": (("Transport", "Logistiek", "Handelsonderneming", "Koeltechniek", "Installatietechniek", "Verpakkingen",
            "Groothandel", "Bouw"), ("B.V.", "BV", "V.O.F.", "& Zn.", "Holding B.V.", "")),
    "de": (("Spedition", "Logistik", "Maschinenbau", "Handels", "Lagertechnik", "Verpackung", "Elektro",
            "Kühlhaus"), ("GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "")),
    "fr": (("Transports", "Logistique", "Entrepôts", "Distribution", "Emballages", "Négoce", "Froid Industriel"),
           ("SARL", "SAS", "SA", "& Fils", "EURL", "")),
    "it": (("Trasporti", "Logistica", "Spedizioni", "Imballaggi", "Commerciale", "Meccanica", "Alimentari"),
           ("S.r.l.", "Srl", "S.p.A.", "& Figli", "S.n.c.", "")),
    "es": (("Transportes", "Logística", "Distribuciones", "Embalajes", "Comercial", "Almacenes", "Frigoríficos"),
           ("S.L.", "SL", "S.A.", "e Hijos", "S.L.U.", "")),
    "pt": (("Transportes", "Logística", "Distribuidora", "Embalagens", "Comercial", "Armazéns"),
           ("Lda.", "Ltda.", "S.A.", "& Filhos", "ME", "")),
    "hu": (("Szállítmányozási", "Logisztikai", "Kereskedelmi", "Csomagolástechnikai", "Fuvarozó"),
           ("Kft.", "Zrt.", "Bt.", "Nyrt.", "")),
    "ru": (("Logistik", "Trans", "Snab", "Torg", "Gruz", "Sklad"), ("OOO", "AO", "PAO", "IP", "")),
    "tr": (("Lojistik", "Nakliyat", "Ticaret", "Ambalaj", "Gıda", "Depoculuk"), ("A.Ş.", "Ltd. Şti.", "San. Tic.",
                                                                                 "")),
}

#: job titles: one concept, written in each language (English first). Other languages fall back to English.
TITLES: tuple[dict[str, str], ...] = (
    {"en": "Purchasing Manager", "nl": "Inkoopmanager", "de": "Einkaufsleiter", "fr": "Responsable des achats",
     "it": "Responsabile acquisti", "es": "Jefe de compras", "pt": "Gerente de compras",
     "hu": "Beszerzési vezető", "ru": "Менеджер по закупкам", "tr": "Satın Alma Müdürü"},
    {"en": "Managing Director", "nl": "Directeur", "de": "Geschäftsführer", "fr": "Directeur général",
     "it": "Amministratore delegato", "es": "Director general", "pt": "Diretor-geral", "hu": "Ügyvezető igazgató",
     "ru": "Генеральный директор", "tr": "Genel Müdür"},
    {"en": "Accountant", "nl": "Boekhouder", "de": "Buchhalterin", "fr": "Comptable", "it": "Contabile",
     "es": "Contable", "pt": "Contabilista", "hu": "Könyvelő", "ru": "Бухгалтер", "tr": "Muhasebeci"},
    {"en": "Warehouse Supervisor", "nl": "Magazijnchef", "de": "Lagerleiter", "fr": "Chef d'entrepôt",
     "it": "Capo magazziniere", "es": "Jefe de almacén", "pt": "Encarregado de armazém", "hu": "Raktárvezető",
     "ru": "Начальник склада", "tr": "Depo Sorumlusu"},
    {"en": "Key Account Manager", "nl": "Accountmanager", "de": "Key-Account-Manager", "fr": "Chargé d'affaires",
     "it": "Key account", "es": "Gestor de cuentas clave", "pt": "Gestor de contas", "hu": "Kulcsügyfél-menedzser",
     "ru": "Менеджер по работе с ключевыми клиентами", "tr": "Kilit Müşteri Yöneticisi"},
    {"en": "Customs Broker", "nl": "Douane-expediteur", "de": "Zollsachbearbeiter", "fr": "Déclarant en douane",
     "it": "Spedizioniere doganale", "es": "Agente de aduanas", "pt": "Despachante aduaneiro",
     "hu": "Vámügyintéző", "ru": "Таможенный брокер", "tr": "Gümrük Müşaviri"},
    {"en": "IT Manager", "nl": "ICT-manager", "de": "IT-Leiter", "fr": "Responsable informatique",
     "it": "Responsabile IT", "es": "Responsable de sistemas", "pt": "Gestor de TI", "hu": "Informatikai vezető",
     "ru": "Руководитель ИТ-отдела", "tr": "Bilgi İşlem Müdürü"},
    {"en": "Office Manager", "nl": "Office manager", "de": "Büroleiterin", "fr": "Assistante de direction",
     "it": "Segretaria", "es": "Secretaria de dirección", "pt": "Secretária", "hu": "Irodavezető",
     "ru": "Офис-менеджер", "tr": "Ofis Müdürü"},
    {"en": "Dispatcher", "nl": "Planner", "de": "Disponent", "fr": "Affréteur", "it": "Operativo traffico",
     "es": "Planificador de tráfico", "pt": "Planeador", "hu": "Diszpécser", "ru": "Диспетчер",
     "tr": "Operasyon Sorumlusu"},
    {"en": "Chief Financial Officer", "nl": "Financieel directeur", "de": "Finanzvorstand",
     "fr": "Directeur administratif et financier", "it": "Direttore finanziario", "es": "Director financiero",
     "pt": "Diretor financeiro", "hu": "Gazdasági igazgató", "ru": "Финансовый директор",
     "tr": "Mali İşler Direktörü"},
    {"en": "Sales Representative", "nl": "Vertegenwoordiger", "de": "Außendienstmitarbeiter",
     "fr": "Commercial terrain", "it": "Agente di commercio", "es": "Representante comercial",
     "pt": "Representante comercial", "hu": "Területi képviselő", "ru": "Торговый представитель",
     "tr": "Satış Temsilcisi"},
    {"en": "Quality Engineer", "nl": "Kwaliteitsmedewerker", "de": "Qualitätsingenieur", "fr": "Ingénieur qualité",
     "it": "Ingegnere qualità", "es": "Ingeniero de calidad", "pt": "Engenheiro de qualidade",
     "hu": "Minőségügyi mérnök", "ru": "Инженер по качеству", "tr": "Kalite Mühendisi"},
)

#: short forms a user types for a title (applied to the English form)
TITLE_SHORT: dict[str, str] = {
    "Purchasing Manager": "Purch. Mgr", "Managing Director": "MD", "Warehouse Supervisor": "WH Supervisor",
    "Key Account Manager": "KAM", "IT Manager": "IT Mgr", "Chief Financial Officer": "CFO",
    "Sales Representative": "Sales Rep", "Office Manager": "Office Mgr", "Quality Engineer": "QA Eng.",
}

DEPARTMENTS: tuple[dict[str, str], ...] = (
    {"en": "Purchasing", "nl": "Inkoop", "de": "Einkauf", "fr": "Achats", "it": "Acquisti", "es": "Compras",
     "pt": "Compras", "hu": "Beszerzés", "ru": "Отдел закупок", "tr": "Satın Alma"},
    {"en": "Finance", "nl": "Financiën", "de": "Finanzen", "fr": "Comptabilité", "it": "Amministrazione",
     "es": "Administración", "pt": "Financeiro", "hu": "Pénzügy", "ru": "Бухгалтерия", "tr": "Muhasebe"},
    {"en": "Logistics", "nl": "Logistiek", "de": "Logistik", "fr": "Logistique", "it": "Logistica",
     "es": "Logística", "pt": "Logística", "hu": "Logisztika", "ru": "Логистика", "tr": "Lojistik"},
    {"en": "Sales", "nl": "Verkoop", "de": "Vertrieb", "fr": "Service commercial", "it": "Ufficio commerciale",
     "es": "Ventas", "pt": "Comercial", "hu": "Értékesítés", "ru": "Отдел продаж", "tr": "Satış"},
    {"en": "IT", "nl": "ICT", "de": "EDV", "fr": "Informatique", "it": "Sistemi informativi", "es": "Sistemas",
     "pt": "Informática", "hu": "Informatika", "ru": "ИТ-отдел", "tr": "Bilgi İşlem"},
    {"en": "Warehouse", "nl": "Magazijn", "de": "Lager", "fr": "Entrepôt", "it": "Magazzino", "es": "Almacén",
     "pt": "Armazém", "hu": "Raktár", "ru": "Склад", "tr": "Depo"},
    {"en": "Management", "nl": "Directie", "de": "Geschäftsleitung", "fr": "Direction", "it": "Direzione",
     "es": "Dirección", "pt": "Direção", "hu": "Vezetőség", "ru": "Дирекция", "tr": "Yönetim"},
    {"en": "Customer Service", "nl": "Klantenservice", "de": "Kundendienst", "fr": "Service client",
     "it": "Assistenza clienti", "es": "Atención al cliente", "pt": "Apoio ao cliente", "hu": "Ügyfélszolgálat",
     "ru": "Служба поддержки", "tr": "Müşteri Hizmetleri"},
)
