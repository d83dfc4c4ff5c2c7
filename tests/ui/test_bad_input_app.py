"""Bad input in the assembled app: unicode, a 10,000-word answer and a 100 KB job description; a disk
that fills up during the interview. A clear message, no crash, nothing lost."""

from __future__ import annotations

from interview_desktop.domain import SessionStatus
from tests.ui.test_typed_interview import answer


def test_unicode_and_a_10000_word_typed_answer_and_a_100_kb_job_description(qtbot, make_app):
    app = make_app("--candidate", "Zoë 李 — O'Brien", "--questions", "2")
    app.window.interview_tab.job_edit.setPlainText("Backend engineer, Python. " * 4000)  # ~100 KB
    app.show()
    with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
        app.window.interview_tab.start_button.click()
    answer(qtbot, app, "J'ai dirigé l'équipe 🚀 — 我们把延迟降低了 40%. "
                       "Ünïcödé “quotes” and \u202eRTL\u202c.")
    long_answer = " ".join(["I measured the latency and cut it by forty percent."] * 1000)  # 10,000 words
    with qtbot.waitSignal(app.engine.session_finished, timeout=60_000) as finished:
        answer(qtbot, app, long_answer)
    session = finished.args[0]
    assert session.status is SessionStatus.COMPLETED and len(session.job_description) >= 100_000
    assert session.answers[0].text.startswith("J'ai dirigé l'équipe 🚀")
    assert len(session.answers[1].text.split()) == 10_000 and session.answers[1].evaluation is not None
    stored = app.repository.get(session.id)
    assert stored is not None and stored.answers[1].text == long_answer  # nothing cut or lost


def test_a_full_disk_says_so_keeps_the_answers_and_saves_them_once_there_is_room(
        qtbot, small_tmpfs):
    from interview_desktop.app import InterviewApplication
    from interview_desktop.cli import build_parser
    from interview_desktop.config.settings import SettingsStore
    from interview_desktop.providers.brains.question_bank import QuestionBank

    small_data_disk = small_tmpfs("1m")
    data = small_data_disk / "data"
    args = build_parser().parse_args(["--typed", "--data-dir", str(data), "--questions", "3"])
    store = SettingsStore(small_data_disk.parent / "settings.json")
    app = InterviewApplication(args, store.load(), store, QuestionBank.load())
    qtbot.addWidget(app.window)
    try:
        notices = []
        app.engine.notice.connect(lambda n: notices.append(n.text))
        app.show()
        with qtbot.waitSignal(app.engine.question_asked, timeout=5000):
            app.window.interview_tab.start_button.click()
        filler = small_data_disk / "filler.bin"
        # fill the disk to the last byte; unbuffered, so closing has nothing left to flush (a buffered
        # close re-flushes the bytes that did not fit and raises ENOSPC itself)
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError:
                pass
        answer(qtbot, app, "I rewrote our deploy pipeline and cut release time from 2 hours to 15 minutes.")
        qtbot.waitUntil(lambda: any("retried" in n for n in notices), timeout=10_000)
        message = next(n for n in notices if "retried" in n)
        assert "no space left" in message.lower() or "disk" in message.lower(), message
        filler.unlink()  # room again: the next save writes everything
        with qtbot.waitSignal(app.engine.session_finished, timeout=20_000) as finished:
            answer(qtbot, app, "I would first reproduce the bug and read the logs.")
            answer(qtbot, app, "Because I enjoy mentoring and shipping reliable software.")
        stored = app.repository.get(finished.args[0].id)
        assert stored is not None and len(stored.answers) == 3  # nothing lost
        assert any("saved again" in n for n in notices)
    finally:
        app.shutdown()
