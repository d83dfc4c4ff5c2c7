"""GroqBrain (questions, follow-up, evaluation) with the real groq SDK, before the offline brain."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from werkzeug import Request, Response

from interview_desktop.domain import Question, QuestionKind
from interview_desktop.providers.base import FallbackChain, InterviewerBrain, ProviderBadResponse
from interview_desktop.providers.brains.groq import GroqBrain
from interview_desktop.providers.brains.offline import FOLLOW_UP_EXAMPLE, OfflineBrain
from interview_desktop.providers.cloud.circuit import CircuitBreaker
from interview_desktop.scoring import delivery_metrics, score_answer
from interview_desktop.scoring.rubric import (
    IMPROVE_FILLERS,
    WEIGHTS_WITH_COVERS,
    WEIGHTS_WITHOUT_COVERS,
)
from interview_desktop.storage.codec import encode_evaluation
from tests.providers.cloud.helpers import (
    EXPECTED,
    FAKE_GROQ_KEY,
    FAULTS,
    GROQ_CHAT_PATH,
    TEST_TIMEOUT_S,
    assert_fell_back,
    chat_completion,
    json_response,
)

pytestmark = pytest.mark.timeout(60)

JOB = "We need a backend engineer to own our Python payment services, PostgreSQL and on-call."
CV = "Five years of Python at a fintech; led the move from cron jobs to Kafka consumers."
QUESTION = Question(
    "se-1", "Tell me about a time you had to fix a production incident.", QuestionKind.BEHAVIOURAL,
    "Software Engineer", covers=("what broke and the impact", "the steps you took", "what you changed after"),
)
THIN = "I fixed a bug once."
STRONG = (
    "Last year our payment API started timing out during a sale, so about 8% of checkouts failed. "
    "I was on call, so my task was to restore service. I looked at Grafana, saw the database pool "
    "was exhausted, raised it and rolled back the release that leaked connections. Within 20 minutes "
    "errors were back under 0.1%, and afterwards I added a connection-leak test to CI."
)


def questions_json(count: int) -> dict[str, Any]:
    kinds = ["behavioural", "technical", "situational", "motivation"]
    return {"questions": [
        {"text": f"Question number {i + 1} about Python payment services and on-call work?",
         "kind": kinds[i % 4], "covers": ["a concrete example", "the result"]}
        for i in range(count)
    ]}


EVALUATION = {
    "parts": {"relevance": 90, "coverage": 80, "specificity": 85, "structure": 75, "concision": 70},
    "overall": 82, "covered": [0, 1],
    "strength": "A clear incident story with numbers.",
    "improvement": "Say more about what you changed in the process afterwards.",
    "example": "After that, I added an alert on pool usage so we catch it before customers do.",
}


def which(request: Request) -> str:
    user = request.get_json()["messages"][1]["content"]
    if user.startswith("Write exactly"):
        return "questions"
    if "Decide whether one follow-up" in user:
        return "follow_up"
    if user.startswith("Evaluate one answer"):
        return "evaluate"
    raise AssertionError(f"unexpected prompt: {user[:60]}")


def llm_handler(cloud, replies: dict[str, Any] | None = None):
    """Success: answer each kind of prompt with valid JSON (or with ``replies[kind]``)."""

    def handler(request: Request) -> Response:
        body = request.get_json()
        kind = which(request)
        cloud.received.append({"kind": kind, "body": body})
        if replies and kind in replies:
            reply = replies[kind]
        elif kind == "questions":
            reply = questions_json(int(re.match(r"Write exactly (\d+)", body["messages"][1]["content"])[1]))
        elif kind == "follow_up":
            reply = {"follow_up": "What was the impact on customers, in numbers?"}
        else:
            reply = EVALUATION
        content = reply if isinstance(reply, str) else json.dumps(reply)
        return json_response(chat_completion(content))

    return handler


def brain(cloud, fault: str = "ok", **kwargs) -> GroqBrain:
    kwargs.setdefault("timeout_s", TEST_TIMEOUT_S)
    return GroqBrain(FAKE_GROQ_KEY, cloud.base_url(fault), **kwargs)


CALLS = {
    "questions": lambda b: b.questions("Software Engineer", 4, JOB, CV),
    "follow_up": lambda b: b.follow_up(QUESTION, THIN),
    "evaluate": lambda b: b.evaluate(QUESTION, STRONG, None),
}


def test_both_brains_satisfy_the_protocol(offline_brain, cloud):
    assert isinstance(offline_brain, InterviewerBrain)
    assert isinstance(brain(cloud), InterviewerBrain)


def test_questions_are_tailored_and_validated(cloud):
    cloud.install(GROQ_CHAT_PATH, "ok", llm_handler(cloud))
    b = brain(cloud)
    questions = b.questions("Software Engineer", 4, JOB, CV)
    assert len(questions) == 4
    assert {q.kind for q in questions} == set(QuestionKind)
    assert all(q.source == "llm" and q.role == "Software Engineer" and q.covers for q in questions)
    assert len({q.id for q in questions}) == 4
    [got] = cloud.received
    body = got["body"]
    assert body["model"] == "llama-3.3-70b-versatile"
    assert body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system["role"] == "system" and "JSON" in system["content"]
    assert JOB in user["content"] and CV in user["content"]
    assert "Write exactly 4 interview questions" in user["content"]
    assert "{" + "job_description}" not in user["content"]  # every placeholder was filled
    b.close()


def test_follow_up_and_no_follow_up(cloud):
    cloud.install(GROQ_CHAT_PATH, "ok", llm_handler(cloud, {"follow_up": {"follow_up": None}}))
    assert brain(cloud).follow_up(QUESTION, STRONG) is None
    assert brain(cloud).follow_up(QUESTION, "") is None  # skipped: no request
    assert len(cloud.received) == 1
    cloud.server.clear()
    cloud.install(GROQ_CHAT_PATH, "ok", llm_handler(cloud))
    assert brain(cloud).follow_up(QUESTION, THIN) == "What was the impact on customers, in numbers?"


def test_evaluation_uses_the_offline_rubric_parts(cloud):
    cloud.install(GROQ_CHAT_PATH, "ok", llm_handler(cloud))
    metrics = delivery_metrics((), text="um so um I um fixed it um")
    evaluation = brain(cloud).evaluate(QUESTION, STRONG, metrics)
    offline = score_answer(QUESTION, STRONG)
    assert evaluation.scorer == "groq:llama-3.3-70b-versatile"
    assert set(evaluation.parts) == set(offline.parts) and dict(evaluation.weights) == dict(offline.weights)
    weights = WEIGHTS_WITH_COVERS
    expected = sum(EVALUATION["parts"][k] * w for k, w in weights.items()) / sum(weights.values())
    assert evaluation.overall == int(expected + 0.5)
    assert evaluation.strengths == (EVALUATION["strength"],)
    assert evaluation.improvements == (EVALUATION["improvement"], IMPROVE_FILLERS)
    assert evaluation.example == EVALUATION["example"]
    assert evaluation.covered_points == QUESTION.covers[:2]
    assert evaluation.missed_points == QUESTION.covers[2:]
    assert evaluation.question_id == "se-1" and evaluation.answered
    assert evaluation.word_count == offline.word_count
    assert encode_evaluation(evaluation)["scorer"] == "groq:llama-3.3-70b-versatile"
    prompt = cloud.received[0]["body"]["messages"][1]["content"]
    assert "relevance, coverage, specificity, structure, concision" in prompt
    assert STRONG in prompt


def test_evaluation_without_covers_has_no_coverage_part(cloud):
    reply = dict(EVALUATION, parts={k: 60 for k in WEIGHTS_WITHOUT_COVERS}, covered=[])
    cloud.install(GROQ_CHAT_PATH, "ok", llm_handler(cloud, {"evaluate": reply}))
    custom = Question("c-1", "Why do you want this job?", QuestionKind.MOTIVATION, "Sales", source="custom")
    evaluation = brain(cloud).evaluate(custom, "Because I love talking to customers and closing deals.", None)
    assert set(evaluation.parts) == set(WEIGHTS_WITHOUT_COVERS) and evaluation.overall == 60


def test_empty_answer_is_scored_offline_without_a_request(cloud):
    evaluation = brain(cloud).evaluate(QUESTION, "  ", None)
    assert not evaluation.answered and evaluation.overall == 0
    assert cloud.hits() == 0


BAD_REPLIES = {
    "questions": [
        ("Sure! Here are four questions: 1. Tell me about yourself.", "not the requested JSON"),
        ({"questions": questions_json(3)["questions"]}, "3 questions; 4 were asked for"),
        ({"questions": [dict(q, kind="trivia") for q in questions_json(4)["questions"]]}, "unknown kind"),
        ({"questions": [dict(q, text="word " * 41) for q in questions_json(4)["questions"]]}, "1–40 word"),
        ({"questions": [questions_json(1)["questions"][0]] * 4}, "repeated a question"),
        ({"questions": [dict(q, covers="a result") for q in questions_json(4)["questions"]]}, "covers"),
        ({"items": []}, "no \"questions\" list"),
    ],
    "follow_up": [
        ("Great answer, no follow-up needed.", "not the requested JSON"),
        ({"question": "Why?"}, "no \"follow_up\" key"),
        ({"follow_up": 3}, "not text or null"),
        ({"follow_up": "why " * 41}, "longer than 40 words"),
    ],
    "evaluate": [
        ("I'd give this answer an 8 out of 10.", "not the requested JSON"),
        ([1, 2, 3], "not an object"),
        (dict(EVALUATION, parts={"relevance": 90}), "bad parts.coverage"),
        (dict(EVALUATION, overall=150), "bad overall"),
        (dict(EVALUATION, parts=dict(EVALUATION["parts"], structure="high")), "bad parts.structure"),
        (dict(EVALUATION, strength=""), "no strength"),
        (dict(EVALUATION, covered=[7]), "bad \"covered\" list"),
        ({k: v for k, v in EVALUATION.items() if k != "example"}, "no example"),
    ],
}


@pytest.mark.parametrize(
    ("kind", "reply", "words"),
    [(kind, reply, words) for kind, cases in BAD_REPLIES.items() for reply, words in cases],
)
def test_reply_that_is_not_the_requested_json_falls_back(cloud, offline_brain, caplog, kind, reply, words):
    cloud.install(GROQ_CHAT_PATH, "ok", llm_handler(cloud, {kind: reply}))
    chain = FallbackChain(kind, [brain(cloud), offline_brain])
    result = chain.run(CALLS[kind])
    assert_fell_back(result, caplog, "groq-llm", "offline", "bad response", words)


def test_cut_off_completion_is_a_bad_response(cloud):
    cloud.install(GROQ_CHAT_PATH, "ok",
                  lambda request: json_response(chat_completion('{"questions": [{"te', "length")))
    with pytest.raises(ProviderBadResponse, match="token limit"):
        brain(cloud).questions("Software Engineer", 3)


@pytest.mark.parametrize("kind", ["questions", "follow_up", "evaluate"])
@pytest.mark.parametrize("fault", FAULTS)
def test_fault_falls_back_to_the_offline_brain(cloud, offline_brain, caplog, fault, kind):
    cloud.install(GROQ_CHAT_PATH, fault, llm_handler(cloud))
    b = brain(cloud, fault)
    chain = FallbackChain(kind, [b, offline_brain])
    caplog.set_level(logging.INFO)
    result = chain.run(CALLS[kind])

    cause, text = EXPECTED.get(fault, ("bad response", "not valid JSON"))
    assert_fell_back(result, caplog, "groq-llm", "offline", cause, text)
    if kind == "questions":
        assert len(result.value) == 4 and all(q.source == "bank" for q in result.value)
    elif kind == "follow_up":
        assert result.value == FOLLOW_UP_EXAMPLE
    else:
        assert result.value.scorer == "offline" and result.value == score_answer(QUESTION, STRONG)
    assert cloud.hits(GROQ_CHAT_PATH) == (0 if fault == "refused" else 1)
    b.close()


def test_one_breaker_covers_all_three_calls(cloud, offline_brain):
    """After a 500 on questions, follow-up and evaluation skip Groq for the cooldown."""
    cloud.install(GROQ_CHAT_PATH, "500", llm_handler(cloud))
    b = brain(cloud, breaker=CircuitBreaker(60.0, name="groq-llm"))
    for kind in ("questions", "follow_up", "evaluate"):
        result = FallbackChain(kind, [b, offline_brain]).run(CALLS[kind])
        assert result.provider == "offline"
    assert cloud.hits(GROQ_CHAT_PATH) == 1
    assert "skipped for 60s after: server error" in result.failures[0][1]


def test_auth_failure_skips_until_the_key_changes(cloud):
    cloud.install(GROQ_CHAT_PATH, "401", llm_handler(cloud))
    shared = CircuitBreaker(60.0, name="groq-llm")
    b = brain(cloud, breaker=shared)
    for _ in range(3):
        with pytest.raises(Exception, match="rejected the API key|until the API key is changed"):
            b.follow_up(QUESTION, THIN)
    assert cloud.hits(GROQ_CHAT_PATH) == 1
    cloud.server.clear()
    cloud.install(GROQ_CHAT_PATH, "ok", llm_handler(cloud))
    rekeyed = GroqBrain("gsk_ANOTHERkey000000000000", cloud.url, timeout_s=TEST_TIMEOUT_S, breaker=shared)
    assert rekeyed.follow_up(QUESTION, THIN) is not None  # a new key closes the breaker


def test_offline_brain_rules(offline_brain):
    assert offline_brain.follow_up(QUESTION, THIN) == FOLLOW_UP_EXAMPLE
    assert offline_brain.follow_up(QUESTION, STRONG) is None
    assert offline_brain.follow_up(QUESTION, "(no answer)") is None
    qs = offline_brain.questions("Software Engineer", 3, job_description=JOB, cv_text=CV)
    assert len(qs) == 3 and all(q.source == "bank" for q in qs)
    custom = offline_brain.questions("Astronaut", 2)  # not in the bank: the general pool
    assert len(custom) == 2
    assert offline_brain.evaluate(QUESTION, STRONG, None) == score_answer(QUESTION, STRONG)


def test_offline_brain_without_fallback_role_rejects_unknown_roles(offline_brain):
    from interview_desktop.providers.brains.question_bank import UnknownRoleError

    strict = OfflineBrain(offline_brain.bank, fallback_role=None)
    with pytest.raises(UnknownRoleError):
        strict.questions("Astronaut", 2)
