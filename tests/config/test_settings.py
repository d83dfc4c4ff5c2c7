"""A settings file never stops the app: bad fields are repaired one by one, the bad file is kept."""

from __future__ import annotations

import json

import pytest

from interview_desktop.config.settings import LIMITS, Settings, SettingsStore


@pytest.fixture
def store(tmp_path):
    return SettingsStore(tmp_path / "settings.json")


def write(store: SettingsStore, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    store.path.write_bytes(data)


def test_no_file_is_the_defaults_without_a_message(store):
    assert store.load() == Settings() and store.message() is None


def test_a_good_file_is_read_as_it_is(store):
    store.save(Settings(candidate="Ada", follow_ups=2, voice_speed=1.5))
    assert store.load() == Settings(candidate="Ada", follow_ups=2, voice_speed=1.5)
    assert store.message() is None and not store.bad_copy.exists()


def test_an_out_of_range_field_is_repaired_alone_and_the_bad_file_kept(store):
    original = json.dumps({"candidate": "Ada", "follow_ups": 7, "question_count": 3})
    write(store, original)
    settings = store.load()
    assert settings.follow_ups == Settings().follow_ups  # repaired
    assert settings.candidate == "Ada" and settings.question_count == 3  # the rest kept
    assert store.bad_copy.read_text() == original  # kept beside it for support
    assert json.loads(store.path.read_text())["follow_ups"] == Settings().follow_ups  # written back
    message = store.message()
    assert "follow_ups was 7, outside 0–2" in message and "settings.json.bad" in message
    assert SettingsStore(store.path).load() == settings  # the repaired file loads cleanly


@pytest.mark.parametrize(("content", "why"), [
    ('{"candidate": "Ada", "question_co', "damaged"),  # truncated
    (b"\xff\xfe\x00garbage", "damaged"),  # not text
    ("[1, 2, 3]", "does not hold settings"),  # wrong schema
    ("", "damaged"),  # empty
])
def test_a_corrupt_or_truncated_file_starts_on_the_defaults_and_says_so(store, content, why):
    write(store, content)
    assert store.load() == Settings()
    assert why in store.message()
    assert store.bad_copy.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("question_count", 0), ("question_count", "5"), ("voice_speed", float("nan")),
    ("voice_speed", 99), ("offline_voice", "robot"), ("speech_model", "large-v9"),
    ("turn_taking", None), ("keep_audio", "yes"), ("retention_days", -1), ("follow_ups", True),
    ("candidate", {"name": "Ada"}), ("max_answer_s", 1e9), ("hangover_s", [1.5]),
])
def test_every_kind_of_bad_value_falls_back_to_the_default(store, field, value):
    doc = {field: value}
    store.path.write_text(json.dumps(doc) if value == value else f'{{"{field}": NaN}}')
    assert getattr(store.load(), field) == getattr(Settings(), field)
    assert field in store.message()


def test_every_limited_field_exists_and_its_default_is_within_its_limits():
    defaults = Settings()
    for name, limits in LIMITS.items():
        value = getattr(defaults, name)
        assert value in limits if isinstance(limits[0], str) else limits[0] <= value <= limits[1], name


def test_a_huge_file_is_refused_field_by_field_not_fatally(store):
    write(store, json.dumps({"candidate": "x" * 1_000_000, "role": "Sales"}))
    settings = store.load()
    assert settings.candidate == "" and settings.role == "Sales"


def test_the_window_says_what_was_repaired_and_the_app_works_on(make_app, tmp_path):
    store = SettingsStore(tmp_path / "settings.json")  # the file make_app's app reads
    store.path.write_text('{"follow_ups": 7, "candidate": "Ada"}', encoding="utf-8")
    app = make_app()
    assert app.window.alert.isVisibleTo(app.window)
    assert "follow_ups was 7" in app.window.alert_label.text()
    assert app.window.interview_tab.candidate_edit.text() == "Ada"
    assert store.bad_copy.exists()


def test_every_speech_model_the_app_knows_is_a_valid_setting_and_nothing_else():
    from interview_desktop.config.settings import LIMITS
    from interview_desktop.providers.stt.models import ALL_MODELS

    assert set(LIMITS["speech_model"]) == set(ALL_MODELS)
