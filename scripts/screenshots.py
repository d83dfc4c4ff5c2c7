"""Screenshots of the real window for the README (offscreen, or under a virtual X screen).

    eval "$(scripts/test-services.sh start)"   # the virtual microphone, for the spoken answer
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py

The interview screenshot is a spoken answer: Piper's voice plays a real answer into the virtual
microphone and the window is taken while the app transcribes it (live captions, "You" talking).
Then a typed interview with real answers of the scoring set gives the report; a temporary data
folder seeded with sample sessions gives the history; and the settings. Saves
docs/screenshots/{interview,report,history,settings}.png.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from interview_desktop.app import InterviewApplication  # noqa: E402
from interview_desktop.audio.wav import write_wav  # noqa: E402
from interview_desktop.cli import build_parser  # noqa: E402
from interview_desktop.config.settings import SettingsStore  # noqa: E402
from interview_desktop.domain import EngineState, InterviewRequest  # noqa: E402
from interview_desktop.providers.brains.question_bank import QuestionBank  # noqa: E402
from tests.reports.factories import scored, seed_store  # noqa: E402
from tests.scoring_set import load_cases  # noqa: E402
from tests.storage.factories import make_sessions  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition, timeout_ms: int = 10000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:
        settle(50)
        waited += 50


def interview_plan() -> list[tuple[object, str]]:
    """Three Software Engineer questions with answers of our labelled scoring set: two strong, one weak
    (real answers, so the report shows what the scorer really says)."""
    cases = [c for c in load_cases() if c.question.role == "Software Engineer" and c.question.covers]
    strong = [c for c in cases if c.kind == "strong"][:2]
    asked = {c.question.id for c in strong}
    weak = next(c for c in cases if c.kind == "vague" and c.question.id not in asked)
    return [(c.question, c.text) for c in (*strong, weak)]


def spoken_answer_screenshot(tmp: Path, plan: list[tuple[object, str]]) -> None:
    """interview.png: the first question answered aloud through the virtual microphone, taken once
    the captions hold a few sentences and the candidate is still speaking."""
    from tests.speech import piper_clip

    if os.environ.get("INTERVIEW_TEST_VMIC") != "1":
        sys.exit('the virtual microphone is not running: eval "$(scripts/test-services.sh start)" first')
    args = build_parser().parse_args(["--data-dir", str(tmp / "voice"), "--candidate", "Ada Lovelace",
                                      "--role", "Software Engineer", "--questions", str(len(plan))])
    store = SettingsStore(tmp / "voice-settings.json")
    app = InterviewApplication(args, store.load(), store, QuestionBank.load())
    win, tab = app.window, app.window.interview_tab
    win.resize(1200, 820)
    app.show()
    tab.candidate_edit.setText("Ada Lovelace")
    tab.start_requested.emit(InterviewRequest("Ada Lovelace", "Software Engineer", len(plan),
                                              questions=tuple(q for q, _ in plan)))
    wait_for(lambda: tab._state is EngineState.LISTENING, 60_000)
    wav = write_wav(tmp / "answer.wav", piper_clip(plan[0][1], lead_s=0.5, tail_s=0.5))
    player = subprocess.Popen(["paplay", "--device=vspk", str(wav)])
    wait_for(lambda: len(tab.caption_label.text().split()) >= 30 and not tab.caption_final, 90_000)
    settle(200)
    win.grab().save(str(OUT / "interview.png"))
    player.wait(120)
    app.shutdown()


def main() -> int:
    qt = QApplication.instance() or QApplication(sys.argv)
    tmp = Path(tempfile.mkdtemp(prefix="screens-"))
    OUT.mkdir(parents=True, exist_ok=True)
    spoken_answer_screenshot(tmp, interview_plan())
    data = tmp / "data"
    seed_store(data, [scored(s) for s in make_sessions(24, seed=3)])
    args = build_parser().parse_args(["--data-dir", str(data), "--typed", "--candidate", "Ada Lovelace",
                                      "--role", "Software Engineer", "--questions", "3"])
    store = SettingsStore(tmp / "settings.json")
    app = InterviewApplication(args, store.load(), store, QuestionBank.load())
    win = app.window
    win.resize(1200, 820)
    app.show()
    tab = win.interview_tab
    plan = interview_plan()
    questions = []
    app.engine.question_asked.connect(lambda prompt: questions.append(prompt.question))
    tab.start_requested.emit(InterviewRequest("Ada Lovelace", "Software Engineer", len(plan),
                                              questions=tuple(q for q, _ in plan)))
    for n, (_question, answer) in enumerate(plan):
        wait_for(lambda n=n: tab.submit_button.isEnabled() and len(questions) > n)
        tab.answer_edit.setPlainText(answer)
        tab.submit_button.click()
        settle(300)
    wait_for(lambda: win.tabs.currentWidget() is win.report_view)
    settle()
    win.grab().save(str(OUT / "report.png"))
    win.tabs.setCurrentWidget(win.history_tab)
    wait_for(lambda: win.history_tab.model.rowCount() > 3)
    win.history_tab.table.selectRow(1)
    settle(800)
    win.grab().save(str(OUT / "history.png"))
    win.tabs.setCurrentWidget(win.settings_tab)
    settle(800)
    win.grab().save(str(OUT / "settings.png"))
    app.shutdown()
    qt.quit()
    print("saved", *sorted(p.name for p in OUT.glob("*.png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
