"""Small helpers shared by the Python emitters (sqlalchemy, peewee): literals, safe attribute
names, import sorting, and a formatter for calls that leaves them as ``ruff format`` would.

Generated Python must pass ``ruff format --check`` without running ruff (no subprocess in an
emitter). The rule used here is one ruff always keeps: a call either fits on one line, or it is
exploded one argument per line with a magic trailing comma, recursively.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import tokenize
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

# ruff format's default line length; exploded calls carry a magic trailing comma, so the
# output is also stable for any longer configured line length.
LINE_LENGTH = 88
INDENT = "    "


@dataclass(frozen=True)
class Call:
    """``head(args...)tail`` to be laid out by :func:`layout`; args are strings or Calls."""

    head: str  # everything up to and including the opening bracket, e.g. "mapped_column("
    args: tuple[Node, ...]
    close: str = ")"
    tail: str = ""  # text after the closing bracket on the same line
    hug: bool = True  # a call may put all its arguments on one indented line; a literal not


Node = Union[str, Call]  # noqa: UP007 (a runtime alias: Python 3.10 has no str | 'Call')


def flat(node: Node) -> str:
    if isinstance(node, str):
        return node
    # A one-element tuple keeps its comma.
    comma = "," if not node.hug and len(node.args) == 1 and node.close == ")" else ""
    return node.head + ", ".join(flat(a) for a in node.args) + comma + node.close + node.tail


def _width(text: str) -> int:
    """The columns ``text`` takes as ruff measures a line (Unicode width: a wide or fullwidth
    character, 漢, takes two)."""
    import unicodedata

    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def layout(node: Node, indent: str = "", trailer: int = 0) -> str:
    """The node's text starting at ``indent`` (the first line's indent is not included);
    ``trailer`` characters (a comma) follow it on its last line."""
    one_line = flat(node)
    if isinstance(node, str) or not node.args or \
            len(indent) + _width(one_line) + trailer <= LINE_LENGTH:
        return one_line
    inner = indent + INDENT
    hugged = ", ".join(flat(a) for a in node.args)
    if node.hug and len(inner) + _width(hugged) <= LINE_LENGTH:
        # ruff's "right-hand split": the arguments together on one indented line.
        return f"{node.head}\n{inner}{hugged}\n{indent}{node.close}{node.tail}"
    lines = [node.head]
    for arg in node.args:
        lines.append(inner + layout(arg, inner, 1) + ",")
    lines.append(indent + node.close + node.tail)
    return "\n".join(lines)


def py_str(text: str) -> str:
    """A string literal as ruff format writes it: double quotes unless that needs more escapes."""
    body = (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))
    body = "".join(ch if ch.isprintable() or ch in "\\" else f"\\u{ord(ch):04x}" for ch in body)
    if text.count('"') > text.count("'"):
        return "'" + body.replace("'", "\\'") + "'"
    return '"' + body.replace('"', '\\"') + '"'


def _printable(text: str) -> str:
    """Characters Python source cannot hold as they are (NUL, other controls) as escapes."""
    return "".join(ch if ch.isprintable() or ch == "\n" else
                   "\\t" if ch == "\t" else f"\\u{ord(ch):04x}" for ch in text)


def py_docstring(text: str, indent: str) -> str:
    """What goes between the triple double quotes of a docstring saying ``text``: backslashes,
    quote runs and a quote at either end escaped (the text can never close the string), and
    continuation lines indented and stripped as ruff format leaves them."""
    body = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.startswith('"'):
        body = "\\" + body
    escaped = (len(body) - len(body[:-1].rstrip("\\")) - 1) % 2  # odd backslash run before
    if body.endswith('"') and not escaped:
        body = body[:-1] + '\\"'
    lines = [line.rstrip() for line in _printable(body).split("\n")]
    return "\n".join([lines[0], *(indent + line if line else "" for line in lines[1:])])


def py_comment(text: str, indent: str) -> str:
    """``text`` as ``#`` comment lines (every line of it: a newline cannot end the comment)."""
    lines = [_printable(line).rstrip() for line in text.strip().splitlines()] or [""]
    return f"\n{indent}".join(f"# {line}" if line else "#" for line in lines)


def py_number(value: int | float) -> str:
    return repr(value)


def py_decimal(value: int | float, name: str = "Decimal") -> str:
    """``Decimal(...)`` of ``value``; ``name`` is how the module writes ``Decimal``."""
    if value == int(value):
        return f"{name}({int(value)})"
    return f'{name}("{Decimal(str(value))}")'


def safe_attr(name: str, reserved: frozenset[str] = frozenset()) -> str:
    """An attribute name usable in a class body: a Python keyword (``from``) or a name the
    ORM's base class already uses gets a trailing underscore (``from_``), as PEP 8 advises."""
    if keyword.iskeyword(name) or name in reserved:
        return name + "_"
    return name


def sorted_imports(names: set[str]) -> list[str]:
    """Names in the order ruff's isort rule (order-by-type) wants them: CONSTANTS, Classes,
    functions."""

    def key(name: str) -> tuple[int, str]:
        if name.isupper() and len(name) > 1:
            return (0, name)
        if name[:1].isupper():
            return (1, name)
        return (2, name)

    return sorted(names, key=key)


def import_from(module: str, names: set[str]) -> str:
    ordered = sorted_imports(names)
    # ruff format never puts imported names together on one indented line: one per line.
    return layout(Call(f"from {module} import (", tuple(ordered), hug=False)) \
        if len(f"from {module} import {', '.join(ordered)}") > LINE_LENGTH \
        else f"from {module} import {', '.join(ordered)}"


BUILTIN_NAMES = frozenset(dir(builtins))


class PyNames:
    """The module-level names a generated module uses (its imports, helpers and builtins),
    each written so that no name taken by the spec (a model class, a class attribute) can
    hide it: the name itself when it is free, else a private alias (``_String``, imported as
    ``from sqlalchemy import String as _String``) or, for a builtin, ``builtins.str``.
    Output for a spec that takes none of them is unchanged."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)
        self.used = set(taken)
        self.renames: dict[str, str] = {}

    def __call__(self, symbol: str) -> str:
        if symbol in self.renames:
            return self.renames[symbol]
        # Zero-argument super() works only under its own name (the compiler keys on it); it
        # is used in methods only, which class attributes cannot hide.
        if symbol not in self.taken or symbol == "super":
            return symbol
        if symbol in BUILTIN_NAMES:
            alias = f"{self('builtins')}.{symbol}"
        else:
            # One leading underscore only, then trailing ones: a name with two leading
            # underscores is mangled inside a class body (``__String`` in class String is
            # looked up as ``_String__String``).
            alias = "_" + symbol
            while alias in self.used:
                alias += "_"
        self.used.add(alias)
        self.renames[symbol] = alias
        return alias

    def class_name(self, model_name: str) -> str:
        """A model's class: its name, or ``name_`` for a Python keyword (PEP 8)."""
        if not keyword.iskeyword(model_name):
            return model_name
        name = model_name + "_"
        while name in self.used:
            name += "_"
        self.used.add(name)
        return name

    @property
    def needs_builtins(self) -> bool:
        return any("." in alias for alias in self.renames.values())

    def resolve_module(self, code: str) -> None:
        """Decide the alias of every module-level name ``code`` defines, imports or uses."""
        for name in _module_symbols(code):
            self(name)

    def rewrite(self, code: str) -> str:
        """``code`` (fixed helper text of a template) with every renamed module-level name
        replaced: import statements gain ``as`` aliases (one per line, as isort keeps them),
        references are renamed; attributes (``x.name``), keyword arguments (``name=``) and
        class or local assignment targets (an indented ``name = ...``) are left alone."""
        renames = {k: v for k, v in self.renames.items()}
        if not renames:
            return code
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
        lines = code.splitlines(keepends=True)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))

        def pos(rc: tuple[int, int]) -> int:
            return offsets[rc[0] - 1] + rc[1]

        edits: list[tuple[int, int, str]] = []
        depth = 0
        line_start = True
        i = 0
        significant = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
        while i < len(tokens):
            tok = tokens[i]
            if line_start and tok.type == tokenize.NAME and tok.string in ("import", "from") \
                    and tok.start[1] == 0:
                j = i
                while tokens[j].type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
                    j += 1
                text = code[pos(tok.start):pos(tokens[j].start)]
                edits.append((pos(tok.start), pos(tokens[j].start), _alias_import(text, renames)))
                i = j
                continue
            if tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
            elif tok.type == tokenize.OP and tok.string in ")]}":
                depth -= 1
            if tok.type == tokenize.NAME and tok.string in renames:
                prev = next((t for t in reversed(tokens[:i]) if t.type not in significant), None)
                nxt = next((t for t in tokens[i + 1:] if t.type not in significant), None)
                attribute = prev is not None and prev.string == "."
                kwarg = (depth > 0 and nxt is not None and nxt.string == "="
                         and prev is not None and prev.string in ("(", ","))
                target = (line_start and tok.start[1] > 0 and nxt is not None
                          and nxt.string in ("=", ":"))
                if not (attribute or kwarg or target):
                    edits.append((pos(tok.start), pos(tok.end), renames[tok.string]))
            if tok.type not in significant:
                line_start = tok.type == tokenize.NEWLINE
            i += 1
        for start, end, text in sorted(edits, reverse=True):
            code = code[:start] + text + code[end:]
        return code


def _module_symbols(code: str) -> set[str]:
    """Names ``code`` imports or defines at module level, and the builtins it uses."""
    names: set[str] = set()
    for node in ast.parse(code).body:
        if isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names if node.module != "__future__")
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    for node in ast.walk(ast.parse(code)):
        # Uses only: a class attribute named like a builtin (``type = String()``) hides nothing.
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                and node.id in BUILTIN_NAMES:
            names.add(node.id)
    return names


def _alias_import(statement: str, renames: dict[str, str]) -> str:
    """One import statement with renamed names imported under their alias, each aliased name
    on its own statement after the plain ones (the order isort and ruff keep)."""
    tree = ast.parse(statement).body[0]
    if isinstance(tree, ast.Import):
        out = []
        for alias in tree.names:
            if alias.name in renames and alias.asname is None:
                out.append(f"import {alias.name} as {renames[alias.name]}")
            else:
                out.append(f"import {alias.name}")
        return "\n".join(out)
    assert isinstance(tree, ast.ImportFrom)
    if tree.module == "__future__" or not any(a.name in renames for a in tree.names):
        return statement
    plain = {a.name for a in tree.names if a.name not in renames}
    # Statements ordered by their first name, as isort orders them.
    statements = {sorted_imports(plain)[0]: import_from(tree.module, plain)} if plain else {}
    for name in (a.name for a in tree.names if a.name in renames):
        statements[name] = f"from {tree.module} import {name} as {renames[name]}"
    return "\n".join(statements[first] for first in sorted_imports(set(statements)))


def taken_names(spec, reserved: frozenset[str]) -> set[str]:
    """Every name the spec gives the module: model classes, and the class attributes that a
    later line of a class body could confuse with a module-level name."""
    taken = {m.name for m in spec.models}
    for model in spec.models:
        for f in model.fields:
            taken.add(safe_attr(f.attr, reserved))
            if f.reference is not None:
                taken.add(safe_attr(f.reference.relation_attr, reserved))
        taken.update(safe_attr(b.attr, reserved) for b in model.backrefs)
    return taken


# Splits the template's fixed helpers (rewritten by PyNames) from the generated classes.
CLASSES_MARK = "#@classes@\n"


def ruff_format(code: str, filename: str, fixes: str = "I") -> str:
    """``code`` as ``ruff check --select FIXES --fix`` then ``ruff format`` leave it (line
    length 88, Python 3.10). --isolated: no project configuration is read, so the text does
    not depend on the working directory. Ruff sorts imports and formats in ~50 ms where black
    and isort in-process take seconds on a large spec."""
    import subprocess

    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError:  # pragma: no cover - ruff is a dependency
        from vigilo_gen.errors import UsageError

        raise UsageError("vigilo-gen needs ruff installed (pip install ruff)") from None
    ruff = find_ruff_bin()
    common = ("--isolated", "--target-version", "py310", "--line-length", str(LINE_LENGTH),
              "--stdin-filename", filename, "-")
    for step in (("check", "--select", fixes, "--fix", "--quiet", *common),
                 ("format", *common)):
        result = subprocess.run([ruff, *step], input=code, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"ruff {step[0]} failed on the generated {filename}: "
                               f"{result.stderr.strip() or result.stdout.strip()}")
        code = result.stdout
    return code


def enum_member_names(values: tuple[str, ...]) -> tuple[str, ...]:
    """The member name of each enum value: upper-case ASCII letters, digits and "_", starting
    with a letter ("in-transit" -> IN_TRANSIT, "2fa" -> V_2FA), each distinct. Enum reserves
    names that start with "_" (``_sunder_``), so none does."""
    names: list[str] = []
    for value in values:
        name = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in value.upper())
        if not name[:1].isalpha():
            name = "V_" + name
        while name in names:
            name += "_"
        names.append(name)
    return tuple(names)


def enum_class_names(spec, taken: set[str]) -> dict[str, str]:
    """Spec enum name -> its Python class: the enum's name, with "Enum" after it where that is
    a keyword or a name the module's classes and attributes already take. Only the enums a
    field uses get a class."""
    used = {f.enum.name for m in spec.models for f in m.fields
            if f.type.value == "enum" and f.enum is not None}
    names: dict[str, str] = {}
    for enum in spec.enums:
        if enum.name not in used:
            continue
        name = enum.name
        while keyword.iskeyword(name) or name in taken or name in names.values():
            name += "Enum" if not name.endswith("Enum") else "_"
        names[enum.name] = name
    return names


def enum_class(enum, class_name: str, module_enum: str, module_str: str) -> str:
    """A ``str`` + ``enum.Enum`` class of a spec enum, its members' values the spec's values in
    the spec's order. It behaves as ``enum.StrEnum`` (Python 3.11+) does, ``str(member)`` being
    the value, and is written so for the Python 3.10 the generated modules support.
    ``module_enum`` and ``module_str`` are how the module writes ``enum`` and ``str``."""
    lines = [f"class {class_name}({module_str}, {module_enum}.Enum):"]
    if enum.description:
        lines += [f'    """{py_docstring(enum.description, INDENT)}"""', ""]
    for name, value in zip(enum_member_names(enum.values), enum.values, strict=True):
        lines.append(f"    {name} = {py_str(value)}")
    lines += ["", "    def __str__(self) -> str:",
              f"        return {module_str}.__str__(self)"]
    return "\n".join(lines)


# Defaults whose SQL differs between databases, in the ORM modules: one construct,
# SqlExpression(otherwise, **by_dialect), written by these (module: the emitter's _Module,
# with needs, constants and n; dialects: spec dialect -> the keyword the module uses).
def sql_expression(module, dialects: dict[str, str], otherwise: str,
                   expressions: tuple[tuple[str, str], ...], head: str = "") -> Call:
    """``SqlExpression(...)``: text for each spec dialect, ``otherwise`` for the others."""
    module.needs.add("SqlExpression")
    by_dialect = tuple(f"{dialects[d]}={py_str(text)}" for d, text in expressions
                       if d in dialects)
    first = () if otherwise == "NULL" else (py_str(otherwise),)
    return Call(f"{head}{module.n('SqlExpression')}(", (*first, *by_dialect))


def sql_constant(module, name: str, otherwise: str,
                 expressions: tuple[tuple[str, str], ...]) -> str:
    """A module-level SqlExpression (NOW, NEW_UUID) shared by the columns it defaults."""
    module.needs.add("SqlExpression")
    module.constants[name] = (otherwise, expressions)
    return module.n(name)


def sql_constants(module, dialects: dict[str, str]) -> list[str]:
    """The ``NAME = SqlExpression(...)`` lines of the constants a module uses."""
    return [layout(sql_expression(module, dialects, *module.constants[name], f"{name} = "))
            for name in sorted(module.constants)]


# The base and mixins options of the ORM emitters: classes of the user's own code, each
# written "package.module:Name" (as entry points and uvicorn write them).
IMPORT_PATH = (r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*",
               "a module:Name import path (e.g. myapp.db:Base)")


@dataclass(frozen=True)
class Extension:
    """The user's classes a module's models build on: ``base`` (an import path, or "")
    and each model's mixins (most specific first: the model's own, then those for all)."""

    base: str
    mixins: dict[str, tuple[str, ...]]

    @property
    def paths(self) -> tuple[str, ...]:
        found = [self.base] if self.base else []
        for paths in self.mixins.values():
            found += [p for p in paths if p not in found]
        return tuple(found)

    def imports(self) -> list[str]:
        """``from module import Name, ...`` lines, one per module, sorted as isort sorts them."""
        by_module: dict[str, set[str]] = {}
        for path in self.paths:
            module, _, name = path.partition(":")
            by_module.setdefault(module, set()).add(name)
        return [import_from(m, by_module[m]) for m in sorted(by_module)]

    def bases(self, model: str, base: str, names: PyNames) -> str:
        """A model class's bases as written: its mixins, then the base class (MRO: a mixin's
        methods and columns come before the base's, as SQLAlchemy and Peewee users write)."""
        return ", ".join([names(p.partition(":")[2]) for p in self.mixins[model]] + [base])


def extension(spec, base: str, mixins: tuple[str, ...],
              model_mixins: tuple[tuple[str, tuple[str, ...]], ...], command: str) -> Extension:
    """The base/mixins options checked against the spec: a model named in ``model_mixins``
    must exist (UsageError, exit 2), two imports must not share a name."""
    from vigilo_gen.errors import UsageError, did_you_mean

    models = [m.name for m in spec.models]
    for name, _ in model_mixins:
        if name not in models:
            hint = did_you_mean(name, models)
            raise UsageError(f"--model-mixins of `vigilo-gen {command}`: the spec has no model "
                             f"'{name}'" + (f" ({hint})" if hint else ""))
    own = dict(model_mixins)
    per_model = {m: tuple(dict.fromkeys((*own.get(m, ()), *mixins))) for m in models}
    found = Extension(base, per_model)
    seen: dict[str, str] = {}
    for path in found.paths:
        name = path.partition(":")[2]
        if seen.setdefault(name, path) != path:
            raise UsageError(f"`vigilo-gen {command}`: {seen[name]} and {path} are both "
                             f"imported as {name}; give one another name in your module")
    return found


def refuse_shadowed(code: str, extension: Extension, command: str) -> None:
    """Refuse a user class whose name the generated module also defines or imports (its
    helpers, ``Base``): one of the two would silently replace the other."""
    from collections import Counter

    from vigilo_gen.errors import UsageError

    bound: Counter[str] = Counter()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound[node.name] += 1
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound.update(t.id for t in targets if isinstance(t, ast.Name))
    for path in extension.paths:
        name = path.partition(":")[2]
        if bound[name] > 1:
            raise UsageError(f"`vigilo-gen {command}`: {path} is imported as {name}, a name "
                             "the generated module also gives one of its own definitions; "
                             "give it another name in your module")
