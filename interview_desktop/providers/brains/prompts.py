"""LLM prompts: files in ``resources/prompts/`` with ``{placeholder}`` substitution.

Only ``{lower_snake_case}`` names are placeholders, so JSON examples in a prompt (``{"key": …}``)
are left alone. Substitution is a single pass: a value that itself contains ``{name}`` (a CV, an
answer) is inserted as is. A placeholder without a value is a bug (KeyError).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from interview_desktop.errors import describe_os_error
from interview_desktop.providers.base import ProviderUnavailable
from interview_desktop.resources import resource_path

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@functools.cache
def load_prompt(name: str) -> str:
    """The text of ``resources/prompts/<name>``; ProviderUnavailable when the file is missing."""
    path = resource_path("prompts", name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise ProviderUnavailable(
            f"the prompt file {path} cannot be read ({describe_os_error(err)}); reinstall Interview Desktop"
        ) from err


def placeholders(template: str) -> set[str]:
    return set(PLACEHOLDER.findall(template))


def render(template: str, values: Mapping[str, object]) -> str:
    """``template`` with every ``{name}`` replaced by ``str(values[name])``."""
    missing = placeholders(template) - set(values)
    if missing:
        raise KeyError(f"prompt placeholders without a value: {sorted(missing)}")
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


def prompt(name: str, **values: object) -> str:
    return render(load_prompt(name), values)
