"""Spanish word forms back to their dictionary forms, for lexicon lookup (issue 19).

The lexicon lists a verb by its infinitive (``detener``, ``huir``) and a noun or adjective by
its masculine singular (``armado``); a query holds ``detuvieron``, ``huyó``, ``armadas``. The
Snowball stemmer does not join them (``detuv`` / ``deten``, ``huy`` / ``hu``), so
:func:`spanish_lemmas` proposes the dictionary forms a word may come from, by rule, and the
lexicon keeps those it holds (:meth:`~searchlib.analysis.lexicon.Lexicon.spans`). The rules
overgenerate on purpose (``casas`` -> ``casa``, ``casar``): only a candidate the lexicon holds
is used, and only for a word the lexicon does not hold as written.

On the folded lowercase word (accents removed, ``ñ`` kept), candidates in this order:

1. whole irregular forms (``fue`` -> ``ser``, ``ir``; ``hecho`` -> ``hacer``; ``muertos`` ->
   ``morir``) and irregular participles after a prefix (``descrito`` -> ``describir``);
2. nouns and adjectives: plural to singular (``-es``, ``-ces`` -> ``-z``, ``-s``), feminine to
   masculine (``-a`` -> ``-o``, ``-ora`` -> ``-or``), ``-ísimo`` and ``-mente`` to the
   adjective (``ilegalmente`` -> ``ilegal``);
3. verbs: the enclitic pronouns of an infinitive or gerund (``detenerlo``), then every regular
   ending of the three conjugations (present, preterite, imperfect, future, conditional,
   subjunctives, imperative, gerund, participle) with the infinitive ending it implies, and
   for each stem its spelling and stem changes undone: ``qu`` -> ``c``, ``gu`` -> ``g``,
   ``c`` -> ``z`` (``busqué``, ``llegué``, ``empecé``), ``j`` -> ``g``, ``zc`` -> ``c``,
   ``z`` -> ``c``, ``g`` -> ``gu`` (``dirijo``, ``conozco``, ``venzo``, ``sigo``), ``ie`` -> ``e``,
   ``ue`` -> ``o`` / ``u``, ``i`` -> ``e``, ``u`` -> ``o`` (``tienen``, ``pueden``, ``juegan``,
   ``piden``, ``murieron``), ``y`` of ``-uir`` / ``-eer`` verbs (``huyen``, ``leyó``); and the
   irregular stems of the common irregular verbs after any prefix (``tuv`` -> ``tener``:
   ``detuvo``, ``sostuvieron``; ``pus`` -> ``poner``: ``propuso``; ``duj`` -> ``-ducir``:
   ``produjo``; ``vin``, ``dij``, ``hic``, ``quis``, ``pud``, future ``tendr``, ``pondr``...).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["ENGLISH_IRREGULAR", "spanish_irregular_forms", "spanish_lemmas"]

_AR = (
    # present, preterite, imperfect, present and imperfect subjunctive, imperative,
    # gerund, participle
    "o as a amos ais an "
    "e aste o amos asteis aron "
    "aba abas abamos abais aban "
    "e es emos eis en "
    "ara aras aramos arais aran ase ases asemos aseis asen "
    "ad ando ado ada ados adas"
)
_ER = (
    "o es e emos eis en "
    "i iste io imos isteis ieron "
    "ia ias iamos iais ian "
    "a as amos ais an "
    "iera ieras ieramos ierais ieran iese ieses iesemos ieseis iesen "
    "ed iendo ido ida idos idas"
)
_IR = _ER.replace("emos eis", "imos is").replace("ed ", "id ")
_FUTURE = "e as a emos eis an ia ias iamos iais ian"
"""Future and conditional endings, after the whole infinitive (``detendrán`` aside)."""

ENDINGS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {(e, inf) for inf, table in (("ar", _AR), ("er", _ER), ("ir", _IR)) for e in table.split()},
        key=lambda p: (-len(p[0]), p),
    )
)
"""(ending, infinitive ending) of every regular form, the longest endings first."""

_PRETERITE = (
    "e",
    "iste",
    "o",
    "imos",
    "isteis",
    "ieron",
    "iera",
    "ieras",
    "ieran",
    "ieramos",
    "iese",
    "iesen",
    "eron",
    "era",
    "eras",
    "eran",
    "eramos",
    "ese",
    "esen",
)
_PRESENT = ("o", "a", "as", "amos", "ais", "an")

IRREGULAR_STEMS: dict[str, tuple[str, tuple[str, ...]]] = {
    # stem: (infinitive it comes from, endings it takes); any prefix may come before it
    "tuv": ("tener", _PRETERITE),
    "teng": ("tener", _PRESENT),
    "tendr": ("tener", tuple(_FUTURE.split())),
    "estuv": ("estar", _PRETERITE),
    "anduv": ("andar", _PRETERITE),
    "hic": ("hacer", _PRETERITE),
    "hiz": ("hacer", ("o",)),
    "hag": ("hacer", _PRESENT),
    "har": ("hacer", tuple(_FUTURE.split())),
    "dij": ("decir", _PRETERITE),
    "dig": ("decir", _PRESENT),
    "dir": ("decir", tuple(_FUTURE.split())),
    "pus": ("poner", _PRETERITE),
    "pong": ("poner", _PRESENT),
    "pondr": ("poner", tuple(_FUTURE.split())),
    "vin": ("venir", _PRETERITE),
    "veng": ("venir", _PRESENT),
    "vendr": ("venir", tuple(_FUTURE.split())),
    "quis": ("querer", _PRETERITE),
    "querr": ("querer", tuple(_FUTURE.split())),
    "pud": ("poder", _PRETERITE),
    "podr": ("poder", tuple(_FUTURE.split())),
    "sup": ("saber", _PRETERITE),
    "sep": ("saber", _PRESENT),
    "sabr": ("saber", tuple(_FUTURE.split())),
    "hub": ("haber", _PRETERITE),
    "habr": ("haber", tuple(_FUTURE.split())),
    "duj": ("ducir", _PRETERITE),
    "duzc": ("ducir", _PRESENT),
    "traj": ("traer", _PRETERITE),
    "traig": ("traer", _PRESENT),
    "salg": ("salir", _PRESENT),
    "saldr": ("salir", tuple(_FUTURE.split())),
    "valg": ("valer", _PRESENT),
    "valdr": ("valer", tuple(_FUTURE.split())),
    "oig": ("oir", _PRESENT),
    "caig": ("caer", _PRESENT),
    "cup": ("caber", _PRETERITE),
    "quep": ("caber", _PRESENT),
    "cabr": ("caber", tuple(_FUTURE.split())),
}
"""The irregular stems of the common irregular verbs (a grammar's tables: tener, estar,
andar, hacer, decir, poner, venir, querer, poder, saber, haber, -ducir, traer, salir, valer,
oír, caer, caber); ``detuvo`` is ``de`` + ``tuv`` + ``o``: ``detener``."""

IRREGULAR_PARTICIPLES: dict[str, str] = {
    "puesto": "poner",
    "hecho": "hacer",
    "dicho": "decir",
    "visto": "ver",
    "vuelto": "volver",
    "suelto": "solver",
    "scrito": "scribir",
    "bierto": "brir",
    "muerto": "morir",
    "roto": "romper",
    "preso": "primir",
    "fecho": "facer",
}
"""Participle endings -> infinitive endings (with any prefix: ``descrito``, ``devuelto``,
``descubierto``, ``impreso``); their feminine and plural forms too."""

WHOLE_FORMS: dict[str, tuple[str, ...]] = {}
"""Whole irregular forms (ser, ir, haber, dar, ver, estar) -> infinitives."""
for _infinitives, _forms in (
    (("ser", "ir"), "fue fueron fui fuiste fuimos fuisteis fuera fueras fueran fuese fuesen"),
    (
        ("ser",),
        "soy es son eres somos sois era eras eran eramos sea seas sean seamos sido siendo sere "
        "seras sera seremos seran seria serian",
    ),
    (("ir",), "va van vas vamos voy iba ibas iban ibamos vaya vayas vayan vayamos ido yendo"),
    (("haber",), "ha han has he hemos hay habia habias habian haya hayan hayamos"),
    (("dar",), "dio dieron di diste dimos diera dieran diese diesen doy da das dan de den des"),
    (
        ("ver",),
        "vio vieron vi viste vimos veo ve ves ven vea vean veia veian visto vista vistos vistas",
    ),
    (("estar",), "estoy esta estas estan estamos este esten estes"),
    (("saber",), "se sabe saben"),
    (("ir", "ver"), "ve"),
):
    for _form in _forms.split():
        WHOLE_FORMS[_form] = tuple(dict.fromkeys(WHOLE_FORMS.get(_form, ()) + _infinitives))

_ENCLITICS = (
    "selos",
    "selas",
    "selo",
    "sela",
    "nos",
    "los",
    "las",
    "les",
    "me",
    "te",
    "se",
    "lo",
    "la",
    "le",
    "os",
)
_VOWELS = "aeiou"


def spanish_lemmas(word: str) -> list[str]:
    """The dictionary forms ``word`` (folded, lowercase) may be an inflection of, most likely
    first, ``word`` itself left out (see the module docstring): rule-made candidates for a
    lexicon to keep those it holds."""
    out: dict[str, None] = {}

    def put(form: str) -> None:
        if len(form) >= 2 and form != word:
            out.setdefault(form, None)

    for form in WHOLE_FORMS.get(word, ()):
        put(form)
    _participle(word, put)
    _nominal(word, put)
    for base in _without_enclitic(word):
        put(base)
        for form in _verb(base):
            put(form)
    for form in _verb(word):
        put(form)
    return list(out)


def _participle(word: str, put: Callable[[str], None]) -> None:
    """The infinitive of an irregular participle (``descritas`` -> ``describir``)."""
    for number in ("", "s"):
        for gender in ("o", "a"):
            if not word.endswith(gender + number):
                continue
            masc = word[: len(word) - len(number) - 1] + "o"
            for ending, infinitive in IRREGULAR_PARTICIPLES.items():
                if masc.endswith(ending):
                    put(masc[: len(masc) - len(ending)] + infinitive)


def _nominal(word: str, put: Callable[[str], None]) -> None:
    """Singular masculine forms of a noun or adjective."""
    forms = [word]
    if word.endswith("mente") and len(word) > 7:  # adverb -> adjective
        adjective = word[:-5]
        put(adjective)
        forms.append(adjective)
    singular: list[str] = []
    for w in forms:
        if w.endswith("ces") and len(w) > 4:
            singular.append(w[:-3] + "z")
        if w.endswith("es") and len(w) > 4 and w[-3] not in _VOWELS:
            singular.append(w[:-2])
        if w.endswith("s") and len(w) > 3:
            singular.append(w[:-1])
    for w in [*singular, *forms]:
        if w != word:
            put(w)
        for female, male in (("isima", "o"), ("isimo", "o"), ("ora", "or"), ("a", "o")):
            if w.endswith(female) and len(w) > len(female) + 2:
                put(w[: len(w) - len(female)] + male)
                if female.startswith("isim"):
                    put(w[: len(w) - len(female)] + "e")  # grandísimo -> grande
                break


def _without_enclitic(word: str) -> list[str]:
    """An infinitive, gerund or imperative with its enclitic pronouns removed
    (``detenerlo``, ``llevándoselo``)."""
    out = []
    for pronoun in _ENCLITICS:
        if word.endswith(pronoun) and len(word) >= len(pronoun) + 3:
            base = word[: len(word) - len(pronoun)]
            if base.endswith(("ar", "er", "ir", "ando", "iendo", "yendo")):
                out.append(base)
            for inner in ("me", "te", "se", "nos", "os"):  # dárselo: dar + se + lo
                if base.endswith(inner) and base[: -len(inner)].endswith(("ar", "er", "ir")):
                    out.append(base[: -len(inner)])
    return out


def _verb(word: str) -> list[str]:
    """Infinitives ``word`` may be a form of (regular endings with their spelling and stem
    changes undone, irregular stems after any prefix)."""
    variants = [word]
    # -uir and -eer/-aer verbs write i as y between vowels: huyó, huyen, leyeron, cayendo
    y = word.rfind("y")
    if 0 < y < len(word) - 1 and word[y - 1] in _VOWELS and word[y + 1] in _VOWELS:
        variants.append(word[:y] + "i" + word[y + 1 :])
        if word[y - 1] == "u":
            variants.append(word[:y] + word[y + 1 :])
    out: list[str] = []
    for w in variants:
        for ending, infinitive in ENDINGS:
            if not w.endswith(ending):
                continue
            stem = w[: len(w) - len(ending)]
            if len(stem) < 1:
                continue
            for base in _stems(stem, ending, infinitive):
                out.append(base + infinitive)
        for infinitive in ("ar", "er", "ir"):  # future and conditional: infinitive + ending
            for ending in _FUTURE.split():
                if w.endswith(infinitive + ending):
                    out.append(w[: len(w) - len(ending)])
        for stem, (infinitive, endings) in IRREGULAR_STEMS.items():
            for ending in endings:
                if w.endswith(stem + ending):
                    out.append(w[: len(w) - len(stem) - len(ending)] + infinitive)
    return out


def _stems(stem: str, ending: str, infinitive: str) -> list[str]:
    """The infinitive stems a form's stem may come from: itself, its spelling change undone
    (before ``e`` of an -ar verb, before ``a``/``o`` of an -er/-ir verb), its stem change
    undone (in its last vowel group)."""
    out = [stem]
    if infinitive == "ar" and ending.startswith("e"):
        for written, spelled in (("qu", "c"), ("gu", "g"), ("c", "z"), ("gu", "gu")):
            if stem.endswith(written):
                out.append(stem[: len(stem) - len(written)] + spelled)
    if infinitive != "ar" and ending[:1] in ("a", "o"):
        for written, spelled in (("j", "g"), ("zc", "c"), ("z", "c"), ("g", "gu")):
            if stem.endswith(written):
                out.append(stem[: len(stem) - len(written)] + spelled)
    changed = []
    for s in out:
        for written, spelled in (("ie", "e"), ("ue", "o"), ("ue", "u"), ("i", "e"), ("u", "o")):
            at = s.rfind(written)
            # the change is in the stem's last syllable (the u of gu, qu is silent)
            tail = s[at + len(written) :].replace("gu", "g").replace("qu", "q")
            if at > 0 and not any(c in _VOWELS for c in tail):
                changed.append(s[:at] + spelled + s[at + len(written) :])
    return out + changed


_ENGLISH_AMBIGUOUS = frozenset(
    "lay left saw rose found ground wound lit fell bore born struck stricken sprang sprung "
    "rung dealt lain bit".split()
)
ENGLISH_IRREGULAR: dict[str, tuple[str, ...]] = {}
"""Base verb -> its irregular past and participle forms, from a grammar's table of the common
irregular English verbs: a translation into an English verb also matches the forms the
English stemmer does not join to it (``huyeron`` -> ``flee``, which news writes ``fled``;
``detener`` -> ``hold``, ``held``). Forms that are as often another word (``left``, ``found``,
``saw``, ``rose``, ``fell``, ``lay``, ``ground``, ``wound``...) are left out."""
for _row in (
    "arise arose arisen",
    "awake awoke awoken",
    "bear bore borne born",
    "beat beat beaten",
    "become became become",
    "begin began begun",
    "bend bent bent",
    "bet bet bet",
    "bind bound bound",
    "bite bit bitten",
    "bleed bled bled",
    "blow blew blown",
    "break broke broken",
    "breed bred bred",
    "bring brought brought",
    "build built built",
    "burn burnt burnt",
    "buy bought bought",
    "catch caught caught",
    "choose chose chosen",
    "cling clung clung",
    "come came come",
    "cost cost cost",
    "creep crept crept",
    "deal dealt dealt",
    "dig dug dug",
    "do did done",
    "draw drew drawn",
    "drink drank drunk",
    "drive drove driven",
    "eat ate eaten",
    "fall fell fallen",
    "feed fed fed",
    "feel felt felt",
    "fight fought fought",
    "find found found",
    "flee fled fled",
    "fly flew flown",
    "forbid forbade forbidden",
    "forecast forecast forecast",
    "foresee foresaw foreseen",
    "forget forgot forgotten",
    "forgive forgave forgiven",
    "freeze froze frozen",
    "get got gotten",
    "give gave given",
    "go went gone",
    "grind ground ground",
    "grow grew grown",
    "hang hung hung",
    "have had had",
    "hear heard heard",
    "hide hid hidden",
    "hit hit hit",
    "hold held held",
    "hurt hurt hurt",
    "keep kept kept",
    "know knew known",
    "lay laid laid",
    "lead led led",
    "leave left left",
    "lend lent lent",
    "let let let",
    "lie lay lain",
    "light lit lit",
    "lose lost lost",
    "make made made",
    "mean meant meant",
    "meet met met",
    "mistake mistook mistaken",
    "overcome overcame overcome",
    "overrun overran overrun",
    "oversee oversaw overseen",
    "overtake overtook overtaken",
    "overthrow overthrew overthrown",
    "pay paid paid",
    "prove proved proven",
    "put put put",
    "quit quit quit",
    "read read read",
    "rid rid rid",
    "ride rode ridden",
    "ring rang rung",
    "rise rose risen",
    "run ran run",
    "say said said",
    "see saw seen",
    "seek sought sought",
    "sell sold sold",
    "send sent sent",
    "set set set",
    "shake shook shaken",
    "shed shed shed",
    "shine shone shone",
    "shoot shot shot",
    "show showed shown",
    "shrink shrank shrunk",
    "shut shut shut",
    "sing sang sung",
    "sink sank sunk",
    "sit sat sat",
    "slay slew slain",
    "sleep slept slept",
    "slide slid slid",
    "speak spoke spoken",
    "speed sped sped",
    "spend spent spent",
    "spin spun spun",
    "split split split",
    "spread spread spread",
    "spring sprang sprung",
    "stand stood stood",
    "steal stole stolen",
    "stick stuck stuck",
    "sting stung stung",
    "strike struck stricken",
    "strive strove striven",
    "swear swore sworn",
    "sweep swept swept",
    "swim swam swum",
    "swing swung swung",
    "take took taken",
    "teach taught taught",
    "tear tore torn",
    "tell told told",
    "think thought thought",
    "throw threw thrown",
    "undergo underwent undergone",
    "understand understood understood",
    "undertake undertook undertaken",
    "uphold upheld upheld",
    "wake woke woken",
    "wear wore worn",
    "weep wept wept",
    "win won won",
    "wind wound wound",
    "withdraw withdrew withdrawn",
    "withhold withheld withheld",
    "write wrote written",
):
    _base, *_past = _row.split()
    _kept = tuple(dict.fromkeys(f for f in _past if f != _base and f not in _ENGLISH_AMBIGUOUS))
    if _kept:
        ENGLISH_IRREGULAR[_base] = _kept


SPANISH_IRREGULAR: dict[str, tuple[str, ...]] = {
    ending: tuple(forms.split())
    for ending, forms in (
        ("tener", "tiene tienen tuvo tuvieron tenga tengan"),
        ("venir", "viene vienen vino vinieron venga vengan"),
        ("decir", "dice dicen dijo dijeron diga digan"),
        ("poner", "pone ponen puso pusieron ponga pongan puesto puesta"),
        ("hacer", "hace hacen hizo hicieron haga hagan hecho"),
        ("poder", "puede pueden pudo pudieron"),
        ("querer", "quiere quieren quiso quisieron"),
        ("traer", "trae traen trajo trajeron traiga traigan"),
        ("ducir", "duce ducen dujo dujeron duzca duzcan"),
        ("morir", "muere mueren murio murieron muerto muerta"),
        ("seguir", "sigue siguen siguio siguieron siga sigan"),
        ("volver", "vuelve vuelven vuelto vuelta"),
        ("cubrir", "cubre cubren cubierto"),
        ("scribir", "scribe scriben scrito"),
        ("uir", "uye uyen uyo uyeron uya uyan"),  # huir, construir, distribuir
    )
}
"""Infinitive endings of Spanish irregular and stem-changing verbs -> the endings of their
third-person forms that the Snowball stemmer does not join to the infinitive (``detener``:
``detuvo``, ``detienen``; ``huir``: ``huyeron``), from a grammar's conjugation tables."""


def spanish_irregular_forms(infinitive: str) -> list[str]:
    """The forms of a Spanish verb (folded infinitive) the stemmer does not join to it, when
    it ends like an irregular verb of :data:`SPANISH_IRREGULAR` (any prefix), else []."""
    for ending, forms in SPANISH_IRREGULAR.items():
        prefix = infinitive[: len(infinitive) - len(ending)]
        if infinitive.endswith(ending) and (prefix or ending != "uir"):
            return [prefix + f for f in forms]
    return []
