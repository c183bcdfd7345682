# Thin aliases for those who have make; tasks.py needs only Python.
PY ?= python3
.PHONY: setup lab test book bench present
setup: ; $(PY) tasks.py setup
lab: ; $(PY) tasks.py lab
test: ; $(PY) tasks.py test
book: ; $(PY) tasks.py book
bench: ; $(PY) tasks.py bench
present: ; $(PY) tasks.py present
