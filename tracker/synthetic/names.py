"""Naming traditions: pools of common names and the ways one name gets spelt.

A person's name is a list of :class:`Part`; each part keeps the register spelling (which may
be Cyrillic or carry diacritics) and the Latin spellings a carrier may write instead
(passport transliteration systems, Arabic and Chinese romanisation variants). Pools hold
common first names and surnames only; the combinations are synthetic, and a blocklist keeps
out the full names of well-known people that a random draw could otherwise produce.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from anyascii import anyascii

from tracker.synthetic.east_asia import (
    JAPANESE_F,
    JAPANESE_FAMILY,
    JAPANESE_M,
    KOREAN_F,
    KOREAN_FAMILY,
    KOREAN_M,
)
from tracker.synthetic.rand import Draw, cumulative


def _split(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


@dataclass(frozen=True, slots=True)
class Part:
    """One word-group of a name: ``text`` as the register holds it, ``forms`` as carriers
    write it (likeliest first). ``parallel`` forms are whole transliteration systems, so a
    record picks the same system for every part of the name."""

    text: str
    forms: tuple[str, ...]
    parallel: bool = False
    keep: float = 0.6  # chance a carrier writes forms[0] when forms are free variants


def plain(text: str) -> Part:
    return Part(text, (text,))


def join(parts: list[Part]) -> str:
    return " ".join(p.text for p in parts)


# --- folding -------------------------------------------------------------------------

_MRZ = str.maketrans(
    {
        "Ä": "AE",
        "Ö": "OE",
        "Ü": "UE",
        "ß": "SS",
        "Å": "AA",
        "Ø": "OE",
        "Æ": "AE",
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "å": "aa",
        "ø": "oe",
        "æ": "ae",
    }
)
_NOT_LETTER = re.compile(r"[^A-Z]")


def mrz_latin(text: str) -> str:
    """ICAO 9303 expansion of German/Nordic letters (Müller -> Mueller), then plain ASCII."""
    return anyascii(text.translate(_MRZ))


def fold(text: str) -> str:
    """Letters only, upper case, ASCII: the comparison key for 'same spelling'."""
    return _NOT_LETTER.sub("", anyascii(text).upper())


def carrier_upper(text: str, keep_punctuation: bool) -> str:
    """How a carrier keys a name: ASCII capitals; apostrophes and hyphens kept or dropped."""
    out = anyascii(unicodedata.normalize("NFC", text)).upper()
    if not keep_punctuation:
        out = out.replace("'", "").replace("-", " ")
    out = re.sub(r"[^A-Z0-9 '\-]", "", out)
    return re.sub(r" +", " ", out).strip()


# --- Cyrillic romanisation ------------------------------------------------------------

_VOWELS = set("аеёиоуыэюяієї")
_RU_ICAO = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "ie",
            "y",
            "",
            "e",
            "iu",
            "ia",
        ],
        strict=True,
    )
)
_RU_BGN = _RU_ICAO | {"й": "y", "ъ": "", "ю": "yu", "я": "ya", "ё": "yo"}
_RU_LEGACY = _RU_BGN | {"ж": "j", "х": "h", "щ": "sch", "ё": "e"}
_UK_KMU = dict(
    zip(
        "абвгґдежзиійклмнопрстуфхцчшщьюяєї'",
        [
            "a",
            "b",
            "v",
            "h",
            "g",
            "d",
            "e",
            "zh",
            "z",
            "y",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "iu",
            "ia",
            "ie",
            "i",
            "",
        ],
        strict=True,
    )
)
_UK_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UK_LEGACY = _UK_KMU | {"г": "g", "й": "y", "ю": "yu", "я": "ya", "є": "ye", "ї": "yi"}


def _title(text: str) -> str:
    return "-".join(
        " ".join(w[:1].upper() + w[1:] for w in chunk.split(" ")) for chunk in text.split("-")
    )


def _romanise(
    text: str,
    table: dict[str, str],
    initial: dict[str, str] | None = None,
    ye_rule: bool = False,
    final_iy: str | None = None,
) -> str:
    """One Cyrillic spelling in one system; words keep their separators."""
    words = re.split(r"([ -])", text.lower())
    out: list[str] = []
    for word in words:
        if word in (" ", "-", ""):
            out.append(word)
            continue
        tail = ""
        if final_iy is not None and word.endswith(("ий", "ій")):
            word, tail = word[:-2], final_iy
        chars: list[str] = []
        for i, ch in enumerate(word):
            prev = word[i - 1] if i else ""
            if ye_rule and ch == "е" and (not prev or prev in _VOWELS or prev in "йъь"):
                chars.append("ye")
            elif initial and not prev and ch in initial:
                chars.append(initial[ch])
            else:
                chars.append(table.get(ch, ch))
        out.append("".join(chars) + tail)
    return _title("".join(out))


def ru_icao(text: str) -> str:
    return _romanise(text, _RU_ICAO)


def ru_bgn(text: str) -> str:
    return _romanise(text, _RU_BGN, ye_rule=True, final_iy="iy")


def ru_legacy(text: str) -> str:
    return _romanise(text.replace("кс", "x").replace("Кс", "X"), _RU_LEGACY, final_iy="y")


def uk_kmu(text: str) -> str:
    return _romanise(text, _UK_KMU, initial=_UK_KMU_INITIAL)


def uk_legacy(text: str) -> str:
    return _romanise(text, _UK_LEGACY, final_iy="iy")


# --- pools ------------------------------------------------------------------------------

BRITISH_M = _split("""James, John, David, Michael, Robert, William, Richard, Thomas, Christopher,
Daniel, Matthew, Andrew, Mark, Paul, Steven, Peter, Anthony, Stephen, Gareth, Rhys, Dylan, Owen,
Callum, Jamie, Liam, Ryan, Craig, Stuart, Gavin, Connor, Kieran, Nathan, Dean, Lee, Wayne,
Darren, Neil, Graham, Alan, Ian, Kevin, Gary, Philip, Simon, Jonathan, Benjamin, Samuel, Joseph,
Edward, George, Henry, Charles, Alexander, Harry, Oliver, Jack, Adam, Luke, Aaron, Ross, Scott,
Iain, Alistair, Euan, Angus, Fraser, Dafydd, Gethin, Ieuan, Aled, Emyr, Martin, Barry, Keith""")
BRITISH_F = _split("""Sarah, Emma, Claire, Laura, Rebecca, Gemma, Rachel, Nicola, Lisa, Michelle,
Karen, Joanne, Helen, Amanda, Louise, Victoria, Elizabeth, Catherine, Jennifer, Jessica, Hannah,
Charlotte, Sophie, Amy, Kirsty, Fiona, Morag, Ailsa, Eilidh, Siân, Carys, Ffion, Bethan, Megan,
Rhiannon, Lowri, Donna, Tracey, Julie, Susan, Margaret, Anne, Mary, Alice, Lucy, Chloe, Zoe,
Leanne, Kelly, Stacey, Natalie, Samantha, Kerry, Deborah""")
BRITISH_FAMILY = _split("""Smith, Jones, Williams, Taylor, Brown, Davies, Evans, Wilson, Thomas,
Johnson, Roberts, Robinson, Thompson, Wright, Walker, White, Edwards, Hughes, Green, Hall,
Harris, Clarke, Jackson, Wood, Turner, Martin, Cooper, Hill, Ward, Morris, Moore, Clark, King,
Baker, Harrison, Morgan, Allen, James, Scott, Phillips, Davis, Parker, Price, Bennett, Young,
Griffiths, Mitchell, Cook, Carter, Richardson, Bailey, Collins, Bell, Shaw, Miller, Cox,
Richards, Marshall, Anderson, Simpson, Ellis, Adams, Wilkinson, Foster, Chapman, Powell, Webb,
Rogers, Gray, Mason, Hunt, Matthews, Holmes, Mills, Barnes, Knight, Lloyd, Butler, Russell,
Barker, Fisher, Stevens, Jenkins, Dixon, Harvey, Pearson, Fletcher, Gibson, Howard, Andrews,
Stewart, Elliott, Reynolds, Saunders, Payne, Pearce, Brooks, Lawrence, Atkinson, Bradley,
Spencer, Dawson, Burton, Watts, Booth, Perry, Grant, Wells, Francis, Rees, Hayes, Hudson, Barrett,
Webster, Gregory, Lowe, Page, Marsh, Riley, Dunn, Woods, Parsons, Berry, Reid, Holland, Hawkins,
Harding, Porter, Robertson, Kennedy, Williamson, Bird, Gardner, Lane, Cooke, Bates, Henderson,
Parry, Burgess, Bishop, Walton, Burns, Nicholson, Shepherd, Cross, Freeman, Warren, Nicholls,
Sutton, Yates, Hodgson, Robson, Curtis, Hopkins, Harper, Coleman, Watkins, MacDonald, MacLeod,
Fraser, Sinclair, Munro, Pritchard, Pugh, Bevan, Prosser, Vaughan, Llewellyn""")

IRISH_M = _split("""Seán, Ciarán, Pádraig, Cian, Oisín, Niall, Declan, Eoin, Cormac, Darragh,
Aidan, Ronan, Fionn, Dónal, Colm, Séamus, Diarmuid, Eamon, Brendan, Kevin, Patrick, Gerard,
Dermot, Fergal, Killian""")
IRISH_F = _split("""Aoife, Siobhán, Niamh, Caoimhe, Saoirse, Róisín, Orla, Áine, Clodagh, Gráinne,
Sinéad, Deirdre, Maeve, Ciara, Emer, Bríd, Nuala, Eimear, Fiadh, Éabha""")
IRISH_FAMILY = _split("""O'Brien, O'Connor, O'Sullivan, O'Neill, O'Reilly, O'Donnell, O'Shea,
O'Mahony, O'Callaghan, O'Doherty, McCarthy, McMahon, McGrath, McLoughlin, McNamara, McDermott,
Murphy, Kelly, Byrne, Ryan, Walsh, Doyle, Lynch, Quinn, Daly, Brennan, Fitzgerald, Kavanagh,
Nolan, Donnelly, Hegarty, Moloney, Flanagan, Cassidy""")

POLISH_M = _split("""Piotr, Krzysztof, Andrzej, Tomasz, Paweł, Michał, Marcin, Jakub, Łukasz,
Mateusz, Grzegorz, Wojciech, Kamil, Marek, Dariusz, Rafał, Przemysław, Sebastian, Szymon, Bartosz,
Zbigniew, Jarosław, Sławomir, Mariusz, Henryk""")
POLISH_F = _split("""Anna, Maria, Katarzyna, Małgorzata, Agnieszka, Barbara, Ewa, Joanna, Magdalena,
Monika, Aleksandra, Zofia, Natalia, Dorota, Beata, Justyna, Karolina, Paulina, Weronika, Agata,
Elżbieta, Grażyna""")
POLISH_FAMILY = _split("""Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Zieliński,
Szymański, Woźniak, Dąbrowski, Kozłowski, Jankowski, Mazur, Wojciechowski, Kwiatkowski, Krawczyk,
Kaczmarek, Piotrowski, Grabowski, Zając, Pawłowski, Michalski, Król, Wieczorek, Jabłoński, Wróbel,
Nowakowski, Majewski, Olszewski, Stępień, Jaworski, Malinowski, Górski, Sikora, Walczak, Baran,
Rutkowski, Szewczyk, Ostrowski, Tomaszewski""")

ROMANIAN_M = _split("""Andrei, Alexandru, Ionuț, Mihai, Ștefan, Florin, Cristian, Gabriel, Marian,
Bogdan, Adrian, Vasile, Constantin, Nicolae, Dragoș, Cătălin, Sorin, Ovidiu""")
ROMANIAN_F = _split("""Maria, Elena, Ioana, Andreea, Alexandra, Mihaela, Cristina, Gabriela,
Daniela, Ana, Roxana, Simona, Larisa, Alina""")
ROMANIAN_FAMILY = _split("""Popescu, Ionescu, Popa, Pop, Radu, Dumitru, Stan, Stoica, Gheorghe,
Matei, Ciobanu, Rusu, Munteanu, Constantin, Diaconu, Mocanu, Lungu, Florea, Toma, Marin, Dinu,
Barbu, Nistor, Oprea""")

GERMAN_M = _split("""Thomas, Michael, Andreas, Stefan, Christian, Markus, Jürgen, Jörg, Uwe, Klaus,
Wolfgang, Dieter, Matthias, Sebastian, Florian, Tobias, Lukas, Jonas, Maximilian, Felix, Günter,
Bernd, Ralf, Torsten, Dirk, Karl-Heinz, Hans-Peter, Björn""")
GERMAN_F = _split("""Sabine, Petra, Ursula, Monika, Claudia, Susanne, Katrin, Anja, Julia, Lena,
Lea, Jana, Sandra, Nicole, Birgit, Heike, Jutta, Käthe, Anke, Silke, Dörte, Bärbel""")
GERMAN_FAMILY = _split("""Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz,
Hoffmann, Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann,
Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Schmitz, Krause, Meier, Lehmann,
Köhler, Groß, Weiß, Strauß, Jäger, Böhm, Fuchs, Vogel, Günther""")

# Arabic: each entry lists romanisation variants of one name; the register uses any of them.
ARABIC_M = _split("""Muhammad/Mohammed/Mohamed/Mohamad/Mohammad, Ahmed/Ahmad, Mahmoud/Mahmud,
Mustafa/Mustapha/Moustafa, Omar/Umar, Yusuf/Youssef/Yousef, Ibrahim/Ebrahim, Khalid/Khaled,
Hassan/Hasan, Hussein/Hussain/Husain, Abdullah/Abdallah, Abdul Rahman/Abdulrahman/Abdelrahman,
Tariq/Tarek, Karim/Kareem, Samir/Sameer, Walid/Waleed, Faisal/Faysal, Hamza/Hamzah, Bilal, Ali,
Ziad/Ziyad, Nasser/Nasir, Rashid/Rachid, Jamal/Gamal, Adel/Adil, Osama/Usama""")
ARABIC_F = _split("""Fatima/Fatimah/Fatma, Aisha/Aicha/Ayesha, Mariam/Maryam/Meryem,
Layla/Leila/Laila, Noor/Nur, Yasmin/Yasmine/Jasmin, Amira/Ameera, Hana/Hanaa, Salma,
Zainab/Zaynab, Khadija/Khadijah, Rania, Huda/Hoda, Samira/Sameera, Nadia, Rasha, Dina""")
ARABIC_FAMILY = _split("""al-Hassan/Al Hassan/Alhassan/El-Hassan, al-Masri/El-Masry/Elmasry,
al-Khatib/El Khatib/Alkhatib, al-Rashid/Al-Rashid/Alrashid/El-Rachid, Haddad, Khalil/Khalel,
Mansour/Mansur, Nasser/Nasir, Saleh/Salih, Ibrahim, Abdullah/Abdallah, Hamdan, Aziz,
Qureshi/Kureshi, Farouk/Faruq, Yousef/Youssef/Yusuf, al-Amin/El Amin/Alamin,
Suleiman/Sulaiman/Soliman, Barakat, al-Shami/El Shami/Alshami, Hussein/Hussain/Husain,
el-Sayed/El Sayed/Elsayed/Al-Sayed, al-Tamimi/Al Tamimi/Altamimi, Jaber/Gaber, Osman/Othman""")

RUSSIAN_M = _split("""Александр, Сергей, Дмитрий, Андрей, Алексей, Юрий, Евгений, Михаил, Николай,
Игорь, Олег, Максим, Павел, Виктор, Артём, Кирилл, Григорий, Фёдор, Вячеслав, Роман, Денис,
Антон, Владислав""")
RUSSIAN_F = _split("""Елена, Ольга, Наталья, Татьяна, Ирина, Светлана, Юлия, Екатерина, Анастасия,
Мария, Марина, Людмила, Ксения, Дарья, Евгения, Алёна, Валентина""")
RUSSIAN_FAMILY = _split("""Иванов, Смирнов, Кузнецов, Попов, Васильев, Петров, Соколов, Михайлов,
Новиков, Фёдоров, Морозов, Волков, Алексеев, Лебедев, Семёнов, Егоров, Павлов, Козлов, Степанов,
Николаев, Орлов, Андреев, Макаров, Никитин, Захаров, Зайцев, Жуков, Соловьёв, Борисов, Яковлев,
Григорьев, Воробьёв, Сергеев, Фролов, Дмитриев, Гусев, Киселёв, Ильин, Максимов, Поляков,
Сорокин, Виноградов, Ковалёв, Белов, Антонов, Тарасов, Юдин, Щербаков, Чернов, Хохлов, Журавлёв,
Ершов, Высоцкий, Ковальский""")
_PATRONYMIC_STEM = {
    "Михаил": "Михайл",
    "Павел": "Павл",
    "Юрий": "Юрь",
    "Григорий": "Григорь",
    "Игорь": "Игор",
    "Николай": "Никола",
    "Сергей": "Серге",
    "Андрей": "Андре",
    "Алексей": "Алексе",
    "Дмитрий": "Дмитри",
    "Евгений": "Евгени",
    "Вячеслав": "Вячеслав",
    "Артём": "Артём",
}

UKRAINIAN_M = _split("""Олександр, Андрій, Сергій, Володимир, Дмитро, Юрій, Віктор, Іван, Микола,
Олег, Тарас, Богдан, Василь, Петро, Ігор, Максим, Михайло, Роман, Остап, Назар, Євген, Ярослав""")
UKRAINIAN_F = _split("""Олена, Оксана, Наталія, Тетяна, Ірина, Юлія, Світлана, Марія, Анна,
Катерина, Людмила, Галина, Ганна, Вікторія, Соломія, Ярина, Христина""")
UKRAINIAN_FAMILY = _split("""Бондаренко, Коваленко, Бойко, Ткаченко, Кравченко, Коваль, Олійник,
Шевчук, Поліщук, Мельник, Кравчук, Лисенко, Савченко, Руденко, Марченко, Мороз, Павленко,
Петренко, Клименко, Левченко, Харченко, Гончаренко, Ковальчук, Ткачук, Романенко, Сидоренко,
Кузьменко, Яременко, Гнатюк, Юрченко, Грищенко, Гаврилюк, Стасюк, Ярошенко""")

# Chinese: pinyin first, then Wade-Giles / Cantonese spellings seen on Hong Kong and older
# documents. Given names are two syllables.
CHINESE_FAMILY = _split("""Wang/Wong, Li/Lee, Zhang/Chang/Cheung, Liu/Lau, Chen/Chan, Yang/Yeung,
Huang/Hwang/Wong, Zhao/Chao/Chiu, Wu/Ng, Zhou/Chou/Chow, Xu/Hsu, Sun/Suen, Zhu/Chu, Hu/Woo,
Guo/Kwok, He/Ho, Lin/Lam, Luo/Lo, Gao/Kao, Zheng/Cheng, Liang/Leung, Xie/Hsieh/Tse, Song/Sung,
Tang/Tong, Han/Hon, Feng/Fung, Deng/Teng, Cao/Tsao, Peng/Pang, Zeng/Tsang, Xiao/Siu, Tian/Tien,
Dong/Tung, Pan/Poon, Yuan/Yuen, Cai/Tsai/Choi, Jiang/Chiang, Du/Tu, Ye/Yip, Cheng/Ching, Su/So,
Lu/Lo, Ding/Ting""")
CHINESE_SYL_M = _split("""Wei, Jun, Hao, Jie, Tao, Ming, Lei, Qiang, Jian, Gang, Yong, Peng, Hui,
Long, Feng, Chao, Bin, Hua, Zhi, Xiang, Yu, Chen, Kai, Rui, Hong, Cheng, Dong, Guo, Jia, Zi, Hai,
Xin, Xiao, Bo, Yi, Wen""")
CHINESE_SYL_F = _split("""Mei, Li, Fang, Xiu, Ying, Hua, Jing, Yan, Juan, Ling, Xia, Lan, Hong, Na,
Ting, Xue, Yun, Qian, Yue, Min, Hui, Wen, Xin, Jia, Yu, Zi, Shu, Qing, Xiao, Lu""")

VIETNAMESE_FAMILY = _split("""Nguyễn, Trần, Lê, Phạm, Hoàng, Huỳnh, Phan, Vũ, Võ, Đặng, Bùi, Đỗ, Hồ,
Ngô, Dương, Lý, Đinh, Trương""")
VIETNAMESE_MID_M = _split("Văn, Đức, Minh, Hữu, Quang, Thanh, Công, Xuân")
VIETNAMESE_MID_F = _split("Thị, Ngọc, Thanh, Thu, Kim, Minh, Phương")
VIETNAMESE_M = _split("""Anh, Minh, Hùng, Dũng, Tuấn, Hải, Long, Nam, Sơn, Thắng, Phong, Khoa, Bảo,
Huy, Trung, Quân, Đạt, Tài, Hiếu, Khánh, Lâm, Phúc""")
VIETNAMESE_F = _split("""Lan, Hương, Linh, Trang, Hà, Mai, Thảo, Ngọc, Phương, Hạnh, Thủy, Nhung,
Yến, Vy, Chi, Hoa, Hằng, Loan""")

SPANISH_M = _split("""José, Juan, Antonio, Manuel, Francisco, David, Javier, Daniel, Carlos, Jesús,
Alejandro, Miguel, Rafael, Pablo, Sergio, Fernando, Jorge, Luis, Alberto, Álvaro, Diego, Adrián,
Raúl, Iván, Rubén, Óscar, Andrés, Ignacio, José Luis, José Antonio, Juan Manuel, Francisco Javier,
Miguel Ángel""")
SPANISH_F = _split("""María, Carmen, Ana, Isabel, Laura, Cristina, Marta, Lucía, Pilar, Elena, Rosa,
Paula, Sara, Raquel, Beatriz, Silvia, Nuria, Alicia, Inés, Julia, Teresa, Patricia, Mercedes,
María José, María del Carmen, Ana Isabel, María Teresa, María Pilar""")
SPANISH_FAMILY = _split("""García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez,
Gómez, Martín, Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Gutiérrez, Navarro,
Domínguez, Vázquez, Gil, Serrano, Blanco, Molina, Morales, Ortega, Delgado, Castro, Ortiz, Rubio,
Marín, Sanz, Núñez, Medina, Garrido, Cortés, Castillo, Lozano, Guerrero, Cano, Prieto, Méndez,
Calvo, Gallego, Vidal, León, Herrera, Peña, Flores, Cabrera, Campos, Vega, Fuentes, Carrasco,
Caballero, Reyes, Nieto, Aguilar, Pascual, Santana, Herrero, de la Cruz, de la Fuente, del Río""")

PORTUGUESE_M = _split("""João, José, António, Francisco, Manuel, Pedro, Luís, Carlos, Paulo, Miguel,
Rui, Tiago, Ricardo, Nuno, Bruno, Diogo, Gonçalo, Rafael, Hugo, André, Vítor, Joaquim""")
PORTUGUESE_F = _split("""Maria, Ana, Joana, Inês, Mariana, Beatriz, Sofia, Catarina, Rita, Sara,
Marta, Carla, Patrícia, Filipa, Raquel, Maria da Conceição, Maria de Fátima, Luísa""")
PORTUGUESE_FAMILY = _split("""Silva, Santos, Ferreira, Pereira, Oliveira, Costa, Rodrigues, Martins,
Jesus, Sousa, Fernandes, Gonçalves, Gomes, Lopes, Marques, Alves, Almeida, Ribeiro, Pinto,
Carvalho, Teixeira, Moreira, Correia, Mendes, Nunes, Soares, Vieira, Monteiro, Cardoso, Rocha,
Neves, Coelho, Cunha, Pires, Reis, Simões, Antunes, Matos, Fonseca, Machado, da Silva,
dos Santos, da Costa, de Sousa, do Nascimento""")

TURKISH_M = _split("""Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Hasan, İbrahim, İsmail, Osman, Yusuf,
Murat, Ömer, Ramazan, Halil, Süleyman, Abdullah, Mahmut, Fatih, Emre, Serkan, Onur, Cem, Tolga,
Barış, Uğur, Volkan, Erkan""")
TURKISH_F = _split("""Fatma, Ayşe, Emine, Hatice, Zeynep, Elif, Meryem, Şerife, Zehra, Hanife,
Merve, Özlem, Esra, Büşra, Gül, Derya, Ebru, Sibel, Gülsüm, Tuğba""")
TURKISH_FAMILY = _split("""Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın,
Özdemir, Arslan, Doğan, Kılıç, Aslan, Çetin, Kara, Koç, Kurt, Özkan, Şimşek, Polat, Korkmaz,
Çakır, Erdem, Tekin, Güneş, Aktaş, Bulut, Keskin, Ünal, Güler, Acar""")

INDIAN_M = _split("""Rajesh, Suresh, Ramesh, Amit, Sanjay, Vijay, Anil, Sunil, Rahul, Arjun, Vikram,
Ravi, Deepak, Manoj, Ashok, Harpreet, Gurpreet, Jaswinder, Mandeep, Kuldeep, Rohit, Ankit, Nikhil,
Pradeep, Sandeep, Hitesh, Jignesh, Kiran, Mahesh, Naveen""")
INDIAN_F = _split("""Priya, Anita, Sunita, Kavita, Pooja, Neha, Deepika, Anjali, Rekha, Meena,
Harjit, Simran, Manpreet, Parminder, Asha, Lakshmi, Divya, Shreya, Nisha, Ritu, Hema, Jyoti""")
INDIAN_MID_M = _split("Kumar, Singh, Lal, Prasad, Chand, Bhai")
INDIAN_MID_F = _split("Kumari, Kaur, Devi, Rani, Ben")
INDIAN_FAMILY = _split("""Patel, Sharma, Singh, Kumar, Gupta, Shah, Mehta, Joshi, Verma, Reddy, Rao,
Iyer, Nair, Pillai, Desai, Malhotra, Bhatt, Agarwal, Mistry, Parmar, Chauhan, Sandhu, Gill, Dhillon,
Sidhu, Grewal, Bains, Thakkar, Solanki, Trivedi""")

NIGERIAN_M = _split("""Chukwuemeka, Chinedu, Emeka, Obinna, Ikenna, Oluwaseun, Olumide, Adebayo,
Babatunde, Oluwafemi, Tunde, Ifeanyi, Uchenna, Kelechi, Nnamdi, Abubakar, Musa, Yakubu, Segun,
Damilola, Femi, Kayode, Gbenga, Chidi, Emmanuel, Samuel, Daniel, Joseph""")
NIGERIAN_F = _split("""Chiamaka, Ngozi, Adaeze, Funmilayo, Folake, Yetunde, Oluwakemi, Titilayo,
Blessing, Precious, Chioma, Nkechi, Amaka, Aisha, Bukola, Ifeoma, Uchechi, Esther, Grace""")
NIGERIAN_FAMILY = _split("""Okafor, Okonkwo, Eze, Nwosu, Adeyemi, Ogunleye, Adebayo, Olawale,
Balogun, Okeke, Nwachukwu, Ibekwe, Afolabi, Oyelaran, Adewale, Chukwu, Onyeka, Bello, Abubakar,
Danjuma, Ogundipe, Akinola, Oladipo, Nnadi, Ezeh, Uzor, Igwe, Ajayi, Odukoya, Okoro""")

GHANAIAN_M = _split("""Kwame, Kwabena, Kwaku, Yaw, Kofi, Kwasi, Kojo, Kwadwo, Ebo, Nana, Emmanuel,
Samuel, Isaac, Daniel, Richard, Francis""")
GHANAIAN_F = _split("""Ama, Akua, Abena, Afua, Yaa, Adwoa, Efua, Esi, Akosua, Gifty, Comfort, Grace,
Mercy, Abigail, Vida""")
GHANAIAN_FAMILY = _split("""Mensah, Asante, Owusu, Osei, Agyeman, Amoah, Ofori, Darko, Acheampong,
Addo, Adjei, Bonsu, Danquah, Frimpong, Gyamfi, Manu, Nkansah, Opoku, Quaye, Sarpong, Tetteh,
Boakye, Antwi, Asamoah""")

DUTCH_M = _split("""Jan, Pieter, Hendrik, Johannes, Willem, Cornelis, Dirk, Gerrit, Bas, Jeroen,
Sander, Thijs, Joost, Daan, Sem, Lars, Maarten, Niels, Stijn, Koen, Bram, Wouter""")
DUTCH_F = _split("""Anna, Maria, Johanna, Sanne, Lotte, Femke, Anouk, Eva, Lieke, Marieke, Ingrid,
Els, Annelies, Esther, Mirjam, Saskia, Fleur, Noor""")
DUTCH_FAMILY = _split("""de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser,
Smit, Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer,
de Wit, Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan, Vermeulen,
van den Heuvel, van der Veen, van den Broek, de Bruijn, van Beek, Verhoeven, van der Heijden,
Willems, Hoekstra""")

US_M = _split("""Michael, Christopher, Joshua, Tyler, Brandon, Justin, Cody, Dustin, Travis, Jason,
Kyle, Derek, Shawn, Bradley, Chad, Randall, Dwayne, Jesse""")
US_F = _split("""Ashley, Brittany, Amber, Crystal, Tiffany, Heather, Kayla, Courtney, Megan, Misty,
Tonya, Brandy""")
US_FAMILY = _split("""Miller, Davis, Garcia, Rodriguez, Martinez, Hernandez, Lopez, Wilson,
Anderson, Thomas, Moore, Jackson, Martin, Lee, Perez, Thompson, Harris, Sanchez, Ramirez,
Lewis, Robinson,
Walker, Young, Allen, Hill, Flores, Green, Adams, Nelson, Baker, Campbell, Mitchell, Carter""")


@dataclass(frozen=True)
class Tradition:
    key: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    script: str = "latin"  # latin, german, arabic, russian, ukrainian, chinese, vietnamese,
    # korean, japanese
    middle_p: float = 0.3  # chance of a second given name
    family2_p: float = 0.0  # chance of a second surname (Spanish, Portuguese)
    swap_p: float = 0.15  # chance a carrier swaps the name fields
    nationalities: tuple[tuple[str, float], ...] = (("GBR", 1.0),)
    middle_male: tuple[str, ...] = ()  # a dedicated middle-name pool (Vietnamese, Indian)
    middle_female: tuple[str, ...] = ()
    register_weight: float = 1.0
    public_weight: float = 1.0


TRADITIONS: dict[str, Tradition] = {
    t.key: t
    for t in (
        Tradition(
            "british",
            BRITISH_M,
            BRITISH_F,
            BRITISH_FAMILY,
            middle_p=0.6,
            nationalities=(("GBR", 0.95), ("GBR|IRL", 0.03), ("GBR|USA", 0.02)),
            register_weight=44,
            public_weight=55,
        ),
        Tradition(
            "irish",
            IRISH_M,
            IRISH_F,
            IRISH_FAMILY,
            middle_p=0.5,
            nationalities=(("IRL", 0.5), ("GBR|IRL", 0.3), ("GBR", 0.2)),
            register_weight=4,
            public_weight=4,
        ),
        Tradition(
            "polish",
            POLISH_M,
            POLISH_F,
            POLISH_FAMILY,
            middle_p=0.3,
            nationalities=(("POL", 0.6), ("POL|GBR", 0.25), ("GBR", 0.15)),
            register_weight=7,
            public_weight=6,
        ),
        Tradition(
            "romanian",
            ROMANIAN_M,
            ROMANIAN_F,
            ROMANIAN_FAMILY,
            middle_p=0.2,
            nationalities=(("ROU", 0.8), ("ROU|GBR", 0.2)),
            register_weight=4,
            public_weight=3,
        ),
        Tradition(
            "german",
            GERMAN_M,
            GERMAN_F,
            GERMAN_FAMILY,
            script="german",
            middle_p=0.4,
            nationalities=(("DEU", 0.8), ("DEU|GBR", 0.2)),
            register_weight=2,
            public_weight=3,
        ),
        Tradition(
            "arabic",
            ARABIC_M,
            ARABIC_F,
            ARABIC_FAMILY,
            script="arabic",
            middle_p=0.5,
            nationalities=(
                ("SYR", 0.15),
                ("IRQ", 0.15),
                ("EGY", 0.15),
                ("JOR", 0.05),
                ("LBN", 0.05),
                ("YEM", 0.05),
                ("SDN", 0.1),
                ("MAR", 0.05),
                ("GBR", 0.15),
                ("IRQ|GBR", 0.1),
            ),
            register_weight=6,
            public_weight=4,
        ),
        Tradition(
            "russian",
            RUSSIAN_M,
            RUSSIAN_F,
            RUSSIAN_FAMILY,
            script="russian",
            middle_p=0.4,
            nationalities=(("RUS", 0.6), ("RUS|GBR", 0.2), ("LVA", 0.1), ("LTU", 0.1)),
            register_weight=3,
            public_weight=1.5,
        ),
        Tradition(
            "ukrainian",
            UKRAINIAN_M,
            UKRAINIAN_F,
            UKRAINIAN_FAMILY,
            script="ukrainian",
            middle_p=0.3,
            nationalities=(("UKR", 0.85), ("UKR|GBR", 0.15)),
            register_weight=2.5,
            public_weight=2,
        ),
        Tradition(
            "chinese",
            (),
            (),
            CHINESE_FAMILY,
            script="chinese",
            swap_p=0.35,
            nationalities=(("CHN", 0.6), ("HKG", 0.2), ("GBR", 0.2)),
            register_weight=3,
            public_weight=3,
        ),
        Tradition(
            "vietnamese",
            VIETNAMESE_M,
            VIETNAMESE_F,
            VIETNAMESE_FAMILY,
            script="vietnamese",
            middle_p=0.95,
            swap_p=0.35,
            middle_male=VIETNAMESE_MID_M,
            middle_female=VIETNAMESE_MID_F,
            nationalities=(("VNM", 0.8), ("VNM|GBR", 0.2)),
            register_weight=3,
            public_weight=1,
        ),
        Tradition(
            "spanish",
            SPANISH_M,
            SPANISH_F,
            SPANISH_FAMILY,
            middle_p=0.15,
            family2_p=0.75,
            nationalities=(("ESP", 0.7), ("COL", 0.15), ("MEX", 0.15)),
            register_weight=3,
            public_weight=4,
        ),
        Tradition(
            "portuguese",
            PORTUGUESE_M,
            PORTUGUESE_F,
            PORTUGUESE_FAMILY,
            middle_p=0.35,
            family2_p=0.65,
            nationalities=(("PRT", 0.7), ("BRA", 0.3)),
            register_weight=3,
            public_weight=3,
        ),
        Tradition(
            "turkish",
            TURKISH_M,
            TURKISH_F,
            TURKISH_FAMILY,
            middle_p=0.25,
            nationalities=(("TUR", 0.7), ("TUR|GBR", 0.2), ("CYP", 0.1)),
            register_weight=3,
            public_weight=3,
        ),
        Tradition(
            "indian",
            INDIAN_M,
            INDIAN_F,
            INDIAN_FAMILY,
            middle_p=0.4,
            middle_male=INDIAN_MID_M,
            middle_female=INDIAN_MID_F,
            nationalities=(("GBR", 0.6), ("IND", 0.4)),
            register_weight=6,
            public_weight=5,
        ),
        Tradition(
            "nigerian",
            NIGERIAN_M,
            NIGERIAN_F,
            NIGERIAN_FAMILY,
            middle_p=0.55,
            nationalities=(("NGA", 0.5), ("NGA|GBR", 0.2), ("GBR", 0.3)),
            register_weight=3,
            public_weight=2,
        ),
        Tradition(
            "ghanaian",
            GHANAIAN_M,
            GHANAIAN_F,
            GHANAIAN_FAMILY,
            middle_p=0.5,
            nationalities=(("GHA", 0.5), ("GHA|GBR", 0.2), ("GBR", 0.3)),
            register_weight=2,
            public_weight=1,
        ),
        Tradition(
            "dutch",
            DUTCH_M,
            DUTCH_F,
            DUTCH_FAMILY,
            middle_p=0.5,
            nationalities=(("NLD", 0.85), ("NLD|GBR", 0.15)),
            register_weight=1.5,
            public_weight=3,
        ),
        Tradition(
            "american",
            US_M,
            US_F,
            US_FAMILY,
            middle_p=0.7,
            nationalities=(("USA", 0.9), ("USA|GBR", 0.1)),
            register_weight=0,
            public_weight=2,
        ),
        # Only the stress profiles weight these (profiles.py): the default mix leaves them out.
        Tradition(
            "korean",
            KOREAN_M,
            KOREAN_F,
            KOREAN_FAMILY,
            script="korean",
            middle_p=0,
            swap_p=0.35,
            nationalities=(("KOR", 0.8), ("KOR|GBR", 0.2)),
            register_weight=0,
            public_weight=0,
        ),
        Tradition(
            "japanese",
            JAPANESE_M,
            JAPANESE_F,
            JAPANESE_FAMILY,
            script="japanese",
            middle_p=0,
            swap_p=0.35,
            nationalities=(("JPN", 0.9), ("GBR", 0.1)),
            register_weight=0,
            public_weight=0,
        ),
    )
}

REGISTER_KEYS = tuple(k for k, t in TRADITIONS.items() if t.register_weight > 0)
REGISTER_CUM = cumulative([TRADITIONS[k].register_weight for k in REGISTER_KEYS])


# --- blocklist -------------------------------------------------------------------------

#: First given name + surname of well-known people that common-name pools could produce.
_FAMOUS = _split("""David Jones, Tom Jones, John Smith, Adam Smith, Ian Wright, James Martin,
David Mitchell, Paul Walker, John Lewis, Chris Martin, Emma Watson, Emma Thompson, David Cameron,
Andy Murray, Jamie Oliver, Lewis Hamilton, Michael Jackson, Janet Jackson, Samuel Jackson,
George Harrison, Alex Ferguson, Alexander Ferguson, Chris Evans, Mark Wright, Elizabeth Taylor,
James Taylor, Michael Collins, Mary Robinson, Michael Higgins, Thomas Muller, Thomas Mueller,
Michael Schumacher, Ralf Schumacher, Pedro Sanchez, Antonio Costa, Bruno Fernandes, Rui Costa,
Ricardo Carvalho, Nuno Gomes, Paulo Sousa, Burak Yilmaz, Rohit Sharma, Anil Kapoor, Arjun Kapoor,
Amit Shah, Manoj Kumar, Deepak Chopra, Vijay Mallya, Kwame Appiah, Kofi Annan, Yulia Tymoshenko,
Andriy Shevchenko, Andrii Shevchenko, Mark Williams, John Terry, Steven Gerrard, Peter Kay,
Gary Neville, Harry Kane, James May, Richard Hammond, Stephen Fry, Hugh Grant, Andrew Flintoff,
Robert Palmer, Sarah Parker, Henry Cooper, Daniel Craig, Ian Holmes, Kelly Holmes, David Moyes,
Alan Shearer, Gareth Bale, Ryan Giggs, Wayne Rooney, Harry Styles, Lucy Davis, Tom Daley,
Ross Kemp, Jack Whitehall, Michael Owen, Stuart Broad, Graham Gooch, Alastair Cook, Joe Root,
Kevin Keegan, Richard Branson, Charles Darwin, Jane Austen, John Major, Theresa May,
Lucia Martinez, Mohamed Salah, Mohammed Salah, Omar Sharif, Ali Hassan, Maria Sharapova,
Daniil Medvedev, Sergey Lavrov, Dmitry Peskov, Ivan Drago, Yao Ming, Hamza Choudhury,
Thierry Henry, Marcus Rashford, Jack Grealish, Declan Rice, Mason Mount, Phil Foden,
Conor McGregor, Seamus Heaney, Roy Keane, Niall Horan, Liam Payne, Louis Tomlinson,
Paul Mescal, Cillian Murphy, Saoirse Ronan, Brendan Gleeson, Patrick Kielty""")


def _block_key(first: str, family: str) -> tuple[str, str]:
    f, s = fold(first), fold(family)
    for a, b in (("AE", "A"), ("OE", "O"), ("UE", "U")):
        f, s = f.replace(a, b), s.replace(a, b)
    return f, s


BLOCKED: frozenset[tuple[str, str]] = frozenset(_block_key(*name.split(" ", 1)) for name in _FAMOUS)


#: The same names as ``FIRST|SURNAME`` letter keys, for vectorised checks.
BLOCKED_KEYS: frozenset[str] = frozenset(
    f"{fold(a)}|{fold(b)}" for a, b in (name.split(" ", 1) for name in _FAMOUS)
)


def is_blocked(first_given: str, family: str) -> bool:
    """True when first given name + surname (or its first word) is a well-known person's."""
    first = first_given.split(" ")[0] if first_given else ""
    if _block_key(first, family) in BLOCKED:
        return True
    head = family.split(" ")[0] if family else ""
    return _block_key(first, head) in BLOCKED


# --- building a person's name ----------------------------------------------------------


def _variants(entry: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in entry.split("/"))


def _german(name: str) -> Part:
    mrz, ascii_ = mrz_latin(name), anyascii(name)
    return Part(name, (mrz, ascii_) if mrz != ascii_ else (mrz,), keep=0.8)


def _arabic(entry: str, draw: Draw) -> Part:
    options = _variants(entry)
    chosen = draw.pick(options)
    return Part(chosen, (chosen, *(o for o in options if o != chosen)), keep=0.6)


def _romanised(entry: str, draw: Draw) -> Part:
    """A name with romanisation variants (Chinese, Korean, Japanese): mostly the first."""
    options = _variants(entry)
    chosen = options[0] if draw.chance(0.85) or len(options) == 1 else draw.pick(options[1:])
    return Part(chosen, (chosen, *(o for o in options if o != chosen)), keep=0.92)


def _cyrillic(word: str, script: str, style: str) -> Part:
    systems = (ru_icao, ru_bgn, ru_legacy) if script == "russian" else (uk_kmu, uk_legacy)
    forms = tuple(dict.fromkeys(f(word) for f in systems))
    if style == "cyrillic":
        text = word
    elif style == "icao":
        text = forms[0]
    else:
        text = forms[min(1, len(forms) - 1)]
    return Part(text, forms, parallel=True)


def feminine(family: str, script: str) -> str:
    """Surnames that agree with gender: Kowalski -> Kowalska, Иванов -> Иванова."""
    if script == "latin":
        for masc, fem in (("cki", "cka"), ("dzki", "dzka"), ("ski", "ska")):
            if family.endswith(masc):
                return family[: -len(masc)] + fem
        return family
    if script == "russian":
        for masc, fem in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")):
            if family.endswith(masc):
                return family[: -len(masc)] + fem
        if family.endswith(("ов", "ев", "ёв", "ин", "ын")):
            return family + "а"
    if script == "ukrainian":
        if family.endswith("ський"):
            return family[:-5] + "ська"
        if family.endswith(("ов", "ев", "ін")):
            return family + "а"
    return family


def patronymic(father: str, sex: str) -> str:
    stem = _PATRONYMIC_STEM.get(father, father)
    soft = stem.endswith(("е", "и", "ь", "а"))
    if sex == "F":
        return stem + ("евна" if soft else "овна")
    return stem + ("евич" if soft else "ович")


def _chinese_given(sex: str, draw: Draw, style: str) -> Part:
    pool = CHINESE_SYL_M if sex == "M" else CHINESE_SYL_F
    a, b = draw.skewed(pool), draw.skewed(pool)
    while b == a:
        b = draw.pick(pool)
    return _syllables(a, b, style)


def _syllables(a: str, b: str, style: str) -> Part:
    """A two-syllable given name as the register writes it; carriers join or space it."""
    text = {"joined": a + b.lower(), "spaced": f"{a} {b}", "hyphen": f"{a}-{b.lower()}"}[style]
    return Part(text, (a + b.lower(), f"{a} {b}"), keep=0.85)


def _given_pool(tradition: Tradition, sex: str) -> tuple[str, ...]:
    return tradition.male if sex == "M" else tradition.female


def _one_given(tradition: Tradition, sex: str, draw: Draw, style: str) -> Part:
    name = draw.skewed(_given_pool(tradition, sex))
    return _make_part(name, tradition, draw, style)


def _make_part(name: str, tradition: Tradition, draw: Draw, style: str) -> Part:
    script = tradition.script
    if script == "german":
        return _german(name)
    if script == "arabic":
        return _arabic(name, draw)
    if script in ("russian", "ukrainian"):
        return _cyrillic(name, script, style)
    if script == "vietnamese":
        return Part(name, (anyascii(name),))
    if script == "japanese":
        return _romanised(name, draw)
    return plain(name)


def given_parts(tradition: Tradition, sex: str, draw: Draw, style: str = "") -> list[Part]:
    if tradition.script == "chinese":
        return [_chinese_given(sex, draw, draw.pick(("joined", "joined", "spaced", "hyphen")))]
    if tradition.script == "korean":
        a, b = draw.skewed(_given_pool(tradition, sex)).split("-")
        return [_syllables(a, b.capitalize(), draw.pick(("hyphen", "hyphen", "joined", "spaced")))]
    first = _one_given(tradition, sex, draw, style)
    parts = [first]
    if tradition.script == "russian" and draw.chance(tradition.middle_p):
        parts.append(_cyrillic(patronymic(draw.pick(RUSSIAN_M[:20]), sex), "russian", style))
        return parts
    if tradition.script == "vietnamese":
        middles = tradition.middle_male if sex == "M" else tradition.middle_female
        if draw.chance(tradition.middle_p):
            parts.insert(0, Part(m := draw.skewed(middles), (anyascii(m),)))
        return parts
    if tradition.middle_male and draw.chance(tradition.middle_p):
        middles = tradition.middle_male if sex == "M" else tradition.middle_female
        parts.append(plain(draw.pick(middles)))
        return parts
    if " " not in first.text and draw.chance(tradition.middle_p):
        second = _one_given(tradition, sex, draw, style)
        if fold(second.text) != fold(first.text):
            parts.append(second)
        if tradition.key == "british" and draw.chance(0.12):
            third = _one_given(tradition, sex, draw, style)
            if fold(third.text) not in (fold(p.text) for p in parts):
                parts.append(third)
    return parts


def family_parts(tradition: Tradition, sex: str, draw: Draw, style: str = "") -> list[Part]:
    script = tradition.script
    entry = draw.skewed(tradition.family)
    if script in ("chinese", "korean", "japanese"):
        return [_romanised(entry, draw)]
    if script in ("russian", "ukrainian"):
        word = feminine(entry, script) if sex == "F" else entry
        return [_cyrillic(word, script, style)]
    if script == "latin" and sex == "F":
        entry = feminine(entry, script)
    parts = [_make_part(entry, tradition, draw, style)]
    if tradition.family2_p and draw.chance(tradition.family2_p):
        second = draw.skewed(tradition.family)
        if second != entry:
            parts.append(plain(second))
    return parts


def register_style(tradition: Tradition, draw: Draw) -> str:
    """How the register spells a Cyrillic name: as written, or in one romanisation."""
    if tradition.script not in ("russian", "ukrainian"):
        return ""
    r = draw.random()
    return "cyrillic" if r < 0.25 else "icao" if r < 0.4 else "legacy"


def person_name(tradition: Tradition, sex: str, draw: Draw) -> tuple[list[Part], list[Part]]:
    """A register name (family parts, given parts) that is nobody famous."""
    for _ in range(20):
        style = register_style(tradition, draw)
        family = family_parts(tradition, sex, draw, style)
        given = given_parts(tradition, sex, draw, style)
        first_latin = given[0].forms[0] if tradition.script != "vietnamese" else given[-1].forms[0]
        if not is_blocked(first_latin, family[0].forms[0]):
            return family, given
    return family, given


# --- nicknames ---------------------------------------------------------------------------


@cache
def _namer():
    from nicknames import NickNamer

    return NickNamer()


_NICK_OTHER_LETTER = frozenset(
    _split("""Bob, Bobby, Bill, Billy, Dick, Dickie, Jack, Ted, Teddy,
Ned, Peggy, Molly, Polly, Sally, Hank, Chuck, Betty, Bess, Liz, Lizzie, Libby, Tony, Sandy, Harry,
Becky, Mandy, Kathy, Cathy, Katy, Sue, Susie, Maggie, Meg, Tori, Vicky, Drew, Andy, Steve""")
)
_NICK_ODD = frozenset(
    _split("""Dob, Dobbin, Hob, Hobkin, Rupert, Bela, Bell, Gare, Wil, Thom, Dann,
Pate, Sion, Thias, Thys, Jule, Dona, Clo, Mantha, Stal, Tal, Crys, Sceeter, Squat, Haps, Hap,
Day, Jem, Jos, Lib, Sukey, Midge, Madge, Mamie, Mitzi, Chick, Reba, Beck, Chelle, Shely, Char,
Lotta, Nanny, Nan, Kittie, Trina, Juston, Justus, Justina, Brittnie, Ashly, Court, Curt, Kerri,
Micah, Patsy, Peter, Margery, Casey, Carl, Jody, Nettie""")
)


@cache
def nicknames_for(given: str) -> tuple[str, ...]:
    """Everyday short forms of an English given name (Robert -> Bob, Rob), from `nicknames`:
    only those the package also maps back to the name, shorter than it, and still in use."""
    namer = _namer()
    name = given.lower()
    out = []
    for nick in sorted(namer.nicknames_of(name)):
        word = nick.capitalize()
        if (
            len(nick) >= 3
            and nick.isalpha()
            and len(nick) < len(name)
            and name in namer.canonicals_of(nick)
            and word not in _NICK_ODD
            and (nick[0] == name[0] or word in _NICK_OTHER_LETTER)
        ):
            out.append(word)
    return tuple(out)


# --- pools for the vectorised public generator ---------------------------------------------


@cache
def public_pools(key: str, sex: str) -> dict[str, tuple[str, ...]]:
    """Carrier-style (upper-case ASCII) pools for one tradition and sex: ``given`` (first
    names, or full two-syllable Chinese given names), ``middle`` and ``family``. Common names
    come first, and a name with several spellings appears once per spelling."""
    t = TRADITIONS[key]
    script = t.script

    def forms(name: str) -> tuple[str, ...]:
        if script == "german":
            return (carrier_upper(mrz_latin(name), True),)
        if script == "arabic":
            return tuple(carrier_upper(v, True) for v in _variants(name))
        if script == "russian":
            return (carrier_upper(ru_icao(name), True), carrier_upper(ru_bgn(name), True))
        if script == "ukrainian":
            return (carrier_upper(uk_kmu(name), True),)
        if script in ("chinese", "korean", "japanese"):
            return (carrier_upper(_variants(name)[0].replace("-", ""), True),)
        return (carrier_upper(name, True), carrier_upper(name, False))

    def expand(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for n in names for f in forms(n)))

    if script == "chinese":
        syl = CHINESE_SYL_M if sex == "M" else CHINESE_SYL_F
        given = tuple(a.upper() + b.upper() for a in syl[:18] for b in syl[:18] if a != b)
        middle: tuple[str, ...] = ()
    else:
        given = expand(_given_pool(t, sex))
        mids = t.middle_male if sex == "M" else t.middle_female
        if script == "russian":
            mids = tuple(patronymic(f, sex) for f in RUSSIAN_M[:20])
        middle = expand(mids) if mids else given
    family_src = t.family
    if script in ("russian", "ukrainian") or (script == "latin" and sex == "F"):
        family_src = tuple(feminine(f, script) for f in t.family) if sex == "F" else t.family
    return {"given": given, "middle": middle, "family": expand(family_src)}
