"""Documents ↔ domain objects: the one place the session document (docs/session-schema.md) is built
and read. The JSON store, MongoDB, the JSON export and ``interview-desktop evaluate`` all use it.

Decoding is tolerant (missing keys get defaults, unknown keys are kept in ``extra`` and written back);
checking that a stored document has the right shape is ``storage/schema.py``'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from interview_desktop.domain import (
    OFFLINE_SCORER,
    SCHEMA_VERSION,
    SCORING_VERSION,
    STAR_PARTS,
    Answer,
    AnswerInput,
    DeliveryMetrics,
    Evaluation,
    Provenance,
    Question,
    QuestionKind,
    Session,
    SessionStatus,
    StarResult,
    TurnTiming,
    Word,
    from_iso,
    to_iso,
)

_SESSION_KEYS = frozenset({
    "schema_version", "id", "candidate", "role", "job_description", "started_at", "ended_at", "status",
    "question_count", "app_version", "revision", "updated_at", "answers", "report", "review", "plan", "_id",
})
_EVALUATION_KEYS = frozenset({
    "scorer", "version", "question_id", "answered", "overall", "parts", "weights", "strengths",
    "improvements", "example", "structure", "word_count", "covered_points", "missed_points",
})
_METRICS_KEYS = frozenset({
    "word_count", "speaking_time_s", "words_per_minute", "pace_verdict", "pause_count", "longest_pause_s",
    "total_pause_s", "filler_count", "fillers", "fillers_per_100_words", "filler_verdict",
    "repeated_count", "repeated_words", "length_verdict",
})
_PROVENANCE_KEYS = frozenset({"voice", "stt", "brain", "cloud", "speech_segments"})
_TURN_TIMES = ("speech_start_s", "speech_end_s", "decided_s", "transcript_final_s", "next_question_s")
_TURN_KEYS = frozenset({*_TURN_TIMES, "end_reason", "mode", "resumed"})


def _extra(doc: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in known}


# ------------------------------------------------------------------------------------- question

def encode_question(q: Question) -> dict[str, Any]:
    return {"id": q.id, "text": q.text, "kind": q.kind.value, "role": q.role, "covers": list(q.covers),
            "source": q.source}


def decode_question(doc: Mapping[str, Any]) -> Question:
    return Question(
        id=str(doc["id"]),
        text=str(doc["text"]),
        kind=QuestionKind(doc["kind"]),
        role=str(doc.get("role", "")),
        covers=tuple(doc.get("covers", ())),
        source=str(doc.get("source", "bank")),
    )


# ------------------------------------------------------------------------------------- assessment

def encode_star(star: StarResult) -> dict[str, Any]:
    return {
        "present": star.present,
        "missing": star.missing,
        "evidence": {part: star.evidence[part] for part in STAR_PARTS if part in star.evidence},
    }


def decode_star(doc: Mapping[str, Any] | None) -> StarResult:
    if not doc:
        return StarResult()
    present = set(doc.get("present") or ())
    return StarResult(
        **{part: part in present for part in STAR_PARTS},
        evidence={str(k): str(v) for k, v in (doc.get("evidence") or {}).items()},
    )


def encode_evaluation(e: Evaluation) -> dict[str, Any]:
    doc = dict(e.extra)
    doc.update({
        "scorer": e.scorer,
        "version": e.version,
        "question_id": e.question_id,
        "answered": e.answered,
        "overall": e.overall,
        "parts": dict(e.parts),
        "weights": dict(e.weights),
        "strengths": list(e.strengths),
        "improvements": list(e.improvements),
        "example": e.example,
        "structure": encode_star(e.structure),
        "word_count": e.word_count,
        "covered_points": list(e.covered_points),
        "missed_points": list(e.missed_points),
    })
    return doc


def decode_evaluation(doc: Mapping[str, Any]) -> Evaluation:
    """Tolerant of documents from other scorers and versions (missing keys get defaults)."""
    return Evaluation(
        overall=int(doc.get("overall", 0)),
        parts={str(k): int(v) for k, v in (doc.get("parts") or {}).items()},
        weights={str(k): int(v) for k, v in (doc.get("weights") or {}).items()},
        strengths=tuple(str(s) for s in doc.get("strengths") or ()),
        improvements=tuple(str(s) for s in doc.get("improvements") or ()),
        example=str(doc.get("example") or ""),
        structure=decode_star(doc.get("structure")),
        scorer=str(doc.get("scorer", OFFLINE_SCORER)),
        question_id=str(doc.get("question_id", "")),
        answered=bool(doc.get("answered", True)),
        word_count=int(doc.get("word_count", 0)),
        covered_points=tuple(str(s) for s in doc.get("covered_points") or ()),
        missed_points=tuple(str(s) for s in doc.get("missed_points") or ()),
        version=int(doc.get("version", SCORING_VERSION)),
        extra=_extra(doc, _EVALUATION_KEYS),
    )


def encode_metrics(m: DeliveryMetrics) -> dict[str, Any]:
    doc = dict(m.extra)
    doc.update({
        "word_count": m.word_count,
        "speaking_time_s": m.speaking_time_s,
        "words_per_minute": m.words_per_minute,
        "pace_verdict": m.pace_verdict,
        "pause_count": m.pause_count,
        "longest_pause_s": m.longest_pause_s,
        "total_pause_s": m.total_pause_s,
        "filler_count": m.filler_count,
        "fillers": {name: count for name, count in m.fillers},
        "fillers_per_100_words": m.fillers_per_100_words,
        "filler_verdict": m.filler_verdict,
        "repeated_count": m.repeated_count,
        "repeated_words": list(m.repeated_words),
        "length_verdict": m.length_verdict,
    })
    return doc


def decode_metrics(doc: Mapping[str, Any]) -> DeliveryMetrics:
    return DeliveryMetrics(
        word_count=int(doc.get("word_count", 0)),
        speaking_time_s=doc.get("speaking_time_s"),
        words_per_minute=doc.get("words_per_minute"),
        pace_verdict=doc.get("pace_verdict"),
        pause_count=doc.get("pause_count"),
        longest_pause_s=doc.get("longest_pause_s"),
        total_pause_s=doc.get("total_pause_s"),
        filler_count=int(doc.get("filler_count", 0)),
        fillers=tuple((str(k), int(v)) for k, v in (doc.get("fillers") or {}).items()),
        fillers_per_100_words=float(doc.get("fillers_per_100_words", 0.0)),
        filler_verdict=str(doc.get("filler_verdict", "fine")),
        repeated_count=int(doc.get("repeated_count", 0)),
        repeated_words=tuple(doc.get("repeated_words") or ()),
        length_verdict=doc.get("length_verdict"),
        extra=_extra(doc, _METRICS_KEYS),
    )


def encode_provenance(p: Provenance) -> dict[str, Any]:
    """Only what is known is written (a typed answer has no voice or speech-to-text)."""
    doc = dict(p.extra)
    for key in ("voice", "stt", "brain", "cloud"):
        value = getattr(p, key)
        if value is not None:
            doc[key] = value
    if p.speech_segments:
        doc["speech_segments"] = [list(s) for s in p.speech_segments]
    return doc


def decode_provenance(doc: Mapping[str, Any] | None) -> Provenance:
    doc = doc or {}
    cloud = doc.get("cloud")
    return Provenance(
        voice=doc.get("voice"),
        stt=doc.get("stt"),
        brain=doc.get("brain"),
        cloud=None if cloud is None else bool(cloud),
        speech_segments=tuple((float(a), float(b)) for a, b in doc.get("speech_segments") or ()),
        extra=_extra(doc, _PROVENANCE_KEYS),
    )


def encode_turn(t: TurnTiming) -> dict[str, Any]:
    doc = dict(t.extra)
    for key in (*_TURN_TIMES, "end_reason"):
        value = getattr(t, key)
        if value is not None:
            doc[key] = round(value, 3) if isinstance(value, float) else value
    doc["mode"], doc["resumed"] = t.mode, t.resumed
    return doc


def decode_turn(doc: Mapping[str, Any] | None) -> TurnTiming | None:
    if not doc:
        return None
    times = {k: float(doc[k]) for k in _TURN_TIMES if isinstance(doc.get(k), (int, float))}
    return TurnTiming(
        **times, end_reason=doc.get("end_reason"), mode=str(doc.get("mode", "smart")),
        resumed=int(doc.get("resumed", 0)), extra=_extra(doc, _TURN_KEYS),
    )


# ------------------------------------------------------------------------------------- answer, session

def encode_answer(a: Answer) -> dict[str, Any]:
    return {
        "index": a.index,
        "question": encode_question(a.question),
        "text": a.text,
        "input": a.input.value,
        "asked_at": to_iso(a.asked_at),
        "answered_at": to_iso(a.answered_at),
        "duration_s": a.duration_s,
        "audio_path": a.audio_path,
        "provenance": encode_provenance(a.provenance),
        "words": [[w.text, w.start, w.end, w.probability] for w in a.transcript_words],
        "evaluation": encode_evaluation(a.evaluation) if a.evaluation is not None else None,
        "metrics": encode_metrics(a.metrics) if a.metrics is not None else None,
        "review": dict(a.review) if a.review is not None else None,
        "previous_evaluations": [dict(e) for e in a.previous_evaluations],
    } | ({"turn": encode_turn(a.turn)} if a.turn is not None else {}) | (
        {"interrupted": True} if a.interrupted else {})


def decode_answer(doc: Mapping[str, Any]) -> Answer:
    evaluation, metrics = doc.get("evaluation"), doc.get("metrics")
    return Answer(
        index=int(doc["index"]),
        question=decode_question(doc["question"]),
        text=str(doc.get("text", "")),
        input=AnswerInput(doc.get("input", "typed")),
        asked_at=from_iso(doc["asked_at"]),  # type: ignore[arg-type]
        answered_at=from_iso(doc["answered_at"]),  # type: ignore[arg-type]
        duration_s=doc.get("duration_s"),
        audio_path=doc.get("audio_path"),
        provenance=decode_provenance(doc.get("provenance")),
        transcript_words=tuple(Word(*w) for w in doc.get("words") or ()),
        evaluation=decode_evaluation(evaluation) if evaluation is not None else None,
        metrics=decode_metrics(metrics) if metrics is not None else None,
        review=doc.get("review"),
        previous_evaluations=tuple(doc.get("previous_evaluations") or ()),
        turn=decode_turn(doc.get("turn")),
        interrupted=doc.get("interrupted") is True,
    )


def encode_session(s: Session) -> dict[str, Any]:
    doc = dict(s.extra)
    doc.update({
        "schema_version": SCHEMA_VERSION,
        "id": s.id,
        "candidate": s.candidate,
        "role": s.role,
        "job_description": s.job_description,
        "started_at": to_iso(s.started_at),
        "ended_at": to_iso(s.ended_at),
        "status": s.status.value,
        "question_count": s.question_count,
        "app_version": s.app_version,
        "revision": s.revision,
        "updated_at": to_iso(s.updated_at),
        "answers": [encode_answer(a) for a in s.answers],
        "report": dict(s.report) if s.report is not None else None,
        "review": dict(s.review) if s.review is not None else None,
    })
    if s.plan:
        doc["plan"] = [encode_question(q) for q in s.plan]
    return doc


def decode_session(doc: Mapping[str, Any]) -> Session:
    """Decode a (migrated, validated) document; see ``schema.session_from_document`` for stored ones."""
    return Session(
        id=str(doc["id"]),
        candidate=str(doc.get("candidate", "")),
        role=str(doc.get("role", "")),
        job_description=str(doc.get("job_description") or ""),
        started_at=from_iso(doc["started_at"]),  # type: ignore[arg-type]
        ended_at=from_iso(doc.get("ended_at")),
        status=SessionStatus(doc.get("status", "in_progress")),
        question_count=int(doc.get("question_count", 0)),
        app_version=str(doc.get("app_version", "")),
        revision=int(doc.get("revision", 0)),
        updated_at=from_iso(doc.get("updated_at")),
        answers=tuple(decode_answer(a) for a in doc.get("answers") or ()),
        report=doc.get("report"),
        review=doc.get("review"),
        plan=tuple(decode_question(q) for q in doc.get("plan") or () if isinstance(q, Mapping)),
        extra=_extra(doc, _SESSION_KEYS),
    )
