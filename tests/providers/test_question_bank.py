import random
from collections import Counter

import pytest

from interview_desktop.providers.brains.question_bank import QuestionBank, UnknownRoleError


@pytest.fixture(scope="module")
def bank():
    return QuestionBank.load()


def test_bank_has_at_least_six_roles(bank):
    assert len(bank.roles) >= 6


@pytest.mark.parametrize("seed", range(20))
def test_choice_mixes_kinds_and_never_repeats(bank, seed):
    for role in bank.roles:
        chosen = bank.choose(role.id, 5, random.Random(seed))
        assert len(chosen) == 5 and len({q.id for q in chosen}) == 5
        kinds = Counter(q.kind for q in chosen)
        assert len(kinds) >= 3, (role.id, kinds)


def test_role_lookup_by_title_or_id_ignores_case(bank):
    assert bank.role("software engineer").id == bank.role("SOFTWARE_ENGINEER").id


def test_unknown_role_lists_the_known_ones(bank):
    with pytest.raises(UnknownRoleError, match="choose one of: .*Sales"):
        bank.role("Astronaut")


def test_more_questions_than_the_role_has_are_topped_up_without_repeats(bank):
    role = bank.roles[0]
    chosen = bank.choose(role.id, len(role.questions) + 3, random.Random(0))
    assert len(chosen) == len(role.questions) + 3
    assert len({q.text for q in chosen}) == len(chosen)


def test_unreadable_file_is_skipped(tmp_path, caplog):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "ok.json").write_text(
        '{"role": "Tester", "id": "tester", "questions": '
        '[{"id": "t-1", "kind": "technical", "text": "What is a test?", "covers": ["a check"]}]}'
    )
    bank = QuestionBank.load(tmp_path)
    assert [r.id for r in bank.roles] == ["tester"]
    assert "bad.json" in caplog.text
