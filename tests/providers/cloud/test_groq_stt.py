"""GroqSpeechToText with the real groq SDK against the local server, in front of the local model."""

from __future__ import annotations

import io
import logging
import time

import av
import numpy as np
import pytest
from werkzeug import Request, Response

from interview_desktop.domain import AudioClip
from interview_desktop.providers.base import AllProvidersFailed, FallbackChain
from interview_desktop.providers.cloud.circuit import CircuitBreaker
from interview_desktop.providers.stt.groq_whisper import GroqSpeechToText
from interview_desktop.providers.stt.local_whisper import DISFLUENCY_PROMPT
from tests.providers.cloud.helpers import (
    EXPECTED,
    FAKE_GROQ_KEY,
    FAULTS,
    GROQ_STT_PATH,
    TEST_TIMEOUT_S,
    assert_fell_back,
    json_response,
    verbose_json,
    warnings_of,
)
from tests.speech import word_error_rate

pytestmark = pytest.mark.timeout(60)


def decode_upload(data: bytes) -> tuple[np.ndarray, int]:
    """Decode an uploaded file with PyAV (as a server would): mono samples and their rate."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        chunks = [
            out.to_ndarray().reshape(-1)
            for frame in container.decode(stream)
            for out in resampler.resample(frame)
        ]
        chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.float32) / 32768.0, rate


def transcription_handler(cloud, text: str):
    """Success: parse the multipart upload like Groq, decode the audio, answer verbose_json."""

    def handler(request: Request) -> Response:
        upload = request.files["file"]
        data = upload.read()
        samples, rate = decode_upload(data)
        duration = len(samples) / rate
        cloud.received.append(
            {"form": {k: request.form.getlist(k) for k in request.form}, "filename": upload.filename,
             "mimetype": upload.mimetype, "bytes": len(data), "duration": duration, "rate": rate}
        )
        return json_response(verbose_json(text, duration))

    return handler


def groq_stt(cloud, fault: str = "ok", **kwargs) -> GroqSpeechToText:
    kwargs.setdefault("timeout_s", TEST_TIMEOUT_S)
    return GroqSpeechToText(FAKE_GROQ_KEY, cloud.base_url(fault), **kwargs)


def test_success_uploads_compressed_audio_and_returns_the_transcript(cloud, answer_clip, answer_text):
    cloud.install(GROQ_STT_PATH, "ok", transcription_handler(cloud, answer_text))
    stt = groq_stt(cloud, timeout_s=8.0)
    transcript = stt.transcribe(answer_clip)

    assert transcript.provider == "groq-whisper"
    assert word_error_rate(answer_text, transcript.text) == 0.0
    assert len(transcript.words) == len(answer_text.split())
    assert all(w.start <= w.end <= answer_clip.duration_s for w in transcript.words)
    assert [w.start for w in transcript.words] == sorted(w.start for w in transcript.words)
    assert transcript.duration_s == pytest.approx(answer_clip.duration_s, abs=1e-3)

    [got] = cloud.received
    assert got["form"]["model"] == ["whisper-large-v3-turbo"]
    assert got["form"]["response_format"] == ["verbose_json"]
    assert got["form"]["language"] == ["en"]
    assert got["form"]["prompt"] == [DISFLUENCY_PROMPT]
    assert sorted(got["form"]["timestamp_granularities[]"]) == ["segment", "word"]
    assert (got["filename"], got["mimetype"]) == ("answer.ogg", "audio/ogg")
    # a decodable file of the right length (Opus: within one 20 ms frame), much smaller than WAV
    assert got["duration"] == pytest.approx(answer_clip.duration_s, abs=0.03)
    assert got["bytes"] < 0.25 * answer_clip.duration_s * 16_000 * 2
    assert len(cloud.requests()) == 1
    stt.close()


@pytest.mark.parametrize("audio_format", ["flac", "wav"])
def test_lossless_formats_upload_the_exact_samples(cloud, answer_clip, answer_text, audio_format):
    uploads: list[bytes] = []

    def handler(request: Request) -> Response:
        uploads.append(request.files["file"].read())
        return json_response(verbose_json(answer_text, answer_clip.duration_s))

    cloud.install(GROQ_STT_PATH, "ok", handler)
    stt = groq_stt(cloud, timeout_s=8.0, audio_format=audio_format)
    stt.transcribe(answer_clip)
    samples, rate = decode_upload(uploads[0])
    assert rate == 16_000
    expected = np.round(np.clip(answer_clip.samples, -1, 1) * 32767).astype(np.int32)
    assert np.max(np.abs(np.round(samples * 32768).astype(np.int32) - expected)) <= 1
    stt.close()


def test_silence_is_not_uploaded(cloud):
    stt = groq_stt(cloud)
    transcript = stt.transcribe(AudioClip(np.zeros(32_000, np.float32), 16_000))
    assert transcript.no_speech and transcript.text == "" and transcript.provider == "groq-whisper"
    assert cloud.requests() == []


def test_hallucinated_stock_phrase_is_dropped(cloud):
    """Noise above the energy gate, answered with "Thank you." and weak scores → no speech."""
    rng = np.random.default_rng(3)
    noise = AudioClip((rng.normal(0, 0.05, 24_000)).astype(np.float32), 16_000)
    cloud.install(
        GROQ_STT_PATH, "ok",
        lambda request: json_response(verbose_json("Thank you.", 1.5, no_speech_prob=0.5, avg_logprob=-0.9)),
    )
    stt = groq_stt(cloud)
    transcript = stt.transcribe(noise)
    assert transcript.no_speech and transcript.words == ()
    assert stt.last_filter is not None
    assert [reason for _, reason in stt.last_filter.dropped] == ["stock phrase"]


@pytest.mark.parametrize(
    "body",
    [
        {"text": "hello"},  # json instead of verbose_json: no segments
        {"text": "hi", "segments": [{"text": "hi", "start": "zero", "end": 1.0}]},
        {"text": "hi", "segments": [], "words": [{"word": "hi", "start": None, "end": 1}]},
        ["not", "an", "object"],
    ],
    ids=["no-segments", "bad-start", "bad-word-time", "list"],
)
def test_wrong_json_shape_is_a_bad_response(cloud, answer_clip, local_stt, caplog, body):
    cloud.install(GROQ_STT_PATH, "ok", lambda request: json_response(body))
    chain = FallbackChain("stt", [groq_stt(cloud), local_stt])
    result = chain.run(lambda p: p.transcribe(answer_clip))
    assert_fell_back(result, caplog, "groq-whisper", "local-whisper", "bad response", "Groq")


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
def test_fault_falls_back_to_the_local_model(cloud, answer_clip, answer_text, local_stt, caplog, fault):
    cloud.install(GROQ_STT_PATH, fault, transcription_handler(cloud, answer_text))
    cloud_stt = groq_stt(cloud, fault)
    chain = FallbackChain("stt", [cloud_stt, local_stt])
    caplog.set_level(logging.INFO)

    started = time.perf_counter()
    result = chain.run(lambda p: p.transcribe(answer_clip))
    elapsed = time.perf_counter() - started

    cause, text = EXPECTED.get(fault, ("bad response", "not valid JSON"))
    assert_fell_back(result, caplog, "groq-whisper", "local-whisper", cause, text)
    assert word_error_rate(answer_text, result.value.text) < 0.35
    assert cloud.hits(GROQ_STT_PATH) == (0 if fault == "refused" else 1)
    if fault == "refused":
        assert cloud.closed_port_url in result.failures[0][1]
    if fault == "timeout":
        assert elapsed >= TEST_TIMEOUT_S
    cloud_stt.close()


def test_circuit_breaker_skips_the_server_after_a_timeout(cloud, answer_clip, answer_text, caplog):
    cloud.install(GROQ_STT_PATH, "timeout", transcription_handler(cloud, answer_text))
    now = [1000.0]
    stt = groq_stt(cloud, breaker=CircuitBreaker(60.0, clock=lambda: now[0], name="groq-whisper"))
    chain = FallbackChain("stt", [stt])

    with pytest.raises(AllProvidersFailed) as first:
        chain.run(lambda p: p.transcribe(answer_clip))
    assert "no answer from Groq within 0.5s" in str(first.value)

    started = time.perf_counter()
    with pytest.raises(AllProvidersFailed) as second:
        chain.run(lambda p: p.transcribe(answer_clip))
    assert time.perf_counter() - started < TEST_TIMEOUT_S / 2
    assert "skipped for 60s after: timeout" in str(second.value)
    assert cloud.hits(GROQ_STT_PATH) == 1  # the second call never reached the server
    assert len(warnings_of(caplog)) == 2  # one per failed chain run

    now[0] += 61  # cooldown over: the next call is a trial and reaches the server again
    cloud.release.set()
    cloud.server.clear()
    cloud.install(GROQ_STT_PATH, "ok", transcription_handler(cloud, answer_text))
    assert stt.transcribe(answer_clip).text.strip() == answer_text
    assert not stt.breaker.is_open()
    stt.close()
