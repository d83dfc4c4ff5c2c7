"""The Interview tab: set up an interview, see the question, answer it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from interview_desktop.domain import Answer, AnswerInput, EngineState, InterviewRequest, QuestionPrompt
from interview_desktop.engine.turn import TurnPhase, TurnStatus

STATE_TEXT = {
    EngineState.IDLE: "Ready",
    EngineState.ASKING: "Speaking…",
    EngineState.LISTENING: "Listening… (answer aloud, or type)",
    EngineState.TRANSCRIBING: "Transcribing…",
    EngineState.EVALUATING: "Evaluating…",
    EngineState.FINISHED: "Interview finished",
}


TURN_TEXT = {
    TurnPhase.LISTENING: "Hearing you… (pause when you're done, or press Space)",
    TurnPhase.PAUSED: "Still listening… paused {pause:.1f} s (press Space if you're done)",
    TurnPhase.THINKING: "Thinking…",
}


#: who has the floor, shown in a coloured pill beside the question: (text, colour)
#: (glyphs every desktop font has, DejaVu included: emoji fonts are not everywhere)
TALKER_INTERVIEWER = ("▶  Interviewer speaking", "#3465a4")
TALKER_YOUR_TURN = ("●  Your turn", "#4e9a06")
TALKER_YOU = ("●  You", "#4e9a06")
TALKER_PAUSED = ("‖  Still listening · {pause:.0f} s", "#8f5902")
TALKER_THINKING = ("⋯  Interviewer thinking", "#75507b")
TALKER_TYPED = ("⌨  Your turn (type)", "#4e9a06")


def _answer_line(answer: Answer) -> str:
    shown = "(skipped)" if answer.input is AnswerInput.SKIPPED else answer.text
    return f"Q{answer.index + 1}. {answer.question.text}\n→ {shown}"


class InterviewTab(QWidget):
    """Signals:
        start_requested(InterviewRequest)
        answer_submitted(str)
        skip_requested()
        end_requested()
        done_requested()       the spoken answer is over (the "Done" button / Space key)
        repeat_requested()
        resume_requested(str)  go on with the unfinished interview (session id)
        keep_incomplete_requested(str)   do not resume it: keep it as incomplete
    """

    start_requested = Signal(object)
    answer_submitted = Signal(str)
    skip_requested = Signal()
    end_requested = Signal()
    done_requested = Signal()
    repeat_requested = Signal()
    resume_requested = Signal(str)
    keep_incomplete_requested = Signal(str)

    def __init__(self, roles: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.candidate_edit = QLineEdit(placeholderText="Your name")
        self.role_combo = QComboBox()
        self.role_combo.addItems(list(roles))
        self.count_spin = QSpinBox(minimum=1, maximum=20, value=5)
        self.start_button = QPushButton("Start interview")
        self.end_button = QPushButton("End interview")
        self.end_button.setEnabled(False)

        self.job_edit = QPlainTextEdit(placeholderText="Paste a job description to tailor the questions "
                                       "(needs a Groq key; offline, the role's question bank is used)")
        self.cv_edit = QPlainTextEdit(placeholderText="Paste the candidate's CV (optional)")
        for edit in (self.job_edit, self.cv_edit):
            edit.setMaximumHeight(70)
        setup = QGroupBox("New interview")
        form = QFormLayout(setup)
        form.addRow("Candidate", self.candidate_edit)
        form.addRow("Role", self.role_combo)
        form.addRow("Questions", self.count_spin)
        form.addRow("Job description", self.job_edit)
        form.addRow("CV", self.cv_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addStretch()
        form.addRow(buttons)

        # during an interview the setup collapses to one line: candidate · role · n questions
        self.setup_group = setup
        self.setup_summary = QLabel("")
        self.setup_summary.setObjectName("setupSummary")
        self.setup_summary.hide()
        self.elapsed_label = QLabel("")  # how long the current answer has taken
        self.elapsed_label.setAccessibleName("Time on this answer")
        self._elapsed = QElapsedTimer()
        self._elapsed_timer = QTimer(self, interval=500)
        self._elapsed_timer.timeout.connect(self._on_elapsed_timer_timeout)
        self.progress_label = QLabel("")
        self.state_label = QLabel(STATE_TEXT[EngineState.IDLE])
        self.state_label.setObjectName("stateLabel")
        self.talker_label = QLabel("")  # who is talking: the interviewer, you, still listening…
        self.talker_label.setObjectName("whoIsTalking")
        talker_font = QFont(self.talker_label.font())
        talker_font.setPointSizeF(talker_font.pointSizeF() * 1.15)
        talker_font.setBold(True)
        self.talker_label.setFont(talker_font)
        self.talker_label.hide()
        self._voice_answers = True
        self.question_label = QLabel("Pick a role and press Start.")
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.question_label.font())
        font.setPointSize(max(18, font.pointSize() + 8))
        self.question_label.setFont(font)
        self.question_label.setMinimumHeight(90)
        self.caption_label = QLabel("")  # the words of the spoken answer so far (a draft until final)
        self.caption_label.setObjectName("captionLabel")
        self.caption_label.setWordWrap(True)
        self.caption_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption_final = False

        self.answer_edit = QPlainTextEdit(placeholderText="Type your answer here (Ctrl+Enter to submit)")
        self.submit_button = QPushButton("Submit answer")
        self.skip_button = QPushButton("Skip question")
        answer_buttons = QHBoxLayout()
        answer_buttons.addWidget(self.submit_button)
        answer_buttons.addWidget(self.skip_button)
        answer_buttons.addStretch()

        self.level_meter = QProgressBar(minimum=0, maximum=100, textVisible=False)
        self.level_meter.setMaximumHeight(10)
        self.level_meter.setToolTip("Microphone level")
        self.done_button = QPushButton("Done (Space)")
        self.done_button.setToolTip("End your spoken answer now")
        self.repeat_button = QPushButton("Repeat question")
        voice_row = QHBoxLayout()
        voice_row.addWidget(QLabel("Mic"))
        voice_row.addWidget(self.level_meter, 1)
        voice_row.addWidget(self.done_button)
        voice_row.addWidget(self.repeat_button)
        voice_row.addWidget(self.end_button)  # here, not in the setup form: that collapses when it starts

        self.transcript_list = QListWidget()
        self.transcript_list.setWordWrap(True)

        status_row = QHBoxLayout()
        status_row.addWidget(self.progress_label)
        status_row.addWidget(self.talker_label)
        status_row.addStretch()
        status_row.addWidget(self.elapsed_label)
        status_row.addWidget(self.state_label)

        # an interview that stopped before its end (the app was closed or crashed) can be resumed
        self.resume_box = QFrame(objectName="resumeBox", frameShape=QFrame.Shape.StyledPanel)
        self.resume_label = QLabel(wordWrap=True)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setAccessibleName("Resume the unfinished interview")
        self.keep_button = QPushButton("Keep it as incomplete")
        resume_row = QHBoxLayout(self.resume_box)
        resume_row.addWidget(self.resume_label, 1)
        resume_row.addWidget(self.resume_button)
        resume_row.addWidget(self.keep_button)
        self.resume_box.hide()
        self._unfinished_id = ""

        layout = QVBoxLayout(self)
        layout.addWidget(self.resume_box)
        layout.addWidget(setup)
        layout.addWidget(self.setup_summary)
        layout.addLayout(status_row)
        layout.addWidget(self.question_label)
        layout.addWidget(self.caption_label)
        layout.addLayout(voice_row)
        layout.addWidget(self.answer_edit, 2)
        layout.addLayout(answer_buttons)
        layout.addWidget(QLabel("Answers so far"))
        layout.addWidget(self.transcript_list, 1)

        self.start_button.clicked.connect(self._on_start_clicked)
        self.end_button.clicked.connect(self.end_requested)
        self.submit_button.clicked.connect(self._on_submit_clicked)
        self.skip_button.clicked.connect(self.skip_requested)
        self.done_button.clicked.connect(self.done_requested)
        self.repeat_button.clicked.connect(self.repeat_requested)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.keep_button.clicked.connect(self._on_keep_clicked)
        QShortcut(QKeySequence("Ctrl+Return"), self.answer_edit, activated=self._on_submit_clicked)
        # Space ends a spoken answer, R repeats the question, S skips it, Esc ends the interview (after
        # asking); a text box with the focus takes its own keys (typing "r" or "s" types them)
        for key, button in ((Qt.Key.Key_Space, self.done_button), (Qt.Key.Key_R, self.repeat_button),
                            (Qt.Key.Key_S, self.skip_button)):
            QShortcut(QKeySequence(key), self, activated=lambda b=button: b.isEnabled() and b.click())
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self._on_escape_pressed)
        self.done_button.setText("Done (Space)")
        self.repeat_button.setText("Repeat (R)")
        self.skip_button.setText("Skip (S)")
        self.end_button.setText("End interview (Esc)")
        self.submit_button.setText("Submit answer (Ctrl+Enter)")
        for widget, name in ((self.candidate_edit, "Candidate name"), (self.role_combo, "Role"),
                             (self.count_spin, "Number of questions"), (self.job_edit, "Job description"),
                             (self.cv_edit, "CV"), (self.start_button, "Start the interview"),
                             (self.end_button, "End the interview"), (self.answer_edit, "Your typed answer"),
                             (self.submit_button, "Submit the typed answer"),
                             (self.skip_button, "Skip this question"), (self.done_button, "Done answering"),
                             (self.repeat_button, "Repeat the question"),
                             (self.level_meter, "Microphone level"),
                             (self.question_label, "Question"), (self.caption_label, "Your words so far"),
                             (self.transcript_list, "Answers so far"), (self.state_label, "Status"),
                             (self.talker_label, "Who is talking")):
            widget.setAccessibleName(name)
        self._state = EngineState.IDLE
        self._answer_items: dict[int, QListWidgetItem] = {}
        self.done_button.setEnabled(False)
        self.repeat_button.setEnabled(False)
        self._set_answering(False)

    # ----------------------------------------------------------------- user actions
    def request(self) -> InterviewRequest:
        return InterviewRequest(
            candidate=self.candidate_edit.text().strip(),
            role=self.role_combo.currentText(),
            question_count=self.count_spin.value(),
            job_description=self.job_edit.toPlainText().strip(),
            cv_text=self.cv_edit.toPlainText().strip(),
        )

    @Slot()
    def _on_start_clicked(self) -> None:
        self.transcript_list.clear()
        self._answer_items.clear()
        self.start_requested.emit(self.request())

    @Slot()
    def _on_resume_clicked(self) -> None:
        self.resume_box.hide()
        self.transcript_list.clear()
        self._answer_items.clear()
        self.resume_requested.emit(self._unfinished_id)

    @Slot()
    def _on_keep_clicked(self) -> None:
        self.resume_box.hide()
        self.keep_incomplete_requested.emit(self._unfinished_id)

    @Slot()
    def _on_escape_pressed(self) -> None:
        if not self.end_button.isEnabled():
            return
        answer = QMessageBox.question(self, "End the interview",
                                      "End the interview now? Your answers so far are saved.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.end_requested.emit()

    @Slot()
    def _on_elapsed_timer_timeout(self) -> None:
        seconds = self._elapsed.elapsed() // 1000 if self._elapsed.isValid() else 0
        self.elapsed_label.setText(f"{seconds // 60}:{seconds % 60:02d}")

    @Slot()
    def _on_submit_clicked(self) -> None:
        if self.submit_button.isEnabled():
            self.answer_submitted.emit(self.answer_edit.toPlainText())

    # ----------------------------------------------------------------- engine updates
    @Slot(object)
    def show_unfinished(self, found) -> None:
        """Offer to resume an interview that stopped before its end (None: nothing to offer)."""
        if found is None or self._state not in (EngineState.IDLE, EngineState.FINISHED):
            return self.resume_box.hide()
        self._unfinished_id = found.session.id
        self.resume_label.setText(f"{found.offer}?")
        self.resume_box.show()

    @Slot(object)
    def show_state(self, state: EngineState) -> None:
        self._state = state
        self.state_label.setText(STATE_TEXT.get(state, state.value))
        self.done_button.setEnabled(state is EngineState.LISTENING)
        self.repeat_button.setEnabled(state in (EngineState.ASKING, EngineState.LISTENING))
        if state is not EngineState.LISTENING:
            self.level_meter.setValue(0)
        running = state not in (EngineState.IDLE, EngineState.FINISHED)
        if running:
            self.resume_box.hide()
        self.setup_group.setVisible(not running)
        self.setup_summary.setVisible(running)
        if state is EngineState.LISTENING and not self._elapsed_timer.isActive():
            self._elapsed.start()
            self._elapsed_timer.start()
            self._on_elapsed_timer_timeout()
        elif state not in (EngineState.LISTENING, EngineState.TRANSCRIBING):
            self._elapsed_timer.stop()
            self._elapsed.invalidate()
            self.elapsed_label.setText("")
        self.start_button.setEnabled(not running)
        self.end_button.setEnabled(running)
        for widget in (self.candidate_edit, self.role_combo, self.count_spin, self.job_edit, self.cv_edit):
            widget.setEnabled(not running)
        self._set_answering(state in (EngineState.ASKING, EngineState.LISTENING))
        if state is EngineState.FINISHED:
            self.question_label.setText("Interview finished — see the History tab for the session.")
            self.progress_label.setText("")
        self._show_talker({EngineState.ASKING: TALKER_INTERVIEWER,
                           EngineState.LISTENING: TALKER_YOUR_TURN if self._voice_answers else TALKER_TYPED,
                           EngineState.TRANSCRIBING: TALKER_THINKING,
                           EngineState.EVALUATING: TALKER_THINKING}.get(state))

    def set_voice_answers(self, on: bool) -> None:
        """Whether answers are spoken (the microphone is on) or typed: what "your turn" says."""
        self._voice_answers = on

    def _show_talker(self, talker: tuple[str, str] | None, pause: float = 0.0) -> None:
        if talker is None:
            return self.talker_label.hide()
        text, colour = talker
        self.talker_label.setText(text.format(pause=pause))
        self.talker_label.setStyleSheet(f"color: white; background: {colour}; border-radius: 6px; "
                                        "padding: 2px 10px;")
        self.talker_label.show()

    @Slot(object)
    def show_question(self, prompt: QuestionPrompt) -> None:
        self.progress_label.setText(f"Question {prompt.index + 1} of {prompt.total}")
        candidate = self.candidate_edit.text().strip() or "Anonymous"
        role = prompt.question.role or self.role_combo.currentText()
        self.setup_summary.setText(f"{candidate} · {role} · {prompt.total} questions")
        self.question_label.setText(prompt.question.text)
        self.show_caption("", False)
        self.answer_edit.clear()
        self.done_button.setFocus()  # so Space ends the spoken answer; click the box to type

    @Slot(object)
    def practise(self, question) -> None:
        """Start a one-question session on ``question`` ("Practise this question again")."""
        self.transcript_list.clear()
        self._answer_items.clear()
        self.start_requested.emit(
            InterviewRequest(
                candidate=self.candidate_edit.text().strip(),
                role=question.role,
                question_count=1,
                questions=(question,),
            )
        )

    @Slot(object)
    def show_evaluation(self, answer: Answer) -> None:
        item = self._answer_items.get(answer.index)
        if item is not None and answer.evaluation is not None:
            item.setText(f"{_answer_line(answer)}\n   score {answer.evaluation.overall}/100")

    @Slot(object)
    def show_answer(self, answer: Answer) -> None:
        """An answer was saved (again, when the candidate went on: the same row is updated)."""
        item = self._answer_items.get(answer.index)
        if item is None:
            item = self._answer_items[answer.index] = QListWidgetItem()
            self.transcript_list.addItem(item)
        item.setText(_answer_line(answer))
        self.transcript_list.scrollToBottom()

    @Slot(str, bool)
    def show_caption(self, text: str, final: bool) -> None:
        """The words heard so far: italic with a trailing "…" while a draft, plain once final (in the
        text colour either way: a grey draft was hard to read on both themes)."""
        self.caption_final = final
        self.caption_label.setText(text if final or not text else f"{text} …")
        self.caption_label.setStyleSheet("" if final else "font-style: italic;")

    @Slot(object)
    def show_turn(self, status: TurnStatus) -> None:
        if self._state is not EngineState.LISTENING and status.phase is not TurnPhase.THINKING:
            return
        self.state_label.setText(TURN_TEXT[status.phase].format(pause=status.pause_s))
        talker = {TurnPhase.LISTENING: TALKER_YOU, TurnPhase.PAUSED: TALKER_PAUSED,
                  TurnPhase.THINKING: TALKER_THINKING}[status.phase]
        if status.phase is not TurnPhase.LISTENING or self.talker_label.text() != TALKER_YOUR_TURN[0]:
            self._show_talker(talker, status.pause_s)  # "You" once speech has started (below)

    @Slot(float)
    def show_level(self, level: float) -> None:
        self.level_meter.setValue(round(level * 100) if self._state is EngineState.LISTENING else 0)

    @Slot()
    def show_speech_started(self) -> None:
        if self._state is not EngineState.LISTENING:
            return
        self.state_label.setText("Hearing you… (pause when you're done, or press Space)")
        self._show_talker(TALKER_YOU)

    def _set_answering(self, enabled: bool) -> None:
        self.answer_edit.setEnabled(enabled)
        self.submit_button.setEnabled(enabled)
        self.skip_button.setEnabled(enabled)
