"""The Settings "Test connection" check, against the local server."""

from __future__ import annotations

import pytest
from werkzeug import Request, Response

from interview_desktop.providers.cloud.connection import test_connection as check_connection
from tests.providers.cloud.helpers import (
    ELEVEN_MODELS_PATH,
    FAKE_ELEVEN_KEY,
    FAKE_GROQ_KEY,
    GROQ_MODELS_PATH,
    RETRY_AFTER_S,
    TEST_TIMEOUT_S,
    json_response,
)

pytestmark = pytest.mark.timeout(60)

SERVICES = {
    "groq": (GROQ_MODELS_PATH, FAKE_GROQ_KEY, "Groq",
             lambda request: json_response({"object": "list", "data": [{"id": "whisper-large-v3-turbo"}]})),
    "elevenlabs": (ELEVEN_MODELS_PATH, FAKE_ELEVEN_KEY, "ElevenLabs",
                   lambda request: json_response([{"model_id": "eleven_flash_v2_5"}])),
}

CASES = [
    ("ok", True, "Connected to {title} at {url} (1 models available)."),
    ("401", False, "{title} rejected the API key"),
    ("429", False, f"try again in {RETRY_AFTER_S}s"),
    ("500", False, "{title} server error 500"),
    ("timeout", False, f"no answer from {{title}} within {TEST_TIMEOUT_S:g}s"),
    ("refused", False, "cannot reach {title} at {url}: connection refused"),
    ("malformed", False, "{title}"),
]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(("fault", "ok", "message"), CASES, ids=[c[0] for c in CASES])
def test_connection_report(cloud, service, fault, ok, message):
    path, key, title, success = SERVICES[service]
    cloud.install(path, fault, success, service=service)
    url = cloud.base_url(fault)
    report = check_connection(service, key, url, timeout_s=TEST_TIMEOUT_S)
    assert report.ok is ok
    assert message.format(title=title, url=url) in report.message, report.message
    assert key not in report.message
    assert cloud.hits(path) == (0 if fault == "refused" else 1)
    if not ok:
        assert report.cause


@pytest.mark.parametrize("service", SERVICES)
def test_no_key_sends_nothing(cloud, service):
    report = check_connection(service, "  ", cloud.url)
    title = SERVICES[service][2]
    assert not report.ok and report.message == f"no {title} API key — add one in Settings"
    assert cloud.hits() == 0 and cloud.requests() == []


def test_bad_base_url_is_explained():
    report = check_connection("groq", FAKE_GROQ_KEY, "api.groq.com")
    assert not report.ok and "must start with https://" in report.message


def test_key_echoed_by_a_server_is_not_shown(cloud):
    def echo(request: Request) -> Response:
        sent = request.headers["Authorization"].removeprefix("Bearer ")
        return json_response({"error": {"message": f"Invalid API Key {sent}"}}, 403)

    cloud.server.expect_request(GROQ_MODELS_PATH).respond_with_handler(echo)
    report = check_connection("groq", FAKE_GROQ_KEY, cloud.url)
    assert not report.ok and "refused access" in report.message and "[key]" in report.message
    assert FAKE_GROQ_KEY not in report.message
