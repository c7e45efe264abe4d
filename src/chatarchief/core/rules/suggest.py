"""Suggestions learned from reviewers' decisions: TF-IDF + logistic regression (scikit-learn).

Only ever a suggestion: the review app shows it with its confidence and the terms that drove it,
and a person decides. Train on demand with every decision so far (`train_suggestions`); the model
is bytes the caller stores (`to_bytes`) and reads back (`SuggestionModel.from_bytes`).

Serialisation: skops (`skops.io`), not pickle or joblib. Unpickling runs whatever code the bytes
name, so a model read back from a database or a file someone could change would be a way in;
skops stores the fitted objects as data and refuses, on load, any type outside its list of trusted
scikit-learn/NumPy/SciPy types (we pass no extra trusted types). The bytes are a short JSON header
(status, labels, counts, versions) and the skops archive.

With too few decisions (fewer than `MIN_DECISIONS`) or only one label decided so far the model is
not ready: `suggest` returns None and `why_not` says why, in Dutch and English.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chatarchief.core.errors import ChatarchiefError
from chatarchief.core.rules.labels import Label

MIN_DECISIONS = 10
TOP_TERMS = 5
FORMAT = "chatarchief-suggestions/1"
_MAGIC = b"chatarchief-suggestions\n"
# Dutch function words carry no meaning for the label; left out so the terms shown mean something.
STOP_WORDS = tuple(
    "aan al als bij dan dat de die dit door een en er het hij hoe ik in is je jij jou jullie maar me met mij "
    "na naar niet nog of om ook op te tot u uw van voor wat we wel wij ze zij zijn".split()
)


class SuggestionModelError(ChatarchiefError):
    """Stored model bytes that cannot be read (damaged, foreign, or holding untrusted types)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """A reviewer's decision as training data: the text decided on and its label."""

    text: str
    label: Label


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the model suggests for a text: a label, how sure (probability), and the terms that
    pushed it there most (term, weight), strongest first."""

    label: Label
    confidence: float
    terms: tuple[tuple[str, float], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": str(self.label),
            "confidence": round(self.confidence, 3),
            "terms": [{"term": term, "weight": round(weight, 3)} for term, weight in self.terms],
        }


class SuggestionModel:
    """A trained (or not yet trainable) model. `ready` says whether it can suggest."""

    def __init__(self, status: str, counts: dict[str, int], pipeline: Any = None) -> None:
        self.status = status  # "ready", "too_few_decisions", "one_label"
        self.counts = counts  # decisions per label
        self._pipeline = pipeline
        self._names: Any = None  # the vectorizer's terms, looked up once

    @property
    def ready(self) -> bool:
        return self.status == "ready" and self._pipeline is not None

    @property
    def decisions(self) -> int:
        return sum(self.counts.values())

    def why_not(self) -> tuple[str, str] | None:
        """(Dutch, English) why the model gives no suggestions yet, or None when it is ready."""
        if self.status == "too_few_decisions":
            return (
                f"Nog te weinig besluiten om van te leren ({self.decisions} van minstens {MIN_DECISIONS}).",
                f"Too few decisions to learn from yet ({self.decisions} of at least {MIN_DECISIONS}).",
            )
        if self.status == "one_label":
            return (
                "Alle besluiten tot nu toe hebben hetzelfde label; er valt nog niets te onderscheiden.",
                "Every decision so far has the same label; there is nothing to tell apart yet.",
            )
        return None

    def suggest(self, text: str) -> Suggestion | None:
        """The suggested label of `text`, or None when the model is not ready or the text is empty."""
        return self.suggest_many([text])[0]

    def suggest_many(self, texts: Sequence[str]) -> list[Suggestion | None]:
        """`suggest` for many texts at once (one transform and one prediction for all: much faster)."""
        found: list[Suggestion | None] = [None] * len(texts)
        wanted = [i for i, text in enumerate(texts) if text.strip()]
        if not self.ready or not wanted:
            return found
        vectorizer = self._pipeline.named_steps["tfidfvectorizer"]
        classifier = self._pipeline.named_steps["logisticregression"]
        rows = vectorizer.transform([texts[i] for i in wanted])
        probabilities = classifier.predict_proba(rows)
        if self._names is None:
            self._names = vectorizer.get_feature_names_out()
        for position, index in enumerate(wanted):
            best = int(probabilities[position].argmax())
            terms = _terms(self._names, classifier, rows[position], best)
            label = Label(str(classifier.classes_[best]))
            found[index] = Suggestion(label, float(probabilities[position][best]), terms)
        return found

    def to_bytes(self) -> bytes:
        """The model as bytes to store (header + skops archive)."""
        import sklearn
        import skops
        import skops.io

        header = {
            "format": FORMAT,
            "status": self.status,
            "counts": self.counts,
            "scikit_learn": sklearn.__version__,
            "skops": skops.__version__,
        }
        body = skops.io.dumps(self._pipeline) if self.ready else b""
        return _MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + body

    @classmethod
    def from_bytes(cls, data: bytes) -> SuggestionModel:
        """A model stored by `to_bytes`. Raises `SuggestionModelError` on anything else, including
        a skops archive that names a type outside skops' trusted scikit-learn/NumPy/SciPy types."""
        import skops.io

        if not data.startswith(_MAGIC):
            raise _bad("geen opgeslagen suggestiemodel", "not a stored suggestion model")
        head, _, body = data[len(_MAGIC) :].partition(b"\n")
        try:
            header = json.loads(head)
        except ValueError:
            raise _bad("kop onleesbaar", "unreadable header") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise _bad("onbekende versie", "unknown version")
        counts = {str(k): int(v) for k, v in dict(header.get("counts", {})).items()}
        if header.get("status") != "ready":
            return cls(str(header.get("status")), counts)
        try:
            pipeline = skops.io.loads(body)  # trusted=None: only skops' default trusted types
        except Exception as error:  # noqa: BLE001 - any failure to load is one user-facing error
            raise _bad(
                f"model onleesbaar ({type(error).__name__})", f"unreadable model ({type(error).__name__})"
            ) from None
        steps = getattr(pipeline, "named_steps", {})
        if set(steps) != {"tfidfvectorizer", "logisticregression"}:
            raise _bad("onverwachte inhoud", "unexpected content")
        return cls("ready", counts, pipeline)


def train_suggestions(decisions: Iterable[Decision]) -> SuggestionModel:
    """A model trained on every decision with text; not ready with too few or one label only."""
    usable = [d for d in decisions if d.text and d.text.strip()]
    counts = {str(label): n for label, n in sorted(Counter(d.label for d in usable).items())}
    if len(usable) < MIN_DECISIONS:
        return SuggestionModel("too_few_decisions", counts)
    if len(counts) < 2:
        return SuggestionModel("one_label", counts)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(
        TfidfVectorizer(
            strip_accents="unicode", lowercase=True, ngram_range=(1, 2), sublinear_tf=True, stop_words=list(STOP_WORDS)
        ),
        LogisticRegression(max_iter=1000, class_weight="balanced"),
    )
    pipeline.fit([d.text for d in usable], [str(d.label) for d in usable])
    return SuggestionModel("ready", counts, pipeline)


def _terms(names: Any, classifier: Any, row: Any, best: int) -> tuple[tuple[str, float], ...]:
    """The text's terms that pushed most towards class `best`: tf-idf value x the class weight."""
    coef = classifier.coef_
    weights = coef[0] * (1 if best == 1 else -1) if coef.shape[0] == 1 else coef[best]
    contributions = [(str(names[i]), float(v * weights[i])) for i, v in zip(row.indices, row.data, strict=True)]
    positive = sorted((item for item in contributions if item[1] > 0), key=lambda item: (-item[1], item[0]))
    return tuple(positive[:TOP_TERMS])


def _bad(nl: str, en: str) -> SuggestionModelError:
    return SuggestionModelError(
        "suggestions.bad_model",
        nl=f"Opgeslagen suggestiemodel onbruikbaar: {nl}.",
        en=f"Stored suggestion model unusable: {en}.",
    )
