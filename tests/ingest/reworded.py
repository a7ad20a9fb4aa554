"""Pages with boilerplate worded differently from every line of the layout table.

Written by hand as a held-out set: none of these variants is in ``searchlib/ingest/layout.py``
(a test checks it), so the stripper can only recognise them by evidence (where they sit,
near-duplicate wording, repetition across pages). The real paragraphs include short ones and ones
that talk about donations, licences, sharing and comments in the story itself.
"""

from __future__ import annotations

# The site's tail slots, in page order (share widget, feedback, appeal, button, comment
# invitation, licence notice, then feedback/appeal/button again), each with reworded variants.
EN_TAIL: dict[str, tuple[str, ...]] = {
    "share": (
        "share icon icon",
        "SHARE icon icon icon icon",
        "Share this article icon icon icon",
        "Share on Facebook Share on Twitter Share by email",
    ),
    "feedback": (
        "Was this article helpful?",
        "Did you find this content useful?",
        "Did you find this content helpful?",
        "Was this content useful to you?",
    ),
    "appeal": (
        "We want to keep sustaining Latin America's biggest organized crime database, and to do "
        "so we need resources.",
        "Investigating organized crime is an expensive and risky enterprise. Please support our "
        "work: every dollar supports our mission.",
    ),
    "button": ("DONATE NOW", "Donate today", "DONATE TODAY"),
    "comment": (
        "What do you think? Click here to send us your comments.",
        "Tell us your thoughts: click here to send InSight Crime your comments.",
    ),
    "licence": (
        "Readers are encouraged to copy and distribute our work for non-commercial purposes, "
        "crediting InSight Crime in the byline and linking to the original at the top and bottom "
        "of the article. See the Creative Commons website for details on sharing our work, and "
        "email us if you use an article.",
        "You may copy and distribute our work for non-commercial purposes, with attribution to "
        "InSight Crime and a link to the original article. Check the Creative Commons website "
        "for more details.",
    ),
}

ES_TAIL: dict[str, tuple[str, ...]] = {
    "share": (
        "compartir icon icon",
        "COMPARTIR icon icon icon icon",
        "Compartir en Facebook Compartir en Twitter Compartir por correo",
    ),
    "feedback": (
        "¿Te resultó útil este contenido?",  # tú
        "¿Le fue útil este contenido?",  # usted
        "¿Te fue útil este artículo?",
        "¿Fue útil este contenido?",
    ),
    "appeal": (
        "Queremos seguir sosteniendo la base de datos más grande de crimen organizado de América "
        "Latina, y para eso necesitamos recursos.",
        "Sostener la mayor base de datos sobre crimen organizado de América Latina requiere "
        "recursos: queremos hacerlo, y para eso necesitamos tu ayuda.",
    ),
    "button": ("DONA AHORA", "DONE AHORA", "Dona hoy"),
    "comment": (
        "¿Qué piensas? Haz clic aquí para enviarnos tus comentarios.",  # tú
        "¿Qué opina usted? Haga clic aquí para enviar sus comentarios a InSight Crime.",
    ),
    "licence": (
        "Animamos a los lectores a copiar y distribuir nuestro trabajo sin fines comerciales, "
        "citando a InSight Crime en la firma y enlazando al original al principio y al final "
        "del artículo. Consulta el sitio de Creative Commons para más detalles y escríbenos si "
        "utilizas un artículo.",
        "Puedes copiar y distribuir nuestro trabajo con fines no comerciales, con atribución a "
        "InSight Crime y un enlace al artículo original. Consulte el sitio web de Creative "
        "Commons para más detalles.",
    ),
}

TAIL_ORDER = ("share", "feedback", "appeal", "button", "comment", "licence")

EN_REAL = (
    "Police in Rosario arrested eleven members of Los Monos on Tuesday, accusing them of "
    "ordering a wave of shootings against businesses that refused to pay extortion.",
    "Criminal groups across the region will feel the squeeze.",
    "He declined to comment.",
    "Prosecutors say the network used mining licences issued in 2019 to launder gold from "
    "illegal mines in Amazonas, and shared the permits with front companies.",
    "According to the indictment, drug traffickers donated millions of dollars to local "
    "campaigns in exchange for protection from the police.",
    "Share prices of the bank fell 12 percent after the report was published.",
    "Why now?",
    "The foundation, which asked readers to donate to its shelter for victims of trafficking, "
    "said it had received threats.",
    "Officials did not respond to requests for comment, and the ministry has not said whether "
    "it will renew the licence of the private security firm.",
)

ES_REAL = (
    "La policía de Rosario detuvo el martes a once integrantes de Los Monos, acusados de ordenar "
    "una ola de balaceras contra comercios que se negaron a pagar extorsiones.",
    "Los grupos criminales de la región sentirán el golpe.",
    "No quiso hacer comentarios.",
    "Según la fiscalía, la red usó licencias mineras otorgadas en 2019 para lavar oro de minas "
    "ilegales en Amazonas, y compartió los permisos con empresas fachada.",
    "De acuerdo con la acusación, los narcotraficantes donaron millones de dólares a campañas "
    "locales a cambio de protección policial.",
    "Compartir información con Estados Unidos fue clave para el caso, dijo el fiscal.",
    "¿Por qué ahora?",
    "La fundación, que pidió a los lectores donar a su albergue para víctimas de trata, dijo "
    "haber recibido amenazas.",
    "Las autoridades no respondieron a las solicitudes de comentarios y el ministerio no ha "
    "dicho si renovará la licencia de la empresa de seguridad privada.",
)

# Header variants: breadcrumb and kind labels the layout table does not list.
EN_HEADERS = (
    ("HomeNewsOpinion{title}", "OPINION"),
    ("Home › News › Briefs › {title}", "NEWS BRIEFS"),
    ("HomeInvestigations{title}", "SPECIAL REPORT"),
    ("Home / News / {title}", "INTERVIEW"),
)
ES_HEADERS = (
    ("InicioNoticiasOpinión{title}", "OPINIÓN"),
    ("Inicio » Noticias » Breves » {title}", "BREVES"),
    ("InicioNoticiasReportaje{title}", "REPORTAJE"),
    ("Inicio / Noticias / {title}", "ENTREVISTA"),
)

# Share widgets at the top of the body (2019-2020 layout and variants), with a photo caption.
EN_TOP_SHARE = (
    "SHARE Tweet this Share on Facebook Share on WhatsApp",
    "Share on Twitter Share on Facebook Share on LinkedIn",
)
ES_TOP_SHARE = (
    "COMPARTIR Tuitear esto Compartir en Facebook Compartir en WhatsApp",
    "Compartir en Twitter Compartir en Facebook Compartir en LinkedIn",
)
