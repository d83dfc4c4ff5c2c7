"""``interview-desktop evaluate``: score an answer from a file with the app's own code path.

    interview-desktop evaluate --question "…" (--answer-file FILE.txt | --audio FILE.wav) [--role NAME]

Prints the evaluation as JSON (overall score, rubric parts, metrics, structure, feedback, scorer)
and exits 0. A question found in the bank (same text) brings its "strong answer covers" points; any
other question is scored from its text alone.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from interview_desktop.audio.errors import AudioError
from interview_desktop.audio.wav import read_wav, resample
from interview_desktop.domain import Question, QuestionKind
from interview_desktop.providers.base import FallbackChain, InterviewerBrain, ProviderError
from interview_desktop.providers.brains.offline import OfflineBrain
from interview_desktop.providers.brains.question_bank import QuestionBank, QuestionBankError
from interview_desktop.providers.stt.local_whisper import LocalWhisperSTT
from interview_desktop.scoring import delivery_metrics
from interview_desktop.scoring.assess import assess, speech_segments, transcribe
from interview_desktop.storage.codec import encode_evaluation, encode_metrics, encode_question

EXIT_USAGE = 2
EXIT_FAILED = 1
MAX_AUDIO_S = 600.0  # an answer of up to 10 minutes (the app stops one at 3); longer: trim it first

_KIND_CUES = (
    (QuestionKind.BEHAVIOURAL, r"\b(tell me about a time|describe a (time|situation)|give (me )?an example)"),
    (QuestionKind.SITUATIONAL, r"\b(what would you do|how would you|imagine|suppose|if you)"),
    (QuestionKind.MOTIVATION, r"\b(why do you want|why are you|what motivates|where do you see)"),
)


def guess_kind(text: str) -> QuestionKind:
    lowered = text.lower()
    for kind, pattern in _KIND_CUES:
        if re.search(pattern, lowered):
            return kind
    return QuestionKind.TECHNICAL


def find_question(bank: QuestionBank, text: str, role: str | None) -> Question:
    wanted = " ".join(text.split()).lower()
    roles = [bank.role(role)] if role else bank.roles
    for r in roles:
        for question in r.questions:
            if " ".join(question.text.split()).lower() == wanted:
                return question
    title = bank.role(role).title if role else ""
    return Question(id="custom", text=text.strip(), kind=guess_kind(text), role=title, source="custom")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interview-desktop evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--question", required=True, help="the interview question")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--answer-file", type=Path, help="a text file holding the answer")
    source.add_argument("--audio", type=Path, help="a WAV recording of the answer")
    parser.add_argument("--role", help="role id or title (finds the question's covers points)")
    return parser


def _error(text: str, code: int = EXIT_FAILED) -> int:
    print(f"interview-desktop evaluate: error: {text}", file=sys.stderr)
    return code


BrainFactory = Callable[[QuestionBank], FallbackChain[InterviewerBrain]]


def main(argv: Sequence[str], brains: BrainFactory | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        bank = QuestionBank.load()
        question = find_question(bank, args.question, args.role)
    except QuestionBankError as err:
        print(f"interview-desktop evaluate: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    chain = brains(bank) if brains else FallbackChain("interviewer", [OfflineBrain(bank)])
    try:
        if args.answer_file is not None:
            text = args.answer_file.read_text(encoding="utf-8")
            metrics, transcribed_by = delivery_metrics((), None, text=text), None
        else:
            clip = read_wav(args.audio)
            if clip.duration_s > MAX_AUDIO_S:
                return _error(f"the recording is {clip.duration_s / 60:.1f} minutes long; evaluate takes one "
                              f"answer of up to {MAX_AUDIO_S / 60:.0f} minutes (trim it first)", EXIT_USAGE)
            if clip.duration_s < 0.1:
                return _error(f"the recording is empty ({clip.duration_s:.2f} s): nothing to evaluate")
            clip = resample(clip, 16000)
            heard = transcribe(FallbackChain("speech-to-text", [LocalWhisperSTT()]), clip)
            text = heard.value.text
            metrics = delivery_metrics(heard.value.words, speech_segments(clip) or None, text=text)
            transcribed_by = heard.value.provider
        result = assess(chain, question, text, metrics)
    except (OSError, UnicodeDecodeError, AudioError, ProviderError) as err:
        return _error(str(err))
    evaluation = encode_evaluation(result.evaluation)
    output = {
        "question": encode_question(question),
        "answer_text": text,
        "transcribed_by": transcribed_by,
        "overall_score": evaluation.get("overall"),
        "scorer": result.brain,
        "evaluation": evaluation,
        "metrics": encode_metrics(result.metrics),
    }
    json.dump(output, sys.stdout, indent=2)
    print()
    return 0
