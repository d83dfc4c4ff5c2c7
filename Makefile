# Developer shortcuts. The two commands that matter need no make: ./run.sh and ./test.sh
.PHONY: run test lint fmt bench dist clean
run:   ; ./run.sh
test:  ; ./test.sh
lint:  ; .venv/bin/ruff check .
fmt:   ; .venv/bin/ruff check --fix . && .venv/bin/ruff format .
bench: ; for b in bench/*_bench.py; do .venv/bin/python $$b || exit 1; done
dist:  ; scripts/build-executable.sh
clean: ; rm -rf build dist .pytest_cache .ruff_cache
