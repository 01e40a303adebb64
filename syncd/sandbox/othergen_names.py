"""Name tables of the second generator (:mod:`syncd.sandbox.othergen`), kept apart from ``people.py``'s.

Written from what is known of naming conventions, not from what any matcher handles: most-common first
(the generator draws them with Zipf-like weights, so "de Jong" is frequent and namesakes happen by
themselves), with the structures that break simple "given family" splitting — particles, double and
patronymic surnames, family-first order, initials, single names.
"""

# ruff: noqa: RUF001  (names and places are written in their own scripts, on purpose)
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALIASES", "CULTURES", "Culture"]


@dataclass(frozen=True, slots=True)
class Culture:
    key: str
    country: str
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    #: how the family name is built: plain, double (two surnames), patronymic_ru, patronymic_is,
    #: initial (Tamil: father's initial), mononym (one name only), compound_pt (da Silva Santos)
    structure: str = "plain"
    #: native order of a full name
    family_first: bool = False
    #: what marriage does to a woman's family name: takes, double (hyphenated), keeps
    marriage: str = "takes"
    lang: str = "en"


def _t(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


CULTURES: tuple[Culture, ...] = (
    Culture("nl", "NL", 11,
            _t("Johannes, Cornelis, Hendrik, Jan, Pieter, Willem, Gerrit, Jacobus, Dirk, Sander, Bram, Thijs, "
               "Daan, Ruben, Joost, Maarten, Wouter, Koen, Floris, Stijn"),
            _t("Maria, Anna, Johanna, Cornelia, Wilhelmina, Petronella, Sanne, Femke, Lieke, Marieke, Anouk, "
               "Eva, Sophie, Fleur, Ingrid, Geertruida, Annelies, Esther, Mirjam, Noor"),
            _t("de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, "
               "de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer, de Wit, "
               "Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan, Vermeulen, "
               "van den Heuvel, van der Veen, van den Broek, de Bruijn, van Beek, ter Horst, Hoekstra, "
               "Verhoeven, van 't Hof, in 't Veld"),
            marriage="double", lang="nl"),
    Culture("de", "DE", 8,
            _t("Wolfgang, Klaus, Jürgen, Dieter, Uwe, Stefan, Andreas, Matthias, Christian, Tobias, Florian, "
               "Maximilian, Alexander, Johann, Günther, Heinz, Jörg, Ralf"),
            _t("Ursula, Monika, Petra, Sabine, Renate, Claudia, Katharina, Stefanie, Elisabeth, Birgit, Anja, "
               "Julia, Franziska, Gisela, Jutta, Dörte, Heike, Silke"),
            _t("Schulze, Krause, Lehmann, Köhler, Herrmann, König, Walter, Peters, Möller, Mayer, Huber, "
               "Kaiser, Fuchs, Scholz, Lang, Weiß, Jung, Hahn, Vogel, Friedrich, Keller, Günther, Frank, Berger, "
               "Winkler, Roth, Beck, Lorenz, Baumann, von Arnim, von der Heide, Meyer-Landrut, Schmitz, "
               "Müller-Wohlfahrt, Stöß"),
            marriage="takes", lang="de"),
    Culture("gb", "GB", 7,
            _t("Oliver, George, Harry, Jack, Charlie, Edward, Henry, Alfie, Freddie, Archie, Rhys, Callum, "
               "Gareth, Nigel, Graham, Alistair, Ewan"),
            _t("Olivia, Amelia, Isla, Emily, Poppy, Catherine, Margaret, Eleanor, Harriet, Imogen, Siobhan, "
               "Gemma, Kirsty, Fiona, Bethan, Hannah"),
            _t("Smith, Jones, Taylor, Williams, Brown, Davies, Evans, Wilson, Thomas, Roberts, Johnson, Lewis, "
               "Walker, Robinson, Wood, Thompson, White, Watson, Jackson, Wright, Green, Harris, Cooper, King, "
               "Hughes, Morgan, Edwards, Ap Rhys, Fotheringham-Smythe, Lloyd-Webber, Bowes-Lyon, MacDonald, "
               "McKenzie, Ffrench"),
            marriage="takes", lang="en"),
    Culture("ie", "IE", 2,
            _t("Seán, Patrick, Liam, Conor, Cian, Darragh, Eoin, Ciarán, Padraig, Donal, Cathal, Fionn"),
            _t("Aoife, Siobhán, Niamh, Saoirse, Róisín, Aisling, Caoimhe, Orla, Sinéad, Máire, Gráinne"),
            _t("Murphy, Kelly, O'Sullivan, Walsh, O'Brien, Byrne, Ryan, O'Connor, O'Neill, O'Reilly, Doyle, "
               "McCarthy, Gallagher, O'Doherty, Kennedy, Lynch, Ó Súilleabháin, Mac Giolla Phádraig, "
               "Fitzgerald, McGrath"),
            marriage="takes", lang="en"),
    Culture("us", "US", 7,
            _t("Michael, Christopher, Matthew, Joshua, Tyler, Brandon, Justin, Austin, Kevin, Dylan, Cody, "
               "Jeremy, Travis, Chad, Dwayne, Jamal, Darnell, Hunter"),
            _t("Ashley, Brittany, Amanda, Samantha, Stephanie, Megan, Kayla, Courtney, Tiffany, Heather, "
               "Crystal, Amber, Shaniqua, Madison, Kimberly, Dana"),
            _t("Miller, Garcia, Rodriguez, Martinez, Hernandez, Lopez, Gonzalez, Anderson, Moore, Martin, "
               "Lee, Perez, Thompson, Sanchez, Clark, Ramirez, Young, Allen, Washington, Jefferson, O'Malley, "
               "Nguyen, Kowalski, Schwartz, Rosenberg, DiMaggio, St. James, Van Buren, LaRue, Smith-Jackson"),
            marriage="takes", lang="en"),
    Culture("fr", "FR", 7,
            _t("Jean-Pierre, Jean-Luc, Philippe, Nicolas, Christophe, Sébastien, Frédéric, Olivier, Laurent, "
               "Guillaume, Thierry, Benoît, Mathieu, Jean-Baptiste, Rémi, Gaëtan, Loïc, Hervé"),
            _t("Marie-Claire, Nathalie, Isabelle, Sylvie, Sandrine, Valérie, Céline, Aurélie, Émilie, Élodie, "
               "Anne-Sophie, Marie-Hélène, Françoise, Véronique, Géraldine, Maëlle, Océane"),
            _t("Lefebvre, Leroy, Roux, Morel, Fournier, Girard, Bonnet, Mercier, Blanc, Guérin, Muller, "
               "Faure, André, Chevalier, François, Gauthier, de la Fontaine, Le Gall, Le Goff, Dupont de Ligonnès, "
               "Saint-Exupéry, d'Arcy, Lemaître, Boucher, Giraud, Perrin, N'Diaye"),
            marriage="takes", lang="fr"),
    Culture("it", "IT", 6,
            _t("Giuseppe, Giovanni, Antonio, Francesco, Alessandro, Lorenzo, Matteo, Andrea, Luca, Marco, "
               "Gianluca, Pierpaolo, Salvatore, Vincenzo, Domenico"),
            _t("Giulia, Francesca, Chiara, Federica, Alessia, Martina, Giovanna, Rosaria, Annamaria, Maria Grazia, "
               "Concetta, Raffaella, Elisabetta"),
            _t("Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, "
               "Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, D'Angelo, Di Stefano, "
               "Dell'Acqua, La Rosa, Lo Bianco"),
            marriage="keeps", lang="it"),
    Culture("es", "ES", 4,
            _t("Alejandro, Pablo, Sergio, Jorge, Alberto, Raúl, Rubén, Íñigo, Borja, Gonzalo, Xavier, Jordi"),
            _t("Lucía, Paula, Marta, Cristina, Laura, Nuria, Montserrat, Pilar, Begoña, Itziar, Ainhoa, "
               "María José, María del Carmen"),
            _t("García, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Ruiz, Hernández, Jiménez, Díaz, "
               "Moreno, Álvarez, Muñoz, Romero, Navarro, Torres, Serrano, Blanco, Suárez, Ortega, Castro, "
               "Iglesias, de la Torre, del Río, Puig, Vidal"),
            structure="double", marriage="keeps", lang="es"),
    Culture("mx", "MX", 2,
            _t("José Luis, Juan Carlos, Miguel Ángel, Luis, Jesús, Fernando, Ricardo, Arturo, Héctor"),
            _t("Guadalupe, María Fernanda, Ximena, Alejandra, Daniela, Verónica, Adriana, Rocío"),
            _t("Hernández, García, Martínez, López, González, Rodríguez, Pérez, Sánchez, Ramírez, Cruz, Flores, "
               "Gómez, Morales, Vázquez, Reyes, Jiménez, Torres, Mendoza, Ruiz, Aguilar"),
            structure="double", marriage="keeps", lang="es"),
    Culture("pt", "PT", 2,
            _t("João, Tiago, Rodrigo, Duarte, Gonçalo, Rui, Nuno, Vasco, Afonso"),
            _t("Inês, Beatriz, Margarida, Leonor, Mariana, Catarina, Joana, Rita, Conceição"),
            _t("Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins, Sousa, Fernandes, "
               "Gonçalves, Gomes, Lopes, Marques, Almeida, Ribeiro, Pinto, Carvalho, Teixeira, Moreira"),
            structure="compound_pt", marriage="double", lang="pt"),
    Culture("br", "BR", 5,
            _t("João Pedro, Lucas, Gabriel, Rafael, Thiago, Felipe, Bruno, Leandro, Anderson, Wellington, "
               "Cleiton, Luiz Henrique, Marcos"),
            _t("Ana Clara, Maria Eduarda, Juliana, Camila, Fernanda, Aline, Patrícia, Vanessa, Tatiane, "
               "Luana, Gisele, Simone"),
            _t("Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, Costa, "
               "Ribeiro, Martins, Carvalho, Almeida, Lopes, Soares, Fernandes, Vieira, Barbosa, Nascimento"),
            structure="compound_pt", marriage="double", lang="pt"),
    Culture("hu", "HU", 3,
            _t("László, István, József, Zoltán, Sándor, Gábor, Attila, Péter, Tamás, Balázs, Ferenc, Gyula"),
            _t("Mária, Erzsébet, Katalin, Ilona, Éva, Anikó, Zsuzsanna, Krisztina, Ildikó, Tímea, Enikő"),
            _t("Nagy, Kovács, Tóth, Szabó, Horváth, Varga, Kiss, Molnár, Németh, Farkas, Balogh, Papp, "
               "Takács, Juhász, Lakatos, Mészáros, Oláh, Simon, Rácz, Fekete, Szűcs, Kőszegi"),
            family_first=True, marriage="takes", lang="hu"),
    Culture("ru", "RU", 4,
            _t("Aleksandr, Sergei, Dmitri, Andrei, Aleksei, Mikhail, Nikolai, Vladimir, Yuri, Igor, Oleg, "
               "Pavel, Konstantin, Yevgeny"),
            _t("Yelena, Olga, Natalya, Tatyana, Irina, Svetlana, Yekaterina, Anastasia, Yulia, Marina, "
               "Lyudmila, Ksenia"),
            _t("Ivanov, Smirnov, Kuznetsov, Popov, Vasiliev, Petrov, Sokolov, Mikhailov, Novikov, Fyodorov, "
               "Morozov, Volkov, Alekseev, Lebedev, Semyonov, Yegorov, Kozlov, Stepanov, Nikolaev, Orlov"),
            structure="patronymic_ru", marriage="takes", lang="ru"),
    Culture("is", "IS", 1,
            _t("Jón, Sigurður, Guðmundur, Gunnar, Ólafur, Einar, Kristján, Magnús, Stefán, Þórður"),
            _t("Guðrún, Anna, Kristín, Sigríður, Margrét, Helga, Sigrún, Ingibjörg, Jóhanna, Þóra"),
            (), structure="patronymic_is", marriage="keeps", lang="en"),
    Culture("jp", "JP", 4,
            _t("Hiroshi, Takashi, Kenji, Daisuke, Yusuke, Shota, Kazuki, Haruto, Takumi, Ryo, Kenta, Naoki"),
            _t("Yuko, Keiko, Akiko, Tomoko, Yumi, Ayaka, Misaki, Haruka, Sakura, Yui, Naomi, Mai"),
            _t("Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato, Yoshida, "
               "Yamada, Sasaki, Yamaguchi, Matsumoto, Inoue, Kimura, Hayashi, Shimizu, Saito"),
            family_first=True, marriage="takes", lang="en"),
    Culture("kr", "KR", 3,
            _t("Min-jun, Seo-jun, Do-yun, Ji-ho, Joon-young, Sung-min, Hyun-woo, Jae-won, Dong-hyun"),
            _t("Seo-yeon, Ji-woo, Min-seo, Ha-eun, Soo-jin, Eun-ji, Hye-jin, Yoon-ah, Ji-hye"),
            _t("Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Oh, Seo, Shin, Kwon"),
            family_first=True, marriage="keeps", lang="en"),
    Culture("tr", "TR", 4,
            _t("Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Hasan, İbrahim, İsmail, Emre, Burak, Oğuz, Çağrı"),
            _t("Ayşe, Fatma, Emine, Hatice, Zeynep, Elif, Özlem, Gülşen, Şule, Büşra, İrem, Sevgi"),
            _t("Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, Arslan, Doğan, "
               "Kılıç, Aslan, Çetin, Kara, Koç, Kurt, Özkan, Şimşek"),
            marriage="double", lang="tr"),
    Culture("ng", "NG", 4,
            _t("Oluwaseun, Chukwuemeka, Adebayo, Olumide, Babatunde, Chinedu, Ikechukwu, Emeka, Tunde, Ifeanyi, "
               "Obinna, Abubakar"),
            _t("Oluwatobiloba, Chiamaka, Ngozi, Folasade, Adaeze, Funmilayo, Chinonso, Yetunde, Aisha, Ifeoma, "
               "Nkechi, Temitope"),
            _t("Adeyemi, Okafor, Okonkwo, Balogun, Adebayo, Nwosu, Eze, Olawale, Ogunleye, Abubakar, Bello, "
               "Ibrahim, Okoro, Chukwu, Oyelaran, Adewale, Nnamdi, Obi, Onyeka, Afolabi"),
            marriage="takes", lang="en"),
    Culture("ph", "PH", 3,
            _t("Jose, Juan, Mark Anthony, John Paul, Ronaldo, Rodel, Jomar, Reynaldo, Ariel, Romeo"),
            _t("Maria Cristina, Ma. Teresa, Jennylyn, Rowena, Mary Grace, Lorna, Marites, Kristine, Rhea"),
            _t("Dela Cruz, Santos, Reyes, Garcia, Mendoza, Bautista, Ocampo, Villanueva, Castillo, Ramos, "
               "Aquino, De Leon, Del Rosario, Gonzales, Manalo, Macaraeg, Dimaculangan, Pangilinan"),
            marriage="takes", lang="en"),
    Culture("id", "ID", 2,
            _t("Sukarno, Budi, Agus, Joko, Wahyu, Bambang, Slamet, Hendra, Eko"),
            _t("Sri, Dewi, Wulan, Ratna, Siti, Indah, Kartini, Rini, Endang"),
            (), structure="mononym", marriage="keeps", lang="en"),
    Culture("ta", "IN", 3,
            _t("Ramesh, Suresh, Karthik, Senthil, Venkatesh, Murugan, Arun, Prakash, Saravanan, Balaji"),
            _t("Lakshmi, Priya, Kavitha, Meena, Revathi, Deepa, Anitha, Sangeetha, Divya, Janani"),
            _t("Krishnan, Ramasamy, Subramanian, Natarajan, Venkataraman, Raghavan, Sundaram, Rajendran, "
               "Balasubramanian, Govindarajan, Annamalai, Chidambaram"),
            structure="initial", marriage="keeps", lang="en"),
    Culture("gr", "GR", 2,
            _t("Georgios, Konstantinos, Dimitrios, Ioannis, Nikolaos, Panagiotis, Christos, Vasileios, "
               "Athanasios, Evangelos"),
            _t("Maria, Eleni, Aikaterini, Vasiliki, Sofia, Angeliki, Dimitra, Georgia, Paraskevi, Ioanna"),
            _t("Papadopoulos, Papadakis, Georgiou, Nikolaidis, Pappas, Vlachos, Oikonomou, Dimitriou, "
               "Konstantinidis, Karagiannis, Antoniou, Christodoulou, Papanikolaou, Makris"),
            marriage="takes", lang="en"),
    Culture("ma", "MA", 2,
            _t("Mohamed, Youssef, Abdelkader, Hicham, Rachid, Karim, Mehdi, Abderrahim, Said, Nabil"),
            _t("Fatima Zahra, Khadija, Naima, Salma, Meriem, Hanane, Imane, Zineb, Souad, Latifa"),
            _t("El Amrani, Benali, Alaoui, El Idrissi, Bennani, Tazi, Chraibi, Berrada, Ouazzani, El Fassi, "
               "Benjelloun, Ait Ben Haddou, Lahlou, Kettani"),
            marriage="keeps", lang="fr"),
)

#: Other written forms of one name: nicknames, short forms, anglicised forms and transliterations. The
#: first entry is what a copy most often uses; any may appear. Keys are the forms in CULTURES.
ALIASES: dict[str, tuple[str, ...]] = {
    # nl
    "Johannes": ("Jan", "Hans", "Joop", "Johan"), "Cornelis": ("Kees", "Cor", "Niels"), "Hendrik": ("Henk", "Rik"),
    "Pieter": ("Piet", "Peter"), "Willem": ("Wim", "Pim"), "Gerrit": ("Gert", "Gerard"),
    "Jacobus": ("Koos", "Jaap", "Jacob"), "Wilhelmina": ("Willy", "Mien", "Mina"),
    "Petronella": ("Nel", "Ellie"), "Geertruida": ("Truus", "Trudy"), "Johanna": ("Jo", "Hanneke", "Anneke"),
    "Cornelia": ("Corrie", "Nelleke"), "Maria": ("Mieke", "Marie", "Ria"), "Annelies": ("Lies", "Anne"),
    # de
    "Wolfgang": ("Wolf",), "Andreas": ("Andi", "Andy"), "Christian": ("Chris",), "Maximilian": ("Max",),
    "Alexander": ("Alex", "Sascha", "Sandy"), "Johann": ("Hans",), "Katharina": ("Kathi", "Katja", "Catherine"),
    "Stefanie": ("Steffi",), "Elisabeth": ("Lisa", "Sissi", "Elise", "Betty"), "Franziska": ("Franzi",),
    "Jürgen": ("Juergen", "Jurgen"), "Günther": ("Guenther", "Gunther"), "Matthias": ("Matze", "Matthew"),
    # gb / ie / us
    "Edward": ("Ed", "Ted", "Ned"), "Henry": ("Harry", "Hal"), "Charlie": ("Charles", "Chaz"),
    "Alfie": ("Alfred", "Alf"), "Freddie": ("Frederick", "Fred"), "Archie": ("Archibald",),
    "Catherine": ("Kate", "Cathy", "Katie"), "Margaret": ("Peggy", "Meg", "Maggie", "Greta"),
    "Eleanor": ("Ellie", "Nell"), "Harriet": ("Hattie",), "Alistair": ("Ali", "Alastair"),
    "Patrick": ("Paddy", "Pat"), "Seán": ("Sean", "Shawn", "John"), "Padraig": ("Patrick", "Paddy"),
    "Siobhán": ("Siobhan", "Joan"), "Máire": ("Maire", "Mary", "Moira"), "Ciarán": ("Ciaran", "Kieran"),
    "Eoin": ("Owen", "Eugene"), "Róisín": ("Roisin", "Rosaleen"), "Sinéad": ("Sinead", "Jane"),
    "Michael": ("Mike", "Mikey", "Mick"), "Christopher": ("Chris", "Topher", "Kit"), "Matthew": ("Matt",),
    "Joshua": ("Josh",), "Kimberly": ("Kim",), "Samantha": ("Sam", "Sammy"), "Stephanie": ("Steph",),
    "Jeremy": ("Jerry",), "Amanda": ("Mandy",), "Jefferson": ("Jeff",), "Madison": ("Maddy",),
    # fr
    "Jean-Pierre": ("Jean Pierre", "J.-P.", "JP"), "Jean-Luc": ("Jean Luc", "J.-L."), "Frédéric": ("Fred",),
    "Jean-Baptiste": ("Jean Baptiste", "JB", "J.-B."), "Marie-Claire": ("Marie Claire", "Claire"),
    "Anne-Sophie": ("Anne Sophie", "Sophie"), "Marie-Hélène": ("Marie Hélène", "Hélène"),
    "Christophe": ("Chris",), "Nathalie": ("Nat", "Natalie"), "Guillaume": ("William",),
    # it
    "Giuseppe": ("Peppe", "Beppe", "Pino", "Joseph"), "Giovanni": ("Gianni", "Nanni", "John"),
    "Francesco": ("Franco", "Cecco", "Frank"), "Alessandro": ("Sandro", "Alex", "Ale"),
    "Salvatore": ("Totò", "Turi", "Sal"), "Vincenzo": ("Enzo", "Vince"), "Domenico": ("Mimmo", "Nico"),
    "Maria Grazia": ("Mariagrazia", "Grazia"), "Annamaria": ("Anna Maria", "Anna"), "Elisabetta": ("Betta",),
    "Concetta": ("Tina", "Connie"), "Raffaella": ("Lella",), "Giovanna": ("Gianna", "Jo"),
    "Pierpaolo": ("Pier Paolo", "Paolo"), "Gianluca": ("Gian Luca", "Luca"),
    # es / mx
    "Alejandro": ("Álex", "Alex", "Jandro"), "Íñigo": ("Inigo", "Ignacio"), "Xavier": ("Javier", "Xavi"),
    "Jordi": ("Jorge",), "Montserrat": ("Montse",), "María José": ("Majo", "María", "Mari Jose"),
    "María del Carmen": ("Carmen", "Mari Carmen", "Maricarmen"), "Begoña": ("Bego",), "Pilar": ("Pili",),
    "José Luis": ("Pepe", "José", "JL"), "Juan Carlos": ("Juanca", "Juan"), "Miguel Ángel": ("Miguel",),
    "Jesús": ("Chuy", "Jesus"), "Guadalupe": ("Lupe", "Lupita"), "María Fernanda": ("Marifer", "Fernanda"),
    "Rocío": ("Chío",), "Alejandra": ("Ale",),
    # pt / br
    "João": ("Joao", "John"), "Gonçalo": ("Goncalo",), "Margarida": ("Guida", "Margaret"),
    "Conceição": ("São", "Conceicao"), "João Pedro": ("JP", "João", "Joao Pedro"), "Luiz Henrique": ("Luiz",),
    "Ana Clara": ("Ana", "Aninha"), "Maria Eduarda": ("Duda", "Maria"), "Wellington": ("Welly",),
    "Patrícia": ("Paty", "Patricia"),
    # hu
    "László": ("Laci", "Laszlo", "Leslie"), "István": ("Pista", "Pisti", "Istvan", "Steven"),
    "József": ("Jóska", "Jozsef", "Joseph"), "Erzsébet": ("Erzsi", "Erzsebet", "Elizabeth"),
    "Katalin": ("Kati", "Kata"), "Zsuzsanna": ("Zsuzsa", "Susan"), "Ferenc": ("Feri", "Frank"),
    "Sándor": ("Sanyi", "Sandor", "Alexander"), "Gábor": ("Gabor",), "Péter": ("Peter",),
    # ru (transliterations, then short forms)
    "Aleksandr": ("Alexander", "Aleksander", "Alexandre", "Sasha", "Sascha"),
    "Sergei": ("Sergey", "Serguei", "Sergej", "Seryozha"), "Dmitri": ("Dmitry", "Dmitrij", "Dima"),
    "Andrei": ("Andrey", "Andrej", "Andrew"), "Aleksei": ("Alexey", "Alexei", "Aleksey", "Alyosha"),
    "Mikhail": ("Michail", "Mikhael", "Misha"), "Nikolai": ("Nikolay", "Nicolai", "Kolya"),
    "Vladimir": ("Wladimir", "Volodya", "Vova"), "Yuri": ("Yury", "Iouri", "Jurij", "Yura"),
    "Yevgeny": ("Evgeny", "Evgeniy", "Eugene", "Zhenya"), "Konstantin": ("Kostya", "Constantine"),
    "Yelena": ("Elena", "Helena", "Lena"), "Natalya": ("Natalia", "Natasha"), "Tatyana": ("Tatiana", "Tanya"),
    "Yekaterina": ("Ekaterina", "Katerina", "Katya"), "Anastasia": ("Nastya", "Anastasiya"),
    "Yulia": ("Julia", "Yuliya", "Ioulia"), "Lyudmila": ("Ludmila", "Ljudmila", "Luda"), "Ksenia": ("Xenia", "Kseniya"),
    # is
    "Guðmundur": ("Gudmundur", "Gummi"), "Sigurður": ("Sigurdur", "Siggi"), "Ólafur": ("Olafur", "Óli"),
    "Kristján": ("Kristjan",), "Guðrún": ("Gudrun", "Gunna"), "Sigríður": ("Sigridur", "Sigga"),
    "Þórður": ("Thordur", "Thórdur"), "Þóra": ("Thora",), "Ingibjörg": ("Ingibjorg", "Inga"),
    # jp / kr (adopted western names are common in business)
    "Hiroshi": ("Hiro",), "Takashi": ("Tak",), "Kenji": ("Ken",), "Yusuke": ("Yu",), "Akiko": ("Aki",),
    "Min-jun": ("Minjun", "Min Jun", "Kevin"), "Seo-jun": ("Seojun", "Seo Jun"), "Ji-ho": ("Jiho", "Ji Ho", "James"),
    "Joon-young": ("Joonyoung", "Jun-young", "John"), "Sung-min": ("Sungmin", "Sung Min"),
    "Hyun-woo": ("Hyunwoo", "Hyun Woo", "Harry"), "Jae-won": ("Jaewon", "Jae Won"),
    "Dong-hyun": ("Donghyun", "Dong Hyun", "Daniel"), "Seo-yeon": ("Seoyeon", "Seo Yeon", "Sarah"),
    "Ji-woo": ("Jiwoo", "Ji Woo"), "Min-seo": ("Minseo", "Min Seo"), "Ha-eun": ("Haeun", "Ha Eun", "Grace"),
    "Soo-jin": ("Soojin", "Su-jin", "Sue"), "Eun-ji": ("Eunji", "Eun Ji"), "Hye-jin": ("Hyejin", "Hye Jin", "Helen"),
    "Yoon-ah": ("Yoona", "Yoon Ah"), "Ji-hye": ("Jihye", "Ji Hye", "Jenny"),
    # tr
    "Mehmet": ("Memet", "Mehmed"), "Hüseyin": ("Huseyin", "Hüso"), "İbrahim": ("Ibrahim",),
    "İsmail": ("Ismail",), "Oğuz": ("Oguz",), "Çağrı": ("Cagri", "Çağri"), "Ayşe": ("Ayse",),
    "Özlem": ("Ozlem",), "Gülşen": ("Gulsen",), "Şule": ("Sule",), "Büşra": ("Busra",), "İrem": ("Irem",),
    # ng
    "Oluwaseun": ("Seun", "Seyi"), "Chukwuemeka": ("Emeka",), "Adebayo": ("Bayo", "Debo"),
    "Olumide": ("Mide", "Olu"), "Babatunde": ("Tunde", "Baba"), "Ikechukwu": ("Ike", "Ikenna"),
    "Ifeanyi": ("Ify",), "Oluwatobiloba": ("Tobi", "Tobiloba"), "Chiamaka": ("Amaka", "Chi"),
    "Folasade": ("Sade", "Fola"), "Funmilayo": ("Funmi", "Funmilola"), "Temitope": ("Tope", "Temi"),
    "Ngozi": ("Ngo",), "Adaeze": ("Ada", "Daeze"), "Yetunde": ("Yetty", "Tunde"),
    # ph
    "Mark Anthony": ("Mark", "Macoy"), "John Paul": ("JP", "Jaypee"), "Maria Cristina": ("Ma. Cristina", "Tina"),
    "Ma. Teresa": ("Maria Teresa", "Tess", "Maritess"), "Mary Grace": ("Grace", "Mae"),
    "Reynaldo": ("Rey", "Jun"), "Ronaldo": ("Ronnie", "Jun"), "Kristine": ("Tin", "Tine"),
    # gr
    "Georgios": ("Giorgos", "Yiorgos", "George"), "Konstantinos": ("Kostas", "Costas", "Dinos"),
    "Dimitrios": ("Dimitris", "Jim", "Takis"), "Ioannis": ("Giannis", "Yannis", "John"),
    "Nikolaos": ("Nikos", "Nick"), "Panagiotis": ("Panos", "Takis"), "Vasileios": ("Vasilis", "Bill"),
    "Athanasios": ("Thanasis", "Tom"), "Evangelos": ("Vangelis",), "Aikaterini": ("Katerina", "Kate"),
    "Vasiliki": ("Vicky", "Vasso"), "Angeliki": ("Angela", "Kiki"), "Paraskevi": ("Voula", "Evi"),
    "Ioanna": ("Joanna", "Jenny"),
    # ma
    "Mohamed": ("Mohammed", "Muhammad", "Mohammad", "Med"), "Youssef": ("Youssouf", "Yousef", "Joseph"),
    "Abdelkader": ("Abdel Kader", "Kader"), "Abderrahim": ("Abdel Rahim", "Rahim"),
    "Said": ("Saïd", "Saeed"), "Fatima Zahra": ("Fatima-Zahra", "Fatimazahra", "Fatima"),
    "Khadija": ("Khadidja", "Kadija"), "Meriem": ("Meryem", "Mariam"),
    # ta
    "Venkatesh": ("Venky",), "Saravanan": ("Saravana",), "Lakshmi": ("Laxmi",), "Karthik": ("Karthick", "Karthi"),
}
