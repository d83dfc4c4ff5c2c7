"""The layering of docs/architecture.md, checked on the source: a lower layer never imports a
higher one (so domain, audio, storage, scoring and reports never import the engine, the services
or the widgets), and the engine and the services do not import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "interview_desktop"

# lower number = lower layer; a module may import its own layer or lower ones
LAYERS = {
    "errors": 0, "atomic": 0, "resources": 0, "logging_setup": 0, "tasks": 0, "crash_guard": 0,
    "single_instance": 0,
    "domain": 1,
    "audio": 2, "storage": 2, "config": 2,
    "providers": 3, "scoring": 3,
    "reports": 4, "health": 4,
    "engine": 5, "services": 5,
    "ui": 6,
    "cli": 7, "cli_evaluate": 7, "selftest": 7, "app": 7, "__main__": 8, "__init__": 0,
}
# the engine and the services share a layer and never import each other
PEERS = {"engine": {"services"}, "services": {"engine"}}


def _area(module: str) -> str:
    """``interview_desktop.storage.sync`` → ``storage``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                target = PACKAGE.parent / name.replace(".", "/")
                ours = target.with_suffix(".py").exists() or target.is_dir()
                if name.startswith("interview_desktop") and ours:
                    found.append((module, name, node.lineno))
    return found


IMPORTS = _imports()


def test_every_area_has_a_layer():
    areas = {_area(m) for m, _, _ in IMPORTS} | {_area(n) for _, n, _ in IMPORTS if n != "interview_desktop"}
    assert areas - {"__init__"} <= set(LAYERS), areas - set(LAYERS)


@pytest.mark.parametrize("area", sorted(PEERS))
def test_peers_do_not_import_each_other(area):
    bad = [f"{m}:{line} imports {n}" for m, n, line in IMPORTS
           if _area(m) == area and n != "interview_desktop" and _area(n) in PEERS[area]]
    assert not bad, "\n".join(bad)


def test_no_lower_layer_imports_a_higher_one():
    bad = [
        f"{m}:{line} imports {n}"
        for m, n, line in IMPORTS
        if n != "interview_desktop" and LAYERS[_area(n)] > LAYERS[_area(m)]
    ]
    assert not bad, "\n".join(bad)


def test_the_checker_sees_imports():
    """The rules above are only as good as the scan: it must find known imports, inside functions too."""
    pairs = {(m, n) for m, n, _ in IMPORTS}
    assert ("interview_desktop.app", "interview_desktop.engine.interview_engine") in pairs
    assert ("interview_desktop.storage.json_store", "interview_desktop.storage.schema") in pairs
    assert any(m == "interview_desktop.storage.schema" and n.startswith("interview_desktop.storage.base")
               for m, n in pairs)  # imported inside a function
