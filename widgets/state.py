"""An explorer's shareable state: the JSON text of :meth:`widgets.base.Explorer.to_json`, checked whole.

``{"explorer": "GradCheckExplorer", "settings": {"bug": "none", "dtype": "float64", "h": 1e-06}}``:
exactly these two keys, the explorer's class name, and every control with a value it allows.
:func:`parse_state` checks all of it before anything is applied and says what is wrong (bad JSON,
a missing or unknown key, a state saved by another explorer, a missing or unknown control, a value
out of range or of the wrong type), naming the key and what is allowed.
"""
from __future__ import annotations

import difflib
import json
from typing import Any

from widgets.controls import Control, SettingError, SettingTypeError, _show

__all__ = ["parse_state", "unknown_controls_error", "describe_controls", "apply_constraints",
           "validate_settings"]

KEYS = ("explorer", "settings")


def describe_controls(controls: dict[str, Control]) -> str:
    """``'h' (a number in [1e-12, 0.1]), 'dtype' (one of [...])``: every control and what it allows."""
    return ", ".join(f"{k!r} ({c.allowed()})" for k, c in controls.items())


def unknown_controls_error(owner: str, names, controls: dict[str, Control]) -> SettingError:
    """The error for setting names an explorer does not have, with the closest valid name."""
    names = sorted(map(str, names))
    close = {n: difflib.get_close_matches(n, list(controls), n=1) for n in names}
    if len(names) == 1:
        hints = [repr(m[0]) for m in close.values() if m]
    else:
        hints = [f"{m[0]!r} for {n!r}" for n, m in close.items() if m]
    hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
    what = f"control {names[0]!r}" if len(names) == 1 else f"controls {names}"
    return SettingError(f"{owner}: unknown {what}{hint}; valid names: {describe_controls(controls)}")


def validate_settings(owner: str, settings: dict, controls: dict[str, Control], args: tuple = ()) -> dict:
    """``settings`` (keyword arguments of ``set`` or of the constructor) validated by their controls;
    ``args``: positional arguments given by mistake."""
    if args:
        raise SettingTypeError(f"{owner}.set takes the settings as keywords, e.g. set({next(iter(controls))}=...) "
                               f"or set(**a_dict); got {len(args)} positional argument(s)")
    unknown = set(settings) - set(controls)
    if unknown:
        raise unknown_controls_error(owner, unknown, controls)
    return {k: controls[k].validate(v) for k, v in settings.items()}


def _example(owner: str, controls: dict[str, Control]) -> str:
    return json.dumps({"explorer": owner, "settings": {k: c.value for k, c in controls.items()}})


def parse_state(state: Any, owner: str, controls: dict[str, Control]) -> dict:
    """The settings of ``state`` (JSON text, bytes, or the dict it parses to), validated whole for the
    explorer class ``owner`` with these ``controls``; :class:`SettingError` / :class:`SettingTypeError`
    (both ``ValueError``) say what is wrong."""
    where = f"{owner}.from_json"
    expected = f"the text of to_json(), e.g. {_example(owner, controls)}"
    if isinstance(state, (str, bytes, bytearray)):
        try:
            state = json.loads(state)
        except (ValueError, RecursionError) as exc:   # JSONDecodeError, too many digits, too deeply nested
            raise SettingError(f"{where}: not valid JSON ({type(exc).__name__}: {exc}); expected {expected}") from None
    elif not isinstance(state, dict):
        raise SettingTypeError(f"{where}: got {_show(state)}, expected {expected} (a string) or the dict it parses to")
    if not isinstance(state, dict):
        raise SettingError(f"{where}: the JSON is {_show(state)}, expected an object with the keys "
                           f"'explorer' and 'settings': {expected}")
    missing = [k for k in KEYS if k not in state]
    extra = sorted(map(str, set(state) - set(KEYS)))
    if missing or extra:
        parts = ([f"missing key(s) {missing}"] if missing else []) + ([f"unknown key(s) {extra}"] if extra else [])
        raise SettingError(f"{where}: {' and '.join(parts)}; a state has exactly the keys 'explorer' and "
                           f"'settings': {expected}")
    name, settings = state["explorer"], state["settings"]
    if name != owner:
        hint = (f" (restore it with {name}().from_json(...))" if isinstance(name, str) and name.isidentifier()
                else "")
        raise SettingError(f"{where}: the state is for explorer {_show(name)}, not {owner!r}{hint}")
    if not isinstance(settings, dict):
        raise SettingError(f"{where}: 'settings' is {_show(settings)}, expected an object with a value for "
                           f"every control: {describe_controls(controls)}")
    unknown = set(settings) - set(controls)
    if unknown:
        raise unknown_controls_error(where, unknown, controls)
    missing = [k for k in controls if k not in settings]
    if missing:
        raise SettingError(f"{where}: 'settings' has no value for {missing} (a state from to_json() has "
                           f"every control): {describe_controls({k: controls[k] for k in missing})}")
    return {k: controls[k].validate(v) for k, v in settings.items()}


def _fmts(old, new) -> tuple[str, str]:
    """``old`` and ``new`` for a note: floats with 3 significant digits, more if needed to tell them apart."""
    if not (isinstance(old, float) and isinstance(new, float)):
        return repr(old), repr(new)
    for d in range(3, 13):
        a, b = f"{old:.{d}g}", f"{new:.{d}g}"
        if a != b:
            break
    return a, b


def apply_constraints(changes: dict | None, settings: dict, controls: dict[str, Control]) -> tuple[dict, list[str]]:
    """Apply an explorer's ``constrain`` result ``{name: (value, why)}`` to ``settings`` in place.
    Returns the changed ``{name: value}`` and the notes to show ("param 3 → 0.99: why"); a change
    at the level of rounding (1e-9) is applied without a note."""
    changed, notes = {}, []
    for k, new in dict(changes or {}).items():
        value, why = new if isinstance(new, tuple) else (new, "")
        value = controls[k].validate(value)      # an invalid constraint is the explorer's bug: raise
        old = settings[k]
        if value != old:
            settings[k] = changed[k] = value
            if not (isinstance(old, float) and abs(value - old) <= 1e-9 * max(abs(old), abs(value))):
                a, b = _fmts(old, value)
                notes.append(f"{k} {a} → {b}" + (f": {why}" if why else ""))
    return changed, notes
