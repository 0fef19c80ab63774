"""Sentiment and topics of survey comments, in English and Spanish, offline.

Sentiment (see docs/decisions/0005-comment-sentiment.md):

* English: VADER (``vaderSentiment``), a lexicon and rules (negation, intensifiers, "but", capitals,
  punctuation) shipped inside the package.
* Spanish: ``asent``'s rule engine (the same VADER-style rules) over the Spanish lexicon it ships (Chen & Skiena
  2014), run on a blank spaCy tokenizer, with Spanish negations, intensifiers and contrast words we give it.

Both lexicons are general-purpose. On top of them sits our after-sales vocabulary
(``aftersales.feedback.sentiment_lexicon``): words the lexicons miss ("late", "dented", "tardaron", "roto"),
multi-word expressions read as one word ("no questions asked", "thanks for nothing", "sin pegas", "ni bien ni
mal"), and the failed service event — a negation before the verb of something the customer expected ("never
came", "hasn't arrived", "todavía no me llegó", "sigue sin funcionar") — which is the complaint although no word
in it carries an opinion. Spanish comments are read without accents (customers often leave them out), and the
Spanish lexicon also knows the feminine and plural forms and the superlatives ("-ísimo") of its adjectives.
Nothing is downloaded at run time.

Mixed comments: when one clause of a comment (sentences, and the parts around "but", "pero", "aunque" and commas)
reads positive and another negative, the comment takes the sentiment of its last clause with an opinion —
customers end on their conclusion ("the product is great but delivery took three weeks" is a complaint to act
on; "had a problem with the seal, they sent a new one straight away" is not). A politeness formula that opens or
closes a comment ("…, thanks.", "Un saludo.") is not read as an opinion, unless it is the whole comment.

The compound score is in [−1, 1]; from ``POSITIVE_FROM`` up reads as positive, up to ``NEGATIVE_TO`` as
negative, in between as neutral.

Topics are keyword lexicons per language (``TOPICS``): a comment is about a topic when it contains one of its
stems. A comment can have several topics or none.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.models import Language
from aftersales.feedback.sentiment_lexicon import (
    DOMAIN_TERMS,
    FAILED_EVENT,
    FAILED_EVENTS,
    PHRASES,
    SPANISH_CONTRAST,
    SPANISH_INTENSIFIERS,
    SPANISH_NEGATIONS,
    SPANISH_NEUTRAL,
    TOPICS,
    Topic,
)

__all__ = ["TOPICS", "TOPIC_LABELS", "Analysis", "Topic", "comment_analyse", "language_guess", "polarity", "topics_of"]

POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05

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

# Where a comment splits into clauses for the mixed-comment rule.
CLAUSE_BREAK = re.compile(
    r"[.!?;:]+(?:\s+|$)|,\s+|\s+(?:but|however|although|though|yet|pero|aunque|sino|sin embargo)\s+", re.IGNORECASE
)


# Politeness formulas that open or close a comment ("..., thanks.", "Un saludo."): no opinion of the service.
FORMULA = re.compile(
    r"\s*(?:many thanks|thanks|thank (?:you|u)|thx|cheers|(?:kind |best )?regards|best wishes|muchas gracias|mil gracias|"
    r"gracias|un saludo|saludos(?: cordiales)?|un abrazo)(?: (?:a lot|very much|so much|again|in advance|for everything|"
    r"de antemano|por todo|de nuevo))?\s*[.!,;]*\s*",
    re.IGNORECASE,
)


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


@functools.cache
def _rewrites(language: str) -> tuple[tuple[re.Pattern[str], str, float], ...]:
    """Return the phrase rewrites of a language: (pattern, the one word it becomes, that word's valence)."""
    rules = [
        (re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), f"xphrase{language}{index}x", valence)
        for index, (pattern, valence) in enumerate(PHRASES[language].items())
    ]
    rules.append((re.compile(rf"\b(?:{FAILED_EVENTS[language]})\b", re.IGNORECASE), f"xfailed{language}x", FAILED_EVENT))
    return tuple(rules)


def _rewrite(text: str, language: str) -> str:
    """Return the text with its phrases and failed service events replaced by single words."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    if language == Language.SPANISH:
        text = _plain(text)
    for pattern, word, _valence in _rewrites(language):
        text = pattern.sub(f" {word} ", text)
    return text


@functools.lru_cache(maxsize=1)
def _english() -> Callable[[str], float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(DOMAIN_TERMS[Language.ENGLISH])
    analyzer.lexicon.update({word: valence for _pattern, word, valence in _rewrites(Language.ENGLISH)})
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


_SUPERLATIVE_STEM = (("co", "qu"), ("go", "gu"), ("ca", "qu"), ("ga", "gu"), ("z", "c"), ("ble", "bil"))


def _superlatives(word: str) -> list[str]:
    """Return the absolute superlatives of a Spanish adjective (rápido → rapidísimo, amable → amabilísimo)."""
    stem = word
    for ending, replacement in _SUPERLATIVE_STEM:
        if word.endswith(ending):
            stem = word[: -len(ending)] + replacement
            break
    else:
        if word[-1:] in "aeo":
            stem = word[:-1]
    return [stem + ending for ending in ("isimo", "isima", "isimos", "isimas")]


def _inflections(word: str) -> list[str]:
    """Return the feminine and plural forms of a Spanish adjective or participle."""
    if word.endswith("o"):
        return [word[:-1] + "a", word + "s", word[:-1] + "as"]
    if word.endswith(("e", "a")):
        return [word + "s"]
    if word.endswith(("l", "r", "z")):
        return [word + "es"]
    return []


def spanish_lexicon() -> dict[str, float]:
    """Return the Spanish lexicon, unaccented: asent's shipped one, our neutral words out, our terms on top.

    Each word also stands for its superlatives; each of our terms also for its feminine and plural forms.
    """
    from asent.utils import lexicons

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import asent  # noqa: F401 - registers the lexicons shipped with the package

        shipped = dict(lexicons.get("lexicon_es_chen_skiena_2014_v1.txt"))
    lexicon: dict[str, float] = {}
    # The automatic lexicon is binary (±1) for most words; VADER's scale is ±4, so its words count as mild ones.
    for word, value in shipped.items():
        plain = _plain(word)
        if plain not in lexicon or plain == word:
            lexicon[plain] = 1.5 * value
    for word in SPANISH_NEUTRAL:
        lexicon.pop(word, None)
    ours = {_plain(word): value for word, value in DOMAIN_TERMS[Language.SPANISH].items()}
    for word, value in ours.items():
        for form in _inflections(word):
            if form not in ours:
                lexicon[form] = value
    lexicon.update(ours)
    for word, value in list(lexicon.items()):
        if value and len(word) > 3:
            for form in _superlatives(word):
                lexicon.setdefault(form, max(-4.0, min(4.0, 1.25 * value)))
    lexicon.update({word: valence for _pattern, word, valence in _rewrites(Language.SPANISH)})
    return lexicon


@functools.lru_cache(maxsize=1)
def _spanish() -> Callable[[str], float]:
    import spacy
    from asent.component import Asent

    nlp = spacy.blank("es")
    nlp.add_pipe("sentencizer")
    component = Asent(
        nlp,
        name="aftersales_asent_es",
        lexicon=spanish_lexicon(),
        intensifiers=SPANISH_INTENSIFIERS,
        negations=SPANISH_NEGATIONS,
        contrastive_conjugations=SPANISH_CONTRAST,
        lowercase=True,
        lemmatize=False,
        force=True,
    )
    return lambda text: float(component(nlp(text))._.polarity.compound)


def _scorer(language: str) -> Callable[[str], float]:
    return _spanish() if language == Language.SPANISH else _english()


def _without_formulas(text: str) -> str:
    """Return the comment without the politeness formulas that open or close it, unless that is all it says."""
    pieces = re.split(r"(?<=[.!?,;])\s+", text.strip())
    kept = [piece for piece in pieces if not FORMULA.fullmatch(piece)]
    return " ".join(kept) if kept else text


def polarity(text: str, language: str) -> float:
    """Return the compound sentiment of a text in [−1, 1], by the mixed-comment rule of the module docstring."""
    score = _scorer(language)
    rewritten = _rewrite(_without_formulas(text), language)
    overall = score(rewritten)
    clauses = [clause for clause in CLAUSE_BREAK.split(rewritten) if clause and clause.strip()]
    if len(clauses) > 1:
        opinions = [value for value in (score(clause) for clause in clauses) if value >= POSITIVE_FROM or value <= NEGATIVE_TO]
        if any(value > 0 for value in opinions) and any(value < 0 for value in opinions):
            return opinions[-1]
    return overall


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
