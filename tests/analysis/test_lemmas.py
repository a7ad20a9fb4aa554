"""Spanish forms back to their dictionary forms for lexicon lookup (analysis/lemmas.py, issue 19).

The conjugation tables are a grammar's (the indicative, subjunctive, gerund and participle of
the model verbs of each conjugation, of stem-changing and spelling-changing verbs and of the
common irregular ones), written out in full: every form must propose its infinitive."""

from __future__ import annotations

import unicodedata

import pytest

from searchlib.analysis import Lexicon
from searchlib.analysis.lemmas import spanish_lemmas


def fold(word: str) -> str:
    """What the Spanish chain's normalisation makes of a word: lowercase, accents off, ñ kept."""
    out = []
    for ch in word.lower():
        if ch == "ñ":
            out.append(ch)
            continue
        out.append(
            "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        )
    return "".join(out)


TABLES: dict[str, str] = {
    "hablar": (
        "hablo hablas habla hablamos habláis hablan hablé hablaste habló hablasteis hablaron "
        "hablaba hablabas hablábamos hablabais hablaban hablaré hablarás hablará hablaremos "
        "hablaréis hablarán hablaría hablarías hablaríamos hablaríais hablarían hable hables "
        "hablemos habléis hablen hablara hablaras habláramos hablarais hablaran hablase hablasen "
        "hablando hablado hablada hablados habladas"
    ),
    "comer": (
        "como comes come comemos coméis comen comí comiste comió comimos comisteis comieron "
        "comía comías comíamos comíais comían comeré comerás comerá comeremos comeréis comerán "
        "comería comerían coma comas comamos comáis coman comiera comieras comiéramos comieran "
        "comiese comiesen comiendo comido comida comidos comidas"
    ),
    "vivir": (
        "vivo vives vive vivimos vivís viven viví viviste vivió vivisteis vivieron vivía "
        "vivíamos vivían viviré vivirás vivirá viviremos vivirán viviría vivirían viva vivas "
        "vivamos vivan viviera vivieran viviese viviendo vivido vividas"
    ),
    "tener": (
        "tengo tienes tiene tenemos tenéis tienen tuve tuviste tuvo tuvimos tuvisteis tuvieron "
        "tenía teníamos tenían tendré tendrás tendrá tendremos tendrán tendría tendrían tenga "
        "tengas tengamos tengan tuviera tuvieras tuviéramos tuvieran tuviese tuviesen teniendo "
        "tenido"
    ),
    "detener": (
        "detengo detiene detienen detuve detuvo detuvieron detendrá detenga detuviera "
        "detenido detenidas"
    ),
    "hacer": (
        "hago haces hace hacemos hacen hice hiciste hizo hicimos hicieron hacía hacían haré "
        "harás hará haremos harán haría harían haga hagas hagamos hagan hiciera hicieran "
        "hiciese haciendo hecho hecha hechos"
    ),
    "decir": (
        "digo dices dice decimos dicen dije dijiste dijo dijimos dijeron decía decían diré "
        "dirás dirá diremos dirán diría dirían diga digas digamos digan dijera dijeran "
        "diciendo dicho dichas"
    ),
    "poner": (
        "pongo pones pone ponemos ponen puse pusiste puso pusimos pusieron ponía ponían "
        "pondré pondrá pondrán pondría ponga pongan pusiera pusieran poniendo puesto puestas"
    ),
    "proponer": "propongo propone proponen propuso propusieron propondrá proponga propuesto",
    "venir": (
        "vengo vienes viene venimos vienen vine viniste vino vinimos vinieron venía venían "
        "vendré vendrá vendrán vendría venga vengan viniera vinieran viniendo venido"
    ),
    "intervenir": (
        "intervengo interviene intervienen intervino intervinieron intervendrá intervenga"
    ),
    "huir": (
        "huyo huyes huye huimos huyen hui huiste huyó huisteis huyeron huía huían huiré huirá "
        "huirán huiría huya huyas huyamos huyan huyera huyeran huyendo huido huidos"
    ),
    "construir": (
        "construyo construye construyen construyó construyeron construya construyendo construido"
    ),
    "morir": (
        "muero mueres muere morimos mueren morí moriste murió morimos murieron moría morían "
        "moriré morirá morirán muera mueran muriera murieran muriendo muerto muerta muertos"
    ),
    "dormir": "duermo duerme duermen durmió durmieron duerma durmamos durmiera durmiendo dormido",
    "pedir": "pido pides pide pedimos piden pidió pidieron pida pidan pidiera pidiendo pedido",
    "seguir": (
        "sigo sigues sigue seguimos siguen siguió siguieron siga sigan siguiera siguiendo seguido"
    ),
    "poder": (
        "puedo puedes puede podemos pueden pude pudo pudieron podrá podría pueda puedan "
        "pudiera pudiendo"
    ),
    "querer": "quiero quiere queremos quieren quise quiso quisieron querrá querría quiera quisiera",
    "cerrar": "cierro cierras cierra cerramos cierran cerró cierre cierren cerrando cerrado",
    "jugar": "juego juegas juega jugamos juegan jugué jugó jugaron juegue jueguen jugando jugado",
    "buscar": "busco busca buscamos buscan busqué buscó buscaron busque busquen buscando buscado",
    "llegar": "llego llega llegan llegué llegó llegaron llegue lleguen llegando llegado",
    "empezar": "empiezo empieza empiezan empecé empezó empezaron empiece empiecen empezando",
    "conocer": (
        "conozco conoces conoce conocen conocí conoció conocieron conozca conozcan conociendo"
    ),
    "vencer": "venzo vence vencen venció vencieron venza venzan venciendo vencido",
    "dirigir": (
        "dirijo diriges dirige dirigen dirigió dirigieron dirija dirijan dirigiendo dirigido"
    ),
    "proteger": "protejo protege protegen protegió proteja protejan protegiendo protegido",
    "producir": (
        "produzco produce producen produje produjo produjeron produzca produjera produciendo"
    ),
    "traer": "traigo trae traen traje trajo trajeron traiga traigan trajera trayendo traído",
    "leer": "leo lee leen leí leyó leyeron lea lean leyera leyendo leído",
    "caer": "caigo cae caen caí cayó cayeron caiga caigan cayera cayendo caído",
    "estar": (
        "estoy estás está estamos están estuve estuvo estuvieron estaba estaban esté "
        "estén estuviera"
    ),
    "saber": "sé sabes sabe sabemos saben supe supo supieron sabrá sabría sepa sepan supiera",
    "salir": "salgo sales sale salen salió salieron saldrá saldría salga salgan saliendo",
    "ser": (
        "soy eres es somos son fui fue fuimos fueron era eran será serán sea sean fuera "
        "fueran siendo sido"
    ),
    "ir": "voy vas va vamos van fui fue fueron iba iban irá irán vaya vayan fuera yendo ido",
    "haber": "he has ha hemos han hube hubo hubieron había habían habrá habría haya hayan hubiera",
    "dar": "doy das da damos dan di dio dieron daba daban dará dé den diera dando dado",
    "ver": "veo ves ve vemos ven vi vio vieron veía veían verá vea vean viera viendo visto",
    "escribir": "escribo escribe escribió escrito escrita escritos",
    "describir": "describe describió descrito descritas",
    "abrir": "abre abrió abierto abiertas",
    "volver": "vuelvo vuelve vuelven volvió vuelva vuelto vueltas",
    "devolver": "devuelve devuelven devolvió devuelto",
    "romper": "rompe rompió roto rotas",
}


@pytest.mark.parametrize("infinitive", sorted(TABLES))
def test_every_form_of_a_grammar_table_proposes_its_infinitive(infinitive: str) -> None:
    missed = [f for f in TABLES[infinitive].split() if infinitive not in spanish_lemmas(fold(f))]
    assert missed == []


@pytest.mark.parametrize(
    ("infinitive", "form"),
    [
        ("detener", "detenerlo"),
        ("llevar", "llevándoselo"),
        ("dar", "dárselo"),
        ("buscar", "buscándolos"),
    ],
)
def test_enclitic_pronouns_are_taken_off(infinitive: str, form: str) -> None:
    assert infinitive in spanish_lemmas(fold(form))


@pytest.mark.parametrize(
    ("lemma", "form"),
    [
        ("ciudad", "ciudades"),
        ("voz", "voces"),
        ("juez", "jueces"),
        ("arma", "armas"),
        ("armado", "armadas"),
        ("traductor", "traductoras"),
        ("ilegal", "ilegalmente"),
        ("rapido", "rápidamente"),
        ("peligroso", "peligrosísima"),
        ("grande", "grandísimo"),
    ],
)
def test_nouns_and_adjectives_reach_the_masculine_singular(lemma: str, form: str) -> None:
    assert lemma in spanish_lemmas(fold(form))


def test_the_word_itself_is_not_a_candidate() -> None:
    assert "casa" not in spanish_lemmas("casa")
    assert spanish_lemmas("") == []


def test_lexicon_reaches_an_infinitive_from_a_conjugated_form() -> None:
    lexicon = Lexicon([("arrest", "detener"), ("flee", "huir"), ("die", "morir")])
    assert lexicon.lookup("detuvieron", "es") == ["arrest"]
    assert lexicon.lookup("huyó", "es") == ["flee"]
    assert lexicon.lookup("murieron", "es") == ["die"]
    assert lexicon.translate("los jefes huyeron y murieron", "es") == ["flee", "die"]
    # English words are not read as Spanish forms
    assert Lexicon([("tener", "tener")]).lookup("tuvo", "en") == []


def test_a_form_the_lexicon_holds_keeps_its_own_entry() -> None:
    lexicon = Lexicon([("weapons", "armas"), ("to arm", "armar")])
    assert lexicon.lookup("armas", "es") == ["weapons"]  # not armar's, though -as is a form of it
    assert lexicon.translate("armaron", "es") == ["to arm"]
