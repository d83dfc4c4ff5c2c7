"""The interviewer's brain on a Groq-hosted LLM: tailored questions, follow-ups and rubric scoring in
JSON mode, every reply validated strictly (anything else falls back to the offline brain).
Details: docs/providers.md.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from interview_desktop.domain import DeliveryMetrics, Evaluation, Question, QuestionKind, is_empty_answer
from interview_desktop.providers.base import ProviderBadResponse
from interview_desktop.providers.brains.prompts import prompt
from interview_desktop.providers.cloud.circuit import CircuitBreaker, key_fingerprint
from interview_desktop.providers.cloud.clients import GroqClientOwner, make_groq_client, resolve_base_url
from interview_desktop.providers.cloud.errors import json_body, map_groq_error
from interview_desktop.providers.stt.hallucination import normalize_text
from interview_desktop.scoring.rubric import (
    IMPROVE_FAST,
    IMPROVE_FILLERS,
    IMPROVE_SLOW,
    PARTS,
    WEIGHTS_WITH_COVERS,
    WEIGHTS_WITHOUT_COVERS,
    score_answer,
)
from interview_desktop.scoring.structure import detect_star
from interview_desktop.scoring.text import words

if TYPE_CHECKING:
    import groq

log = logging.getLogger("interview_desktop.brain.groq")

DEFAULT_MODEL = "llama-3.3-70b-versatile"
MAX_QUESTION_WORDS = 40
MAX_FOLLOW_UP_WORDS = 40
MAX_COVERS = 6
MAX_COVER_WORDS = 25
MAX_FEEDBACK_CHARS = 400
INPUT_LIMITS = {"job_description": 6000, "cv_text": 6000, "answer": 8000}  # characters sent
KIND_ALIASES = {"behavioral": QuestionKind.BEHAVIOURAL}


def _clip_text(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit] + " […]"


def _round(x: float) -> int:
    return int(math.floor(x + 0.5))


class GroqBrain(GroqClientOwner):
    """:class:`~interview_desktop.providers.base.InterviewerBrain` on Groq's chat completions API."""

    name = "groq-llm"
    cloud = True

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None = None,
        *,
        model: str = DEFAULT_MODEL,
        timeout_s: float = 10.0,
        breaker: CircuitBreaker | None = None,
        client: groq.Groq | None = None,
        client_factory: Callable[[str, str, float], groq.Groq] = make_groq_client,
    ) -> None:
        self._api_key = (api_key or "").strip() or None
        self.base_url = resolve_base_url("groq", base_url)
        self.model = model or DEFAULT_MODEL
        self.timeout_s = timeout_s
        self.breaker = breaker or CircuitBreaker(name=self.name)
        self._client = client
        self._client_factory = client_factory
        self._owns_client = False
        self._lock = threading.Lock()

    @property
    def scorer(self) -> str:
        return f"groq:{self.model}"

    # -- the three calls ----------------------------------------------------------------------

    def questions(
        self, role_title: str, count: int, job_description: str = "", cv_text: str = ""
    ) -> list[Question]:
        if not 1 <= count <= 40:
            raise ValueError(f"count must be 1–40, not {count}")
        user = prompt(
            "questions.md",
            count=count,
            role_title=role_title.strip() or "the role",
            job_description=_clip_text(job_description, INPUT_LIMITS["job_description"]) or "(none given)",
            cv_text=_clip_text(cv_text, INPUT_LIMITS["cv_text"]) or "(none given)",
        )
        data = self._guarded_chat(user, max_tokens=200 + 160 * count, temperature=0.7)
        return _parse_questions(data, count, role_title)

    def follow_up(self, question: Question, answer_text: str) -> str | None:
        if is_empty_answer(answer_text):
            return None  # a skipped question gets no follow-up
        user = prompt(
            "follow_up.md",
            role_title=question.role or "the role",
            question=question.text,
            answer=_clip_text(answer_text, INPUT_LIMITS["answer"]),
        )
        data = self._guarded_chat(user, max_tokens=200, temperature=0.3)
        return _parse_follow_up(data, question)

    def evaluate(
        self, question: Question, answer_text: str, metrics: DeliveryMetrics | None = None
    ) -> Evaluation:
        if is_empty_answer(answer_text):
            return score_answer(question, answer_text, metrics)  # nothing to ask the model about
        covers = tuple(c for c in question.covers if c and c.strip())
        weights = dict(WEIGHTS_WITH_COVERS if covers else WEIGHTS_WITHOUT_COVERS)
        user = prompt(
            "evaluate.md",
            role_title=question.role or "the role",
            kind=question.kind.value,
            question=question.text,
            covers="\n".join(f"{i}. {c}" for i, c in enumerate(covers)) or "(none listed)",
            answer=_clip_text(answer_text, INPUT_LIMITS["answer"]),
            delivery=_delivery_summary(metrics),
            part_names=", ".join(weights),
            parts_example=json.dumps({name: 0 for name in weights}),
        )
        data = self._guarded_chat(user, max_tokens=700, temperature=0.2)
        return self._evaluation(data, question, answer_text, covers, weights, metrics)

    # -- transport ----------------------------------------------------------------------------

    def _guarded_chat(self, user_prompt: str, *, max_tokens: int, temperature: float) -> dict[str, Any]:
        return self.breaker.call(
            lambda: self._chat(user_prompt, max_tokens=max_tokens, temperature=temperature),
            key_fingerprint(self._api_key),
        )

    def _chat(self, user_prompt: str, *, max_tokens: int, temperature: float) -> dict[str, Any]:
        import groq

        client = self._get_client()
        started = time.perf_counter()
        try:
            raw = client.chat.completions.with_raw_response.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": prompt("interviewer_system.md")},
                    {"role": "user", "content": user_prompt},
                ],
                response_format={"type": "json_object"},
                temperature=temperature,
                max_completion_tokens=max_tokens,
            )
        except (groq.APIError, httpx.TransportError) as err:
            raise map_groq_error(err, base_url=self.base_url, timeout_s=self.timeout_s,
                                 secrets=(self._api_key,)) from err
        content = _completion_content(json_body(raw.http_response, "Groq"))
        log.debug("groq %s answered %d chars in %.2fs", self.model, len(content),
                  time.perf_counter() - started)
        return _json_object(content)

    # -- evaluation ---------------------------------------------------------------------------

    def _evaluation(
        self,
        data: Mapping[str, Any],
        question: Question,
        answer_text: str,
        covers: Sequence[str],
        weights: Mapping[str, int],
        metrics: DeliveryMetrics | None,
    ) -> Evaluation:
        raw_parts = data.get("parts")
        if not isinstance(raw_parts, Mapping):
            raise ProviderBadResponse("Groq's evaluation has no \"parts\" object")
        parts = {name: _score(raw_parts.get(name), f"parts.{name}") for name in PARTS if name in weights}
        model_overall = _score(data.get("overall"), "overall")
        strength = _sentence(data.get("strength"), "strength")
        improvement = _sentence(data.get("improvement"), "improvement")
        example = _sentence(data.get("example"), "example")
        covered_ids = data.get("covered", [])
        if not isinstance(covered_ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(covers) for i in covered_ids
        ):
            raise ProviderBadResponse(f"Groq's evaluation has a bad \"covered\" list: {covered_ids!r:.60}")
        overall = _round(sum(parts[k] * weights[k] for k in weights) / sum(weights.values()))
        if abs(overall - model_overall) > 15:
            log.debug("model overall %d differs from the weighted parts %d", model_overall, overall)
        improvements = [improvement]
        if metrics is not None:
            if metrics.filler_verdict != "fine":
                improvements.append(IMPROVE_FILLERS)
            if metrics.pace_verdict in ("too slow", "slow"):
                improvements.append(IMPROVE_SLOW)
            elif metrics.pace_verdict in ("too fast", "fast"):
                improvements.append(IMPROVE_FAST)
        covered = tuple(c for i, c in enumerate(covers) if i in set(covered_ids))
        return Evaluation(
            overall=overall,
            parts=parts,
            weights=dict(weights),
            strengths=(strength,),
            improvements=tuple(improvements),
            example=example,
            structure=detect_star(answer_text, hypothetical=question.kind is QuestionKind.SITUATIONAL),
            scorer=self.scorer,
            question_id=question.id,
            answered=True,
            word_count=len(words(answer_text)),
            covered_points=covered,
            missed_points=tuple(c for c in covers if c not in covered),
        )


# --------------------------------------------------------------------------------------------------
# Reply parsing (strict)


def _completion_content(body: Any) -> str:
    try:
        choice = body["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError) as err:
        raise ProviderBadResponse("Groq's reply is not a chat completion") from err
    if choice.get("finish_reason") == "length":
        raise ProviderBadResponse("Groq's reply was cut off at the token limit")
    if not isinstance(content, str) or not content.strip():
        raise ProviderBadResponse("Groq's reply is empty")
    return content


def _json_object(content: str) -> dict[str, Any]:
    text = content.strip()
    if text.startswith("```") and text.endswith("```"):
        text = text[3:-3]
        text = text[4:] if text.lower().startswith("json") else text
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ProviderBadResponse(
            f"Groq's answer is not the requested JSON ({len(content)} chars: {content[:40]!r}…)"
        ) from err
    if not isinstance(data, dict):
        raise ProviderBadResponse(f"Groq's answer is JSON but not an object ({type(data).__name__})")
    return data


def _word_count(text: str) -> int:
    return len(text.split())


def _parse_questions(data: Mapping[str, Any], count: int, role_title: str) -> list[Question]:
    items = data.get("questions")
    if not isinstance(items, list):
        raise ProviderBadResponse("Groq's reply has no \"questions\" list")
    if len(items) < count:
        raise ProviderBadResponse(f"Groq wrote {len(items)} questions; {count} were asked for")
    out: list[Question] = []
    seen: set[str] = set()
    for n, item in enumerate(items[:count], 1):
        if not isinstance(item, Mapping):
            raise ProviderBadResponse(f"Groq's question {n} is not an object")
        text = item.get("text")
        if not isinstance(text, str) or not 1 <= _word_count(text) <= MAX_QUESTION_WORDS:
            raise ProviderBadResponse(
                f"Groq's question {n} is not a 1–{MAX_QUESTION_WORDS} word text: {str(text)[:60]!r}"
            )
        kind_name = item.get("kind")
        kind = KIND_ALIASES.get(str(kind_name).strip().lower()) if isinstance(kind_name, str) else None
        if kind is None:
            try:
                kind = QuestionKind(str(kind_name).strip().lower())
            except ValueError as err:
                raise ProviderBadResponse(
                    f"Groq's question {n} has an unknown kind {kind_name!r:.30}"
                ) from err
        covers = item.get("covers", [])
        if (
            not isinstance(covers, list)
            or len(covers) > MAX_COVERS
            or not all(isinstance(c, str) and 1 <= _word_count(c) <= MAX_COVER_WORDS for c in covers)
        ):
            raise ProviderBadResponse(f"Groq's question {n} has a bad \"covers\" list")
        key = normalize_text(text)
        if key in seen:
            raise ProviderBadResponse(f"Groq repeated a question: {text[:60]!r}")
        seen.add(key)
        out.append(
            Question(
                id=f"llm-{uuid.uuid4().hex[:12]}",
                text=" ".join(text.split()),
                kind=kind,
                role=role_title,
                covers=tuple(" ".join(c.split()) for c in covers),
                source="llm",
            )
        )
    return out


def _parse_follow_up(data: Mapping[str, Any], question: Question) -> str | None:
    if "follow_up" not in data:
        raise ProviderBadResponse("Groq's reply has no \"follow_up\" key")
    value = data["follow_up"]
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProviderBadResponse(f"Groq's follow-up is not text or null: {value!r:.40}")
    text = " ".join(value.split())
    if not text or normalize_text(text) in ("", "null", "none"):
        return None
    if _word_count(text) > MAX_FOLLOW_UP_WORDS:
        raise ProviderBadResponse(f"Groq's follow-up is longer than {MAX_FOLLOW_UP_WORDS} words")
    if normalize_text(text) == normalize_text(question.text):
        log.debug("the model repeated the question as its follow-up; ignoring it")
        return None
    return text


def _score(value: Any, what: str) -> int:
    # NaN and infinities fail the range test too
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise ProviderBadResponse(f"Groq's evaluation has a bad {what}: {value!r:.30} (0–100 expected)")
    return _round(float(value))


def _sentence(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProviderBadResponse(f"Groq's evaluation has no {what}")
    text = " ".join(value.split())
    return text if len(text) <= MAX_FEEDBACK_CHARS else text[: MAX_FEEDBACK_CHARS - 1] + "…"


def _delivery_summary(metrics: DeliveryMetrics | None) -> str:
    if metrics is None or not metrics.timed:
        fillers = f"; {metrics.fillers_per_100_words:.1f} filler words per 100 words" if metrics else ""
        return f"typed answer, no timing{fillers}."
    parts = [f"{metrics.speaking_time_s:.0f} s long"]
    if metrics.words_per_minute is not None:
        parts.append(f"{metrics.words_per_minute:.0f} words per minute ({metrics.pace_verdict})")
    parts.append(
        f"{metrics.fillers_per_100_words:.1f} filler words per 100 words ({metrics.filler_verdict})"
    )
    if metrics.pause_count is not None:
        parts.append(f"{metrics.pause_count} pauses of 1 s or more")
    return ", ".join(parts) + "."
