"""The project config, ``vigilo-gen.toml``: which spec, and which outputs ``all``/``check`` own.

```toml
spec = "spec/vigilo.yaml"          # relative to this file's folder

[[output]]
emitter = "sql"                    # a registered emitter (`vigilo-gen list`)
dialect = "postgres"               # that emitter's options, as flat keys
path = "generated/sql/schema.postgres.sql"   # relative to this file's folder
```

Every problem is one line, ``vigilo-gen.toml:LINE: message`` when the line is known, raised as
UsageError (exit status 2). The config never imports an emitter's heavy dependencies: only the
emitter module (its options dataclass) is loaded to validate option names and values.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError, choice_hint, did_you_mean

CONFIG_NAME = "vigilo-gen.toml"
TOP_KEYS = ("spec", "output", "lint", "migrations")  # [lint]: rule id = level (vigilo_gen.lint)
# [migrations]: the numbered migrations folder of `vigilo-gen migrate new` (migrate/workflow.py).
MIGRATION_KEYS = ("folder", "dialects")
# migrate.DIALECTS, written out: importing the planners would load sqlglot (a test keeps both).
MIGRATION_DIALECTS = ("postgres", "mysql", "sqlite")
# The other keys of an [[output]] table are the emitter's options. ``templates``: a folder
# searched before the built-in templates (relative to this file's folder; vigilo_gen.templates).
RESERVED_KEYS = ("emitter", "path", "templates")


@dataclass(frozen=True)
class Output:
    """One generated file: which emitter, with which options, written where."""

    emitter: str
    options: Any  # the emitter's options dataclass instance
    path: Path  # absolute (resolved against the config's folder)
    display: str  # the path as written in the config, for messages
    line: int  # the output's [[output]] line in the config (0 when unknown)
    raw_options: tuple[tuple[str, Any], ...] = ()  # the options as the config writes them
    templates: Path | None = None  # the folder searched before the built-in templates
    templates_written: str | None = None  # as the config writes it (named in the stamp)


@dataclass(frozen=True)
class Migrations:
    """The ``[migrations]`` table: where ``migrate new`` writes, for which dialects."""

    folder: Path  # absolute (resolved against the config's folder)
    display: str  # the folder as messages name it
    dialects: tuple[str, ...]


@dataclass(frozen=True)
class Config:
    file: Path
    display: str  # how to name the config in messages
    spec: Path
    outputs: tuple[Output, ...]
    lint: tuple[tuple[str, str], ...] = ()  # [lint] rule levels, checked (vigilo_gen.lint)
    migrations: Migrations | None = None  # [migrations], when the project keeps a folder

    @property
    def root(self) -> Path:
        return self.file.parent

    def regenerate_command(self) -> str:
        """The command written into every header: stable whatever folder the user ran it from."""
        return regenerate_command(self.file)


def regenerate_command(config_file: Path) -> str:
    if config_file.name == CONFIG_NAME:
        return "vigilo-gen all"
    return f"vigilo-gen all --config {config_file.name}"


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 only
        import tomli as tomllib
    return tomllib


class _Lines:
    """Line numbers of ``[[output]]`` tables and their keys (tomllib reports no positions)."""

    HEADER = re.compile(r"^\s*\[\[\s*output\s*\]\]\s*(#.*)?$")
    TABLE = re.compile(r"^\s*\[")
    KEY = re.compile(r"""^\s*("?)([A-Za-z0-9_-]+)\1\s*=""")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers = [i + 1 for i, line in enumerate(self.lines) if self.HEADER.match(line)]

    def output(self, index: int) -> int:
        return self.headers[index] if index < len(self.headers) else 0

    @staticmethod
    def _header(table: str) -> re.Pattern:
        return re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]\s*(#.*)?$")

    def table_key(self, table: str, key: str) -> int:
        """Line of ``key = ...`` in the ``[table]`` table (0 when not found)."""
        header = self._header(table)
        inside = False
        for number, line in enumerate(self.lines, 1):
            if self.TABLE.match(line):
                inside = bool(header.match(line))
                continue
            match = self.KEY.match(line)
            if inside and match and match.group(2) == key:
                return number
        return 0

    def table(self, table: str) -> int:
        """Line of the ``[table]`` header (0 when not found)."""
        header = self._header(table)
        return next((n for n, line in enumerate(self.lines, 1) if header.match(line)), 0)

    def key(self, key: str, index: int | None = None) -> int:
        """Line of ``key = ...``: at top level (index None) or in the index-th [[output]]."""
        start = 0 if index is None else self.output(index)
        if index is not None and not start:
            return 0
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if self.TABLE.match(line):  # the next table: the key is not in this one
                break
            match = self.KEY.match(line)
            if match and match.group(2) == key:
                return number
        return self.output(index) if index is not None else 0


def find_config(path: Path | None) -> Path:
    if path is not None:
        if not path.is_file():
            raise UsageError(f"{path}: no such config file")
        return path
    default = Path(CONFIG_NAME)
    if not default.is_file():
        raise UsageError(f"no {CONFIG_NAME} in the current folder; run `vigilo-gen init` to "
                         "create one, or pass --config FILE")
    return default


def load_config(path: Path | None = None, load_emitter=None) -> Config:
    """Read and validate a config. ``load_emitter(name) -> Emitter`` defaults to the registry."""
    if load_emitter is None:
        from .registry import load as load_emitter
    file = find_config(path)
    display = str(file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"{display}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # said as the spec loader says it, at its place
        from .errors import not_utf8

        at, message = not_utf8(raw, exc)
        raise UsageError(f"{display}:{at.line}:{at.column}: {message}") from None
    tomllib = _toml()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if match:
            raise UsageError(f"{display}:{match.group(1)}:{match.group(2)}: invalid TOML: "
                             f"{message[:match.start()]}") from None
        raise UsageError(f"{display}: invalid TOML: {message}") from None
    lines = _Lines(text)

    def error(line: int, message: str, hint: str | None = None) -> UsageError:
        where = f"{display}:{line}" if line else display
        return UsageError(f"{where}: {message}" + (f" ({hint})" if hint else ""))

    for key in data:
        if key not in TOP_KEYS:
            raise error(lines.key(key), f"unknown key '{key}'",
                        did_you_mean(key, TOP_KEYS) or f"known: {', '.join(TOP_KEYS)}")
    spec = data.get("spec")
    if not isinstance(spec, str) or not spec:
        raise error(lines.key("spec"), "'spec' must name the spec file, e.g. "
                    "spec = \"spec/vigilo.yaml\"")
    root = file.parent
    raw_outputs = data.get("output", [])
    if not isinstance(raw_outputs, list) or not all(isinstance(o, dict) for o in raw_outputs):
        raise error(lines.key("output"), "'output' must be a list of [[output]] tables")
    if not raw_outputs:
        raise error(0, "no [[output]] tables: nothing to generate")

    outputs: list[Output] = []
    seen: dict[Path, int] = {}
    for index, raw in enumerate(raw_outputs):
        here = lines.output(index) or lines.key("output")  # [[output]], or output = [{...}]
        name = raw.get("emitter")
        if not isinstance(name, str):
            raise error(here, "[[output]] needs emitter = \"NAME\"")
        try:
            emitter = load_emitter(name)
        except UsageError:
            from .registry import names

            known = names()
            raise error(lines.key("emitter", index), f"unknown emitter '{name}'",
                        did_you_mean(name, known) or f"known: {', '.join(known)}") from None
        target = raw.get("path")
        if not isinstance(target, str) or not target:
            raise error(here, f"[[output]] ({name}) needs path = \"FILE\"")
        from .emitter import convert_option, converted  # loaded with the emitter, not before

        fields = {f.name: f for f in emitter.option_fields()}
        values: dict[str, Any] = {}
        held: dict[str, Any] = {}  # list, map and patterned options, as the options hold them
        for key, value in raw.items():
            if key in RESERVED_KEYS:
                continue
            line = lines.key(key, index)
            field = fields.get(key)
            if field is None:
                known = ", ".join(fields) or "none"
                raise error(line, f"unknown option '{key}' for emitter {name}",
                            did_you_mean(key, fields) or f"its options: {known}")
            if converted(field):
                try:
                    held[key] = convert_option(field, value)
                except ValueError as exc:
                    raise error(line, f"bad value {value!r} for option '{key}' of emitter "
                                f"{name}", str(exc)) from None
                values[key] = value  # the stamp names it as the config writes it
                continue
            choices = field.metadata.get("choices") or ()
            if choices and value not in choices:
                raise error(line, f"bad value {value!r} for option '{key}' of emitter {name}",
                            choice_hint(value, choices))
            expected = type(field.default)
            wrong_type = not isinstance(value, expected) or (
                isinstance(value, bool) != (expected is bool))
            if not choices and field.default is not None and wrong_type:
                raise error(line, f"option '{key}' of emitter {name} must be a "
                            f"{expected.__name__}, not {type(value).__name__}")
            values[key] = value
        try:
            options = emitter.make_options(**{**values, **held})
        except (TypeError, ValueError) as exc:
            raise error(here, f"bad options for emitter {name}: {exc}") from None
        templates = raw.get("templates")
        folder = None
        if templates is not None:
            line = lines.key("templates", index)
            if not emitter.templates:
                raise error(line, f"emitter {name} renders no templates: 'templates' does not "
                            "apply to it")
            if not isinstance(templates, str) or not templates:
                raise error(line, "'templates' must name a folder, e.g. templates = \"tpl\"")
            folder = Path(templates) if Path(templates).is_absolute() else root / templates
            if not folder.is_dir():
                raise error(line, f"templates folder '{templates}' not found")
        resolved = (root / target).resolve() if not Path(target).is_absolute() else Path(target)
        if resolved in seen:
            raise error(lines.key("path", index), f"path '{target}' is already written by the "
                        f"output on line {seen[resolved]}")
        seen[resolved] = lines.key("path", index) or here
        display_path = target if not root.parts or str(root) == "." else str(root / target)
        outputs.append(Output(name, options, resolved, display_path, here,
                              tuple(sorted(values.items())), folder, templates))
    raw_lint = data.get("lint", {})
    if not isinstance(raw_lint, dict):
        raise error(lines.key("lint"), "'lint' must be a table: [lint] then rule = \"level\"")
    from .lint import levels

    levels(raw_lint, lambda key: f"{display}:{lines.table_key('lint', key)}: "
           if lines.table_key("lint", key) else f"{display}: ")
    spec_path = Path(spec) if Path(spec).is_absolute() else root / spec
    if not spec_path.is_file():
        raise error(lines.key("spec"), f"spec file '{spec}' not found"
                    + (f" (looked for {spec_path})" if str(spec_path) != spec else ""))
    migrations = _migrations(data.get("migrations"), root, lines, error)
    return Config(file=file, display=display, spec=spec_path, outputs=tuple(outputs),
                  lint=tuple(sorted(raw_lint.items())), migrations=migrations)


def _migrations(raw, root: Path, lines: _Lines, error) -> Migrations | None:
    """``[migrations]``: ``folder = "migrations"``, ``dialects = ["postgres", ...]``."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise error(lines.key("migrations"), "'migrations' must be a table: [migrations] then "
                    "folder = \"migrations\" and dialects = [\"postgres\"]")
    for key in raw:
        if key not in MIGRATION_KEYS:
            raise error(lines.table_key("migrations", key), f"unknown key '{key}' in "
                        "[migrations]", did_you_mean(key, MIGRATION_KEYS)
                        or f"known: {', '.join(MIGRATION_KEYS)}")
    # A missing key is named at the table: its [migrations] header, or an inline table's key.
    table = lines.table("migrations") or lines.key("migrations")
    folder = raw.get("folder")
    if not isinstance(folder, str) or not folder:
        raise error(lines.table_key("migrations", "folder") or table,
                    "[migrations] needs folder = \"DIR\" (e.g. \"migrations\")")
    dialects = raw.get("dialects")
    line = lines.table_key("migrations", "dialects") or table
    if not isinstance(dialects, list) or not dialects or \
            not all(isinstance(d, str) for d in dialects):
        raise error(line, "[migrations] needs dialects = [...], a list of "
                    + ", ".join(MIGRATION_DIALECTS))
    for dialect in dialects:
        if dialect not in MIGRATION_DIALECTS:
            raise error(line, f"bad dialect {dialect!r} in [migrations]",
                        choice_hint(dialect, MIGRATION_DIALECTS))
    if len(set(dialects)) != len(dialects):
        raise error(line, "a dialect is named twice in [migrations] dialects")
    path = Path(folder) if Path(folder).is_absolute() else root / folder
    display = folder if not root.parts or str(root) == "." else str(root / folder)
    return Migrations(path, display, tuple(dialects))
