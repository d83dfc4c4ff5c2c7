"""Speech-to-text with Groq's hosted Whisper (``whisper-large-v3-turbo`` by default).

* The clip is compressed before upload (Ogg Opus 24 kb/s, see :mod:`.encode`); a clip below the
  energy floor is "no speech" at once, with no upload.
* ``verbose_json`` with word and segment timestamps, language "en", and the same disfluency-keeping
  prompt as the local model (so "um"/"uh" survive for the delivery metrics).
* The segments go through the same hallucination guard as the local model
  (:func:`~interview_desktop.providers.stt.hallucination.filter_segments`); words of dropped segments are
  dropped too. Groq gives no per-word probability, so words carry 1.0.
* Every failure is a provider error (see :mod:`.errors`); a :class:`.CircuitBreaker` skips the
  service for a while after a failure that will likely repeat.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx
import numpy as np

from interview_desktop.audio.encode import SAMPLE_RATE, encode_pcm16, to_pcm16_16k
from interview_desktop.domain import AudioClip, Transcript, Word
from interview_desktop.providers.base import ProviderBadResponse
from interview_desktop.providers.cloud.circuit import CircuitBreaker, key_fingerprint
from interview_desktop.providers.cloud.clients import GroqClientOwner, make_groq_client, resolve_base_url
from interview_desktop.providers.cloud.errors import json_body, map_groq_error
from interview_desktop.providers.stt.hallucination import (
    DEFAULT_THRESHOLDS,
    FilterResult,
    GuardThresholds,
    SegmentInfo,
    filter_segments,
    is_near_silent,
)
from interview_desktop.providers.stt.local_whisper import DISFLUENCY_PROMPT

if TYPE_CHECKING:
    import groq

log = logging.getLogger("interview_desktop.stt.groq")

DEFAULT_MODEL = "whisper-large-v3-turbo"


class GroqSpeechToText(GroqClientOwner):
    """:class:`~interview_desktop.providers.base.SpeechToText` on Groq's Whisper API.

    ``client`` (a ready ``groq.Groq``) or ``client_factory(api_key, base_url, timeout_s)`` may be
    given for tests; by default a client with ``max_retries=0`` is made on first use.
    """

    name = "groq-whisper"
    cloud = True

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None = None,
        *,
        model: str = DEFAULT_MODEL,
        timeout_s: float = 8.0,
        audio_format: str = "opus",
        prompt: str | None = DISFLUENCY_PROMPT,
        energy_floor_dbfs: float = -45.0,
        thresholds: GuardThresholds = DEFAULT_THRESHOLDS,
        breaker: CircuitBreaker | None = None,
        client: groq.Groq | None = None,
        client_factory: Callable[[str, str, float], groq.Groq] = make_groq_client,
    ) -> None:
        self._api_key = (api_key or "").strip() or None
        self.base_url = resolve_base_url("groq", base_url)
        self.model = model
        self.timeout_s = timeout_s
        self.audio_format = audio_format
        self.prompt = prompt
        self.energy_floor_dbfs = energy_floor_dbfs
        self.thresholds = thresholds
        self.breaker = breaker or CircuitBreaker(name=self.name)
        self._client = client
        self._client_factory = client_factory
        self._owns_client = False
        self._lock = threading.Lock()
        self.last_filter: FilterResult | None = None  # the guard's last decision (diagnostics)
        self.last_upload_bytes = 0

    def transcribe(self, clip: AudioClip) -> Transcript:
        pcm = to_pcm16_16k(clip)
        duration = len(pcm) / SAMPLE_RATE
        if len(pcm) == 0 or is_near_silent(pcm.astype("float32") / 32768.0, SAMPLE_RATE,
                                           self.energy_floor_dbfs):
            self.last_filter = None
            log.debug("energy gate: %.2fs clip is below %.0f dBFS; not uploaded", duration,
                      self.energy_floor_dbfs)
            return Transcript("", self.name, (), duration, no_speech=True)
        return self.breaker.call(lambda: self._transcribe(pcm, duration), key_fingerprint(self._api_key))

    def _transcribe(self, pcm: np.ndarray, duration: float) -> Transcript:
        client = self._get_client()
        started = time.perf_counter()
        audio = encode_pcm16(pcm, self.audio_format)
        self.last_upload_bytes = len(audio.data)
        encoded = time.perf_counter()
        options: dict[str, Any] = {}
        if self.prompt:
            options["prompt"] = self.prompt
        try:
            raw = client.audio.transcriptions.with_raw_response.create(
                file=(audio.filename, audio.data, audio.mime),
                model=self.model,
                response_format="verbose_json",
                timestamp_granularities=["word", "segment"],
                language="en",
                temperature=0.0,
                **options,
            )
        except (_groq_errors() + (httpx.TransportError,)) as err:
            raise map_groq_error(err, base_url=self.base_url, timeout_s=self.timeout_s,
                                 secrets=(self._api_key,)) from err
        data = json_body(raw.http_response, "Groq")
        segments, words = _parse_verbose_json(data)
        result = filter_segments(segments, duration_s=duration, prompt=self.prompt,
                                 thresholds=self.thresholds)
        self.last_filter = result
        log.debug(
            "groq transcribed %.2fs (%s %d bytes, encoded in %.2fs) in %.2fs: %d segments, "
            "%d dropped, no_speech=%s %s",
            duration, audio.format, len(audio.data), encoded - started, time.perf_counter() - encoded,
            len(segments), len(result.dropped), result.no_speech, result.reason,
        )
        if result.no_speech:
            return Transcript("", self.name, (), duration, no_speech=True)
        kept = [(s.start, s.end) for s in result.kept]
        return Transcript(result.text, self.name, _kept_words(words, kept, duration), duration, False)


def _groq_errors() -> tuple[type[BaseException], ...]:
    import groq

    return (groq.APIError,)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProviderBadResponse(f"Groq's transcript has a bad {what}: {value!r:.40}")
    return float(value)


def _parse_verbose_json(data: Any) -> tuple[list[SegmentInfo], list[tuple[str, float, float]]]:
    """Segments and ``(word, start, end)`` from a ``verbose_json`` transcription; strict types."""
    if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
        raise ProviderBadResponse("Groq's reply is not a transcription (no text)")
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, Sequence) or isinstance(raw_segments, str):
        raise ProviderBadResponse("Groq's transcription has no segment list (verbose_json expected)")
    segments: list[SegmentInfo] = []
    for seg in raw_segments:
        if not isinstance(seg, Mapping) or not isinstance(seg.get("text"), str):
            raise ProviderBadResponse("Groq's transcription has a malformed segment")
        for key in ("start", "end"):
            _number(seg.get(key), f"segment {key}")
        for key in ("no_speech_prob", "avg_logprob", "compression_ratio"):
            if seg.get(key) is not None:
                _number(seg.get(key), key)
        segments.append(SegmentInfo.from_mapping({k: v for k, v in seg.items() if k != "words"}))
    words: list[tuple[str, float, float]] = []
    raw_words = data.get("words") or []
    if not isinstance(raw_words, Sequence) or isinstance(raw_words, str):
        raise ProviderBadResponse("Groq's transcription has a malformed word list")
    for w in raw_words:
        if not isinstance(w, Mapping) or not isinstance(w.get("word"), str):
            raise ProviderBadResponse("Groq's transcription has a malformed word")
        words.append((w["word"], _number(w.get("start"), "word start"), _number(w.get("end"), "word end")))
    return segments, words


def _kept_words(
    words: Sequence[tuple[str, float, float]], kept: Sequence[tuple[float, float]], duration: float
) -> tuple[Word, ...]:
    """Words whose middle falls in a kept segment, clamped into the clip and made monotonic."""
    out: list[Word] = []
    last_start = 0.0
    for text, start, end in words:
        text = text.strip()
        middle = (start + end) / 2.0
        if not text or not any(a - 0.05 <= middle <= b + 0.05 for a, b in kept):
            continue
        start = min(max(start, last_start, 0.0), duration)
        end = min(max(end, start), duration)
        out.append(Word(text, round(start, 3), round(end, 3), 1.0))
        last_start = start
    return tuple(out)
