"""Sentiment and topics of survey comments, in English and Spanish, offline.

Sentiment (see docs/decisions/0005-comment-sentiment.md):

* English: VADER (``vaderSentiment``), a lexicon and rules (negation, intensifiers, "but", capitals,
  punctuation) shipped inside the package.
* Spanish: ``asent``'s rule engine (the same VADER-style rules) over the Spanish lexicon it ships (Chen & Skiena
  2014), run on a blank spaCy tokenizer, with Spanish negations, intensifiers and contrast words we give it.

Both lexicons are general-purpose; a short list of after-sales terms of our own (``DOMAIN_TERMS``: "late",
"broken", "tardaron", "roto"…) is added on top, because customers' complaints are mostly about time and
things that do not work, which general lexicons score as neutral. Nothing is downloaded at run time.

The compound score is in [−1, 1]; ≥ 0.05 reads as positive, ≤ −0.05 as negative, in between as neutral
(VADER's published thresholds).

Topics are keyword lexicons per language (``TOPICS``): a comment is about a topic when it contains one of its
stems. A comment can have several topics or none.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language

POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05

# After-sales words the general lexicons miss or under-rate, on VADER's −4…+4 scale.
DOMAIN_TERMS: dict[str, dict[str, float]] = {
    Language.ENGLISH: {
        "late": -1.6,
        "delayed": -1.8,
        "delay": -1.5,
        "broken": -2.2,
        "broke": -2.0,
        "faulty": -2.2,
        "defective": -2.3,
        "scratched": -1.8,
        "dented": -1.8,
        "leaks": -1.8,
        "leaking": -1.8,
        "noisy": -1.5,
        "unanswered": -1.8,
        "overpriced": -2.0,
        "waited": -1.2,
        "waiting": -0.8,
        "rescheduled": -1.2,
        "again": -0.3,
        "cancelled": -1.3,
        "useless": -2.4,
        "punctual": 2.0,
        "prompt": 1.8,
        "promptly": 1.8,
        "quickly": 1.2,
        "fast": 1.3,
        "courteous": 2.0,
        "tidy": 1.2,
        "spotless": 1.8,
        "flawless": 2.4,
        "flawlessly": 2.4,
        "recommend": 1.8,
        "reliable": 1.8,
        "smoothly": 1.6,
    },
    Language.SPANISH: {
        "tarde": -1.6,
        "retraso": -1.8,
        "retrasos": -1.8,
        "retrasó": -1.8,
        "tardaron": -1.6,
        "tardó": -1.6,
        "tardan": -1.6,
        "esperando": -1.0,
        "esperé": -1.2,
        "roto": -2.2,
        "rota": -2.2,
        "rompió": -2.2,
        "averiado": -2.0,
        "averiada": -2.0,
        "avería": -1.6,
        "defectuoso": -2.3,
        "defectuosa": -2.3,
        "rayado": -1.8,
        "rayada": -1.8,
        "golpe": -1.4,
        "golpeado": -1.8,
        "fuga": -1.6,
        "pierde": -1.2,
        "ruido": -1.2,
        "ruidoso": -1.5,
        "ruidosa": -1.5,
        "caro": -1.2,
        "cara": -0.6,
        "carísimo": -2.0,
        "falla": -1.8,
        "fallo": -1.8,
        "fallos": -1.8,
        "funciona": 0.9,
        "queja": -1.8,
        "reclamación": -1.2,
        "nadie": -1.2,
        "nunca": -1.0,
        "cancelaron": -1.4,
        "mal": -2.0,
        "malo": -2.2,
        "mala": -2.2,
        "pésimo": -3.0,
        "pésima": -3.0,
        "horrible": -2.8,
        "fatal": -2.6,
        "desastre": -2.8,
        "vergüenza": -2.4,
        "decepcionado": -2.2,
        "decepcionada": -2.2,
        "decepción": -2.2,
        "inútil": -2.4,
        "grosero": -2.4,
        "maleducado": -2.4,
        "borde": -1.8,
        "sucio": -1.6,
        "desorden": -1.4,
        "peor": -2.0,
        "lento": -1.5,
        "lenta": -1.5,
        "bien": 1.6,
        "bueno": 1.8,
        "buena": 1.8,
        "buen": 1.8,
        "excelente": 3.0,
        "estupendo": 2.8,
        "estupenda": 2.8,
        "genial": 2.8,
        "perfecto": 2.8,
        "perfecta": 2.8,
        "perfectamente": 2.6,
        "encantado": 2.6,
        "encantada": 2.6,
        "contento": 2.2,
        "contenta": 2.2,
        "satisfecho": 2.2,
        "satisfecha": 2.2,
        "amable": 2.2,
        "amables": 2.2,
        "atento": 1.8,
        "atenta": 1.8,
        "profesional": 1.8,
        "puntual": 2.0,
        "puntuales": 2.0,
        "rápido": 1.6,
        "rápida": 1.6,
        "rápidamente": 1.6,
        "limpio": 1.2,
        "recomiendo": 2.2,
        "recomendaría": 2.2,
        "gracias": 1.6,
        "maravilla": 2.8,
        "impecable": 2.6,
        "eficaz": 1.8,
        "eficiente": 1.8,
        "fenomenal": 2.8,
        "resolvieron": 1.4,
        "solucionaron": 1.6,
        "solucionado": 1.4,
        "resuelto": 1.2,
    },
}

# Function words and after-sales nouns the automatic Spanish lexicon scores although they carry no opinion
# ("en" and "para" are negative in it, "como" positive): they count as neutral.
SPANISH_NEUTRAL = frozenset(
    {
        "en",
        "para",
        "como",
        "casi",
        "ir",
        "pues",
        "solo",
        "tipo",
        "modo",
        "paso",
        "dado",
        "mil",
        "cero",
        "res",
        "real",
        "lote",
        "pan",
        "mar",
        "aire",
        "piso",
        "alto",
        "bajo",
        "baja",
        "fijo",
        "gran",
        "mayor",
        "nuevo",
        "nueva",
        "general",
        "entrega",
        "usado",
        "pasado",
        "garantía",
        "tapa",
        "obra",
        "mina",
        "pozo",
        "sumo",
    }
)
SPANISH_NEGATIONS = frozenset({"no", "nunca", "jamás", "ni", "tampoco", "sin", "nada", "ningún", "ninguna", "ninguno"})
SPANISH_INTENSIFIERS = {
    "muy": 0.293,
    "bastante": 0.2,
    "super": 0.293,
    "súper": 0.293,
    "realmente": 0.293,
    "totalmente": 0.293,
    "tan": 0.2,
    "demasiado": 0.2,
    "extremadamente": 0.293,
    "poco": -0.293,
    "algo": -0.1,
}
SPANISH_CONTRAST = frozenset({"pero", "aunque", "sino", "sin embargo"})


class Topic:
    DELIVERY = "delivery"
    INSTALLATION = "installation"
    PRODUCT_QUALITY = "product_quality"
    STAFF_ATTITUDE = "staff_attitude"
    RESPONSE_TIME = "response_time"
    PRICE = "price"
    REPAIR = "repair"
    COMMUNICATION = "communication"


TOPIC_LABELS = {
    Topic.DELIVERY: _("Delivery"),
    Topic.INSTALLATION: _("Installation"),
    Topic.PRODUCT_QUALITY: _("Product quality"),
    Topic.STAFF_ATTITUDE: _("Staff attitude"),
    Topic.RESPONSE_TIME: _("Response time"),
    Topic.PRICE: _("Price"),
    Topic.REPAIR: _("Repair"),
    Topic.COMMUNICATION: _("Communication"),
}

# Word stems (matched at the start of a word, accents ignored) that put a comment in a topic.
TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    Language.ENGLISH: {
        Topic.DELIVERY: ("deliver", "courier", "carrier", "shipping", "shipment", "arrived", "dispatch", "parcel", "box"),
        Topic.INSTALLATION: ("install", "fitted", "fitting", "set up", "setup", "mounted", "plumb", "connected"),
        Topic.PRODUCT_QUALITY: (
            "quality",
            "broken",
            "faulty",
            "defect",
            "works",
            "working",
            "stopped",
            "leak",
            "noise",
            "noisy",
            "scratch",
            "dent",
            "build",
            "durable",
            "reliable",
            "product",
            "machine",
            "fridge",
            "washer",
        ),
        Topic.STAFF_ATTITUDE: (
            "rude",
            "polite",
            "friendly",
            "kind",
            "helpful",
            "courteous",
            "attitude",
            "staff",
            "technician",
            "agent",
            "driver",
            "professional",
            "manner",
            "unhelpful",
            "patient",
        ),
        Topic.RESPONSE_TIME: (
            "wait",
            "late",
            "delay",
            "slow",
            "quick",
            "fast",
            "prompt",
            "days",
            "weeks",
            "hours",
            "on time",
            "punctual",
            "took",
            "still no",
            "never came",
            "respond",
            "reply",
        ),
        Topic.PRICE: ("price", "expensive", "cheap", "cost", "overpriced", "value for money", "fee", "charge", "paid", "refund"),
        Topic.REPAIR: ("repair", "fixed", "fix", "spare", "part", "warranty"),
        Topic.COMMUNICATION: ("call", "phone", "email", "inform", "update", "told", "explain", "answer", "message"),
    },
    Language.SPANISH: {
        Topic.DELIVERY: (
            "entreg",
            "reparto",
            "repartidor",
            "transport",
            "envio",
            "llego",
            "llegó",
            "paquete",
            "caja",
            "mensajer",
        ),
        Topic.INSTALLATION: ("instal", "montaj", "mont", "conect", "fontaner", "puesta en marcha"),
        Topic.PRODUCT_QUALITY: (
            "calidad",
            "roto",
            "rota",
            "defect",
            "funciona",
            "dejo de",
            "fuga",
            "ruido",
            "rayad",
            "golpe",
            "averi",
            "producto",
            "maquina",
            "lavadora",
            "nevera",
            "frigorific",
            "fiable",
            "duradero",
        ),
        Topic.STAFF_ATTITUDE: (
            "amable",
            "grosero",
            "educad",
            "maleducad",
            "simpatic",
            "atent",
            "trato",
            "personal",
            "tecnico",
            "agente",
            "repartidor",
            "profesional",
            "actitud",
            "borde",
            "paciencia",
        ),
        Topic.RESPONSE_TIME: (
            "esper",
            "tarde",
            "tardaron",
            "tardo",
            "retras",
            "lent",
            "rapid",
            "dias",
            "semanas",
            "horas",
            "a tiempo",
            "puntual",
            "respuesta",
            "responde",
            "contest",
        ),
        Topic.PRICE: ("precio", "caro", "cara", "barato", "coste", "costo", "pagar", "pague", "cobr", "factura", "reembolso"),
        Topic.REPAIR: ("repar", "arregl", "pieza", "recambio", "garantia"),
        Topic.COMMUNICATION: ("llam", "telefono", "correo", "email", "inform", "avis", "explic", "mensaje"),
    },
}


@dataclass(frozen=True)
class Analysis:
    sentiment: str
    score: float
    topics: list[str]
    language: str


def _plain(text: str) -> str:
    """Return lower-case text without accents, for keyword matching."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def language_guess(text: str, *, default: str = Language.ENGLISH) -> str:
    """Return "en" or "es" for a comment: py3langid's confident guess between the two, else the default."""
    sample = text.strip()[:2000]
    if len(sample) < 12:
        return default
    language, confidence = _identifier().classify(sample)
    return str(language) if language in (Language.ENGLISH, Language.SPANISH) and confidence >= 0.8 else default


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([Language.ENGLISH, Language.SPANISH])
    return identifier


@functools.lru_cache(maxsize=1)
def _english() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(DOMAIN_TERMS[Language.ENGLISH])
    return analyzer


@functools.lru_cache(maxsize=1)
def _spanish() -> Any:
    import spacy
    from asent.component import Asent
    from asent.utils import lexicons

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import asent  # noqa: F401 - registers the lexicons shipped with the package

        lexicon = dict(lexicons.get("lexicon_es_chen_skiena_2014_v1.txt"))
    # The automatic lexicon is binary (±1); VADER's scale is ±4, so its words count as mild ones.
    lexicon = {word: 1.5 * value for word, value in lexicon.items() if word not in SPANISH_NEUTRAL}
    lexicon.update(DOMAIN_TERMS[Language.SPANISH])
    nlp = spacy.blank("es")
    nlp.add_pipe("sentencizer")
    component = Asent(
        nlp,
        name="aftersales_asent_es",
        lexicon=lexicon,
        intensifiers=SPANISH_INTENSIFIERS,
        negations=SPANISH_NEGATIONS,
        contrastive_conjugations=SPANISH_CONTRAST,
        lowercase=True,
        lemmatize=False,
        force=True,
    )
    return lambda text: component(nlp(text))._.polarity.compound


def polarity(text: str, language: str) -> float:
    """Return the compound sentiment of a text in [−1, 1]."""
    if language == Language.SPANISH:
        return float(_spanish()(text))
    return float(_english().polarity_scores(text)["compound"])


def topics_of(text: str, language: str) -> list[str]:
    """Return the topics a comment mentions, in the order of ``TOPIC_LABELS``."""
    plain = " " + re.sub(r"[^\w\s]", " ", _plain(text)) + " "
    found = []
    for topic, stems in TOPICS.get(language, TOPICS[Language.ENGLISH]).items():
        if any(f" {_plain(stem)}" in plain for stem in stems):
            found.append(topic)
    return found


def sentiment_of(score: float) -> str:
    """Return the sentiment a compound score reads as."""
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_TO:
        return "negative"
    return "neutral"


def comment_analyse(text: str, *, language: str = "") -> Analysis:
    """Return the sentiment, its score, the topics and the language of a comment."""
    language = language_guess(text, default=language or Language.ENGLISH)
    score = polarity(text, language)
    return Analysis(sentiment=sentiment_of(score), score=round(score, 4), topics=topics_of(text, language), language=language)
