"""The built-in question bank (resources/questions/*.json) and question selection."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from interview_desktop.domain import Question, QuestionKind
from interview_desktop.errors import InterviewDesktopError
from interview_desktop.resources import resource_path

log = logging.getLogger("interview_desktop.engine.questions")


class QuestionBankError(InterviewDesktopError):
    """The question bank is missing or cannot be read."""


class UnknownRoleError(QuestionBankError):
    pass


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    description: str
    questions: tuple[Question, ...]


class QuestionBank:
    def __init__(self, roles: Sequence[Role]):
        if not roles:
            raise QuestionBankError("the question bank is empty")
        self._roles = {r.id: r for r in roles}
        self._by_id = {q.id: q for r in roles for q in r.questions}

    @classmethod
    def load(cls, folder: Path | None = None) -> QuestionBank:
        folder = folder or resource_path("questions")
        roles = []
        for path in sorted(folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                title = data["role"]
                questions = tuple(
                    Question(
                        id=q["id"],
                        text=q["text"],
                        kind=QuestionKind(q["kind"]),
                        role=title,
                        covers=tuple(q.get("covers", ())),
                    )
                    for q in data["questions"]
                )
                roles.append(Role(data["id"], title, data.get("description", ""), questions))
            except (OSError, ValueError, KeyError, TypeError) as err:
                log.warning("skipping unreadable question file %s: %s", path, err)
        if not roles:
            raise QuestionBankError(f"no question files found in {folder}")
        return cls(roles)

    @property
    def roles(self) -> list[Role]:
        return sorted(self._roles.values(), key=lambda r: r.title)

    def role(self, name: str) -> Role:
        """Find a role by id or title, case-insensitively."""
        wanted = name.strip().lower()
        for role in self._roles.values():
            if wanted in (role.id.lower(), role.title.lower()):
                return role
        known = ", ".join(r.title for r in self.roles)
        raise UnknownRoleError(f"unknown role {name!r}; choose one of: {known}")

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def choose(self, role_name: str, count: int, rng: random.Random | None = None) -> list[Question]:
        """Pick ``count`` distinct questions, mixing kinds (round-robin over shuffled kinds).

        When the role has fewer questions than asked for, the general behavioural pool tops it up.
        """
        rng = rng or random.Random()
        role = self.role(role_name)
        pools: dict[QuestionKind, list[Question]] = {}
        for q in role.questions:
            pools.setdefault(q.kind, []).append(q)
        for pool in pools.values():
            rng.shuffle(pool)
        kinds = list(pools)
        rng.shuffle(kinds)
        chosen: list[Question] = []
        while len(chosen) < count and any(pools.values()):
            for kind in kinds:
                if pools[kind] and len(chosen) < count:
                    chosen.append(pools[kind].pop())
        if len(chosen) < count:
            seen = {q.text for q in chosen}
            extra = [q for r in self._roles.values() for q in r.questions if q.text not in seen]
            rng.shuffle(extra)
            chosen.extend(extra[: count - len(chosen)])
        return chosen
