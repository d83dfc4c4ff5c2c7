"""The export writers: CSV, JSON, Markdown and PDF, read back and checked."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import timedelta

import pytest

from interview_desktop.domain import AnswerInput, Provenance, Session, SessionStatus
from interview_desktop.reports import (
    CSV_COLUMNS,
    ReportError,
    compare_rows,
    markdown_report,
    session_stats,
    write_csv,
    write_json,
    write_markdown,
    write_report,
)
from interview_desktop.reports.stats import answer_score, provenance_text
from interview_desktop.storage.codec import decode_session, encode_session
from tests.reports.factories import scored_session
from tests.storage.factories import BASE_TIME, make_session
from tests.ui.test_cloud_app import pdf_text

REVIEW = {
    "rating": 4, "note": "Strong example, no numbers.", "by": "rita", "at": "2026-03-03T10:00:00.000+00:00"
}


def sessions() -> list[Session]:
    first = scored_session(id="s1", candidate="Ada Lovelace", overall_score=81)
    answers = list(first.answers)
    answers[0] = replace(answers[0], review=REVIEW)
    first = replace(first, answers=tuple(answers), review={**REVIEW, "rating": 5, "note": "Hire"})
    second = scored_session(
        id="s2", candidate="Chloé Dubois", role="Data analyst", started_at=BASE_TIME + timedelta(days=7),
        answer_texts=["=HYPERLINK(\"http://evil\")", "I *love* <b>data</b> | pipes"], overall_score=64,
    )
    empty = make_session(id="s3", candidate="Bob Smith", answer_count=0, status=SessionStatus.ABANDONED,
                         overall_score=None)
    return [first, second, empty]


def test_csv_has_one_row_per_answer(tmp_path):
    data = sessions()
    path = write_csv(data, tmp_path / "out.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        rows = list(reader)
    assert len(rows) == 3 + 2 + 1  # a session without answers still gets a row
    first = rows[0]
    answer = data[0].answers[0]
    assert first["session_id"] == "s1"
    assert first["candidate"] == "Ada Lovelace"
    assert first["role"] == "Backend engineer"
    assert first["date"] == "2026-03-02T09:30:00.000+00:00"
    assert first["question_number"] == "1"
    assert first["question"] == answer.question.text
    assert first["kind"] == "behavioural"
    assert first["answer"] == answer.text
    assert first["input"] == "voice"
    assert float(first["duration_s"]) == pytest.approx(answer.duration_s, abs=0.05)
    assert float(first["score"]) == answer.evaluation.overall
    assert float(first["words_per_minute"]) == pytest.approx(answer.metrics.words_per_minute, abs=0.05)
    assert float(first["fillers_per_100_words"]) == answer.metrics.fillers_per_100_words
    assert (first["rating"], first["note"]) == ("4", "Strong example, no numbers.")
    assert first["reviewed_by"] == "rita"
    assert (first["session_score"], first["session_rating"], first["session_note"]) == ("81", "5", "Hire")
    assert rows[1]["input"] == "typed" and rows[1]["words_per_minute"] == ""
    assert rows[3]["candidate"] == "Chloé Dubois"
    assert rows[3]["answer"] == "'=HYPERLINK(\"http://evil\")"  # not a formula in a spreadsheet
    assert rows[5]["session_id"] == "s3" and rows[5]["question"] == "" and rows[5]["status"] == "abandoned"


def test_json_is_exactly_the_session_documents(tmp_path):
    data = sessions()
    path = write_json(data, tmp_path / "out.json")
    docs = json.loads(path.read_text(encoding="utf-8"))
    assert docs == [encode_session(s) for s in data]
    assert [decode_session(d) for d in docs] == data


def test_markdown_report_lists_every_question_and_escapes_people_text(tmp_path):
    data = sessions()
    path = write_markdown(data, tmp_path / "out.md")
    text = path.read_text(encoding="utf-8")
    for session in data:
        assert session.candidate in text
        for answer in session.answers:
            assert f"Q{answer.index + 1}. {answer.question.text}" in text
    assert "Strong example, no numbers." in text and "by rita" in text
    assert "**Overall score:** 81 / 100" in text
    assert "I \\*love\\* \\<b\\>data\\</b\\> \\| pipes" in text  # no markup from an answer
    assert "<b>" not in text
    assert "*No answers were recorded.*" in text


def test_pdf_report_is_a_real_pdf(qapp, tmp_path):
    path = write_report("pdf", sessions(), tmp_path / "out.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert len(data) > 1024
    assert not list(tmp_path.glob(".*.tmp"))  # the temp file was renamed, not left behind
    text = pdf_text(path)  # what a reader sees: the answers are there as text
    assert all(a.text.split()[0] in text for s in sessions() for a in s.answers if a.text.split())


# Keys in exports: tests/ui/test_cloud_app.py::test_exports_never_contain_the_keys_in_use puts real keys
# where a leak could happen (environment, typed into Settings, keyring) and reads every export back,
# the PDF as text.


def test_writing_into_a_missing_folder_is_a_report_error(qapp, tmp_path):
    for fmt in ("csv", "json", "markdown", "pdf"):
        with pytest.raises(ReportError, match="could not write"):
            write_report(fmt, sessions(), tmp_path / "no" / "such" / f"out.{fmt}")
    with pytest.raises(ValueError, match="unknown export format"):
        write_report("docx", sessions(), tmp_path / "out.docx")


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_text("previous")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("interview_desktop.reports.errors.os.replace", broken_replace)
    with pytest.raises(ReportError, match="disk is full"):
        write_csv(sessions(), path)
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_session_stats_from_the_report_and_from_the_answers():
    session = sessions()[0]
    stats = session_stats(session)
    assert stats.overall == 81
    assert stats.parts == {k: float(v) for k, v in session.report["part_averages"].items()}
    assert stats.words_per_minute == session.report["average_wpm"]
    assert stats.rating == 5 and stats.answer_rating == 4.0
    # without a report (an interrupted session) the numbers come from the answers
    bare = replace(session, report=None)
    computed = session_stats(bare)
    scores = [answer_score(a) for a in session.answers]
    assert computed.overall == pytest.approx(sum(scores) / len(scores))
    assert computed.words_per_minute == pytest.approx(session.report["average_wpm"], abs=0.1)
    assert computed.pause_count == session.report["total_pauses"]


def test_compare_rows_put_sessions_side_by_side():
    data = sessions()
    rows = dict(compare_rows(data))
    assert rows["Candidate"] == ["Ada Lovelace", "Chloé Dubois", "Bob Smith"]
    assert rows["Overall score"] == ["81", "64", "—"]
    assert rows["Recruiter rating (session)"] == ["5 / 5", "—", "—"]
    assert rows["Questions answered"][2] == "0 of 5"
    assert rows["Relevance"][0] == str(data[0].report["part_averages"]["relevance"])
    assert "Pace (words per minute)" in rows and "Fillers per 100 words" in rows


def test_provenance_in_words():
    session = sessions()[0]
    voice, typed = session.answers[0], session.answers[1]
    assert provenance_text(voice) == (
        "speech-to-text: whisper-tiny.en · voice: pyttsx3 · questions: bank · scoring: offline"
    )
    assert provenance_text(typed).startswith("typed · ")
    cloud = replace(voice, provenance=Provenance(voice="elevenlabs", stt="groq-whisper", cloud=True))
    assert provenance_text(cloud).endswith("· cloud")
    skipped = replace(voice, input=AnswerInput.SKIPPED, provenance=Provenance(), evaluation=None)
    assert provenance_text(skipped) == "—"


def test_markdown_report_of_nothing():
    assert "0 sessions" in markdown_report([])
