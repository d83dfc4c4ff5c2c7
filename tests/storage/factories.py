"""Realistic sessions for tests (and the history benchmark).

``make_session()`` gives a completed three-answer session with a report; every field can be overridden.
``make_sessions(n)`` gives ``n`` varied sessions (candidates, roles, statuses, scores, dates) from a seed.
Datetimes are UTC with millisecond precision, as stored, so a saved session reads back equal.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from interview_desktop.domain import (
    Answer,
    AnswerInput,
    Evaluation,
    Provenance,
    Question,
    QuestionKind,
    Session,
    SessionStatus,
    Word,
)

BASE_TIME = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

CANDIDATES = (
    "Ada Lovelace",
    "Grace Hopper",
    "alan Turing",
    "Bob Smith",
    "Chloé Dubois",
    "Dmitri Ivanov",
    "Emeka Okafor",
    "Fatima Zahra",
    "Günther Müller",
    "Hana Sato",
    "Isabel Núñez",
    "Jonas Berg",
)
ROLES = ("Backend engineer", "Data analyst", "Product manager", "QA engineer", "UX designer")

QUESTIONS = (
    ("Tell me about a time you disagreed with a teammate.", QuestionKind.BEHAVIOURAL),
    ("How would you handle a production outage at 2 a.m.?", QuestionKind.SITUATIONAL),
    ("Explain how an index speeds up a database query.", QuestionKind.TECHNICAL),
    ("Why do you want to join our company?", QuestionKind.MOTIVATION),
    ("Describe a project you are proud of.", QuestionKind.BEHAVIOURAL),
    ("How do you prioritise competing deadlines?", QuestionKind.SITUATIONAL),
)

ANSWER_TEXTS = (
    "In my last job we disagreed about the release plan, so I set up a short call and we compared "
    "the risks side by side; we shipped a smaller release first.",
    "First I would check the dashboards and the recent deployments, roll back if needed, and keep "
    "the on-call channel updated every fifteen minutes.",
    "An index is a sorted structure, usually a B-tree, so the database can find matching rows "
    "without scanning the whole table.",
    "I like that your team builds tools for teachers, and I want to work on a product with a clear purpose.",
    "I rebuilt our billing export; it went from two hours to four minutes and nobody was paged again.",
    "I list everything, ask my manager what matters most this week, and say early what will slip.",
)


def ms(value: datetime) -> datetime:
    """Truncate to milliseconds, the precision the session document stores."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def words_for(text: str, start: float = 0.3) -> tuple[Word, ...]:
    out = []
    t = start
    for i, token in enumerate(text.split()):
        length = 0.12 + 0.03 * (len(token) % 5)
        out.append(Word(token, round(t, 2), round(t + length, 2), round(0.80 + (i % 20) / 100, 2)))
        t += length + 0.08
    return tuple(out)


def make_answer(
    index: int,
    *,
    text: str | None = None,
    voice: bool = True,
    session_id: str = "s",
    role: str = "Backend engineer",
    asked_at: datetime = BASE_TIME,
    question: Question | None = None,
    score: float | None = 3.5,
) -> Answer:
    q_text, kind = QUESTIONS[index % len(QUESTIONS)]
    text = ANSWER_TEXTS[index % len(ANSWER_TEXTS)] if text is None else text
    question = question or Question(
        id=f"q-{kind.value}-{index % len(QUESTIONS)}",
        text=q_text,
        kind=kind,
        role=role,
        covers=("communication", kind.value),
        source="bank",
    )
    words = words_for(text) if voice else ()
    duration = round(words[-1].end + 0.4, 2) if words else None
    asked_at = ms(asked_at)
    return Answer(
        index=index,
        question=question,
        text=text,
        input=AnswerInput.VOICE if voice else AnswerInput.TYPED,
        asked_at=asked_at,
        answered_at=asked_at + timedelta(seconds=duration or 40.0, milliseconds=250),
        duration_s=duration,
        audio_path=f"audio/{session_id}/{index}.wav" if voice else None,
        provenance=Provenance(stt="whisper-tiny.en", brain="bank", extra={"tts": "pyttsx3"})
        if voice
        else Provenance(brain="bank"),
        transcript_words=words,
        evaluation=None
        if score is None
        else Evaluation(
            overall=round(score), parts={}, weights={}, strengths=("clear structure",),
            improvements=("add numbers",),
        ),
    )


def make_session(
    *,
    id: str | None = None,  # noqa: A002 - mirrors Session.id
    candidate: str = "Ada Lovelace",
    role: str = "Backend engineer",
    started_at: datetime = BASE_TIME,
    status: SessionStatus = SessionStatus.COMPLETED,
    answer_texts: Sequence[str] | None = None,
    answer_count: int = 3,
    voice: bool = True,
    overall_score: float | None = 72.5,
    revision: int = 1,
    updated_at: datetime | None = None,
    report: dict[str, Any] | None = None,
    job_description: str = "Python services, PostgreSQL, on-call rotation.",
    **overrides: Any,
) -> Session:
    sid = id or Session.new_id()
    started_at = ms(started_at)
    texts = (
        list(answer_texts)
        if answer_texts is not None
        else [ANSWER_TEXTS[i % len(ANSWER_TEXTS)] for i in range(answer_count)]
    )
    answers = tuple(
        make_answer(
            i,
            text=text,
            voice=voice and i % 2 == 0,
            session_id=sid,
            role=role,
            asked_at=started_at + timedelta(minutes=2 * i),
        )
        for i, text in enumerate(texts)
    )
    if report is None and overall_score is not None:
        report = {
            "overall_score": overall_score,
            "summary": "Good structure; quantify results more often.",
            "per_question": [{"index": a.index, "score": 3.5} for a in answers],
        }
    ended = (
        started_at + timedelta(minutes=2 * len(answers) + 1) if status is SessionStatus.COMPLETED else None
    )
    session = Session(
        id=sid,
        candidate=candidate,
        role=role,
        started_at=started_at,
        status=status,
        ended_at=ended,
        question_count=max(len(answers), 5),
        answers=answers,
        app_version="0.1.0",
        job_description=job_description,
        revision=revision,
        updated_at=ms(updated_at or started_at + timedelta(minutes=15)),
        report=report,
    )
    return replace(session, **overrides) if overrides else session


def iter_sessions(
    n: int, *, seed: int = 7, voice: bool = True, long_answers: bool = False
) -> Iterator[Session]:
    """``n`` varied sessions, one every ~37 minutes back from BASE_TIME (ids unique, dates distinct).

    ``long_answers``: ~150-word answers (a 1-2 minute spoken answer) instead of one or two sentences.
    """
    rng = random.Random(seed)
    for i in range(n):
        status = rng.choice(
            (SessionStatus.COMPLETED,) * 3 + (SessionStatus.ABANDONED, SessionStatus.IN_PROGRESS)
        )
        count = rng.randint(0, 6) if status is not SessionStatus.COMPLETED else rng.randint(3, 6)
        texts = []
        for _ in range(count):
            picks = rng.sample(ANSWER_TEXTS, 5) if long_answers else [rng.choice(ANSWER_TEXTS)]
            texts.append(" ".join(picks))
        if texts and rng.random() < 0.3:
            texts[-1] = f"{texts[-1]} I also mentored {rng.choice(('two', 'three', 'four'))} juniors."
        score = round(rng.uniform(20, 98), 1) if status is SessionStatus.COMPLETED else None
        yield make_session(
            id=f"{rng.getrandbits(128):032x}",
            candidate=rng.choice(CANDIDATES),
            role=rng.choice(ROLES),
            started_at=BASE_TIME - timedelta(minutes=37 * i, milliseconds=rng.randrange(1000)),
            status=status,
            answer_texts=texts,
            voice=voice,
            overall_score=score,
            revision=rng.randint(1, 9),
        )


def make_sessions(n: int, *, seed: int = 7, voice: bool = True) -> list[Session]:
    """``n`` varied sessions (see :func:`iter_sessions`)."""
    return list(iter_sessions(n, seed=seed, voice=voice))
