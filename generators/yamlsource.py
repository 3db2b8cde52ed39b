"""Read a YAML file into plain Python data plus the source position of every key and value.

PyYAML's composer gives nodes with marks; we walk the node graph ourselves so that we can
(a) remember where each value came from, (b) reject duplicate keys, which PyYAML silently
accepts, and (c) bound the work an alias bomb could cause, counting every node we expand.
"""

from __future__ import annotations

import functools
import operator
from pathlib import Path
from typing import Any

import yaml

from .errors import NOWHERE, Diagnostic, Position, SpecError, not_utf8

# A spec with five tables is ~8 KB; a 2,000-table spec stays under 2 MiB. Anything far above
# that is a mistake (or an attack), and reading it would only waste the user's memory.
MAX_SPEC_BYTES = 4 * 1024 * 1024
# Upper bound on nodes materialised after alias expansion ("billion laughs" protection).
MAX_NODES = 500_000

Path_ = tuple[str | int, ...]


class SourceMap:
    """Where each value (and each mapping key) of the document stands in the file.

    Positions are found on demand: the map keeps the composed node graph and follows a path
    through it only when a position is asked for (an error, or the few objects of the model
    that carry one). Reading a spec thus builds no path tuple and no Position per node."""

    def __init__(self, file: str, root: yaml.Node | None = None, text: str = ""):
        self.file = file
        self.root = root
        self.text = text  # the document as parsed (decoded, without a byte-order mark)
        self._index: dict[int, tuple[yaml.MappingNode, dict[str, tuple]]] = {}

    def _key_text(self, key_node: yaml.Node) -> str:
        """A mapping key as the walker reads it (see _Walker._mapping): its text."""
        return key_node.value

    def _entries(self, node: yaml.MappingNode) -> dict[str, tuple]:
        cached = self._index.get(id(node))
        if cached is None:
            entries: dict[str, tuple] = {}
            for key_node, value_node in node.value:
                entries.setdefault(self._key_text(key_node), (key_node, value_node))
            cached = self._index[id(node)] = (node, entries)  # the node keeps its id alive
        return cached[1]

    def _follow(self, path: Path_) -> tuple[yaml.Node | None, yaml.Node | None, bool]:
        """(deepest node reached, key node of the last step, whether the whole path exists)."""
        node, key_node = self.root, None
        for step in path:
            key_node = None
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                entry = self._entries(node).get(step)
                if entry is None:
                    return node, None, False
                key_node, node = entry
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                    and 0 <= step < len(node.value):
                node = node.value[step]
            else:
                return node, None, False
        return node, key_node, True

    def value(self, path: Path_) -> Position:
        """Position of the value at ``path``, or of its nearest known ancestor."""
        node, _, _ = self._follow(path)
        return Position(1, 1) if node is None else _pos(node.start_mark)

    def key(self, path: Path_) -> Position:
        """Position of the mapping key naming ``path`` (falls back to its value)."""
        node, key_node, found = self._follow(path)
        if found and key_node is not None:
            return _pos(key_node.start_mark)
        return Position(1, 1) if node is None else _pos(node.start_mark)

    def written(self, path: Path_) -> str | None:
        """The text of the plain (unquoted) scalar at ``path`` as written, or None."""
        node, _, found = self._follow(path)
        if found and isinstance(node, yaml.ScalarNode) and not node.style:  # libyaml: ""
            return node.value
        return None

    def yaml11_word(self, path: Path_) -> str | None:
        """The word, when the value at ``path`` is a boolean only YAML 1.1 reads as one
        (yes, no, on, off in any case): where a string is expected, it is that string
        (the "Norway problem": a country code NO is no false)."""
        text = self.written(path)
        return text if text is not None and text.lower() in YAML11_BOOL_WORDS else None

    def error(self, path: Path_, message: str, hint: str | None = None, *, at_key: bool = False):
        where = self.key(path) if at_key else self.value(path)
        return Diagnostic(self.file, where, message, hint)

    # Every position at once (for tests and debugging; reading a spec never needs them).

    @property
    def values(self) -> dict[Path_, Position]:
        return self._all()[0]

    @property
    def keys(self) -> dict[Path_, Position]:
        return self._all()[1]

    def _all(self) -> tuple[dict[Path_, Position], dict[Path_, Position]]:
        values: dict[Path_, Position] = {}
        keys: dict[Path_, Position] = {}
        if self.root is None:
            return values, keys
        stack: list[tuple[yaml.Node, Path_]] = [(self.root, ())]
        while stack:
            node, path = stack.pop()
            values.setdefault(path, _pos(node.start_mark))
            if isinstance(node, yaml.MappingNode):
                for key, (key_node, value_node) in self._entries(node).items():
                    keys.setdefault((*path, key), _pos(key_node.start_mark))
                    stack.append((value_node, (*path, key)))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(((item, (*path, i)) for i, item in enumerate(node.value)))
        return values, keys


# Plain scalars PyYAML (YAML 1.1) reads as booleans although YAML 1.2, editors and most people
# read them as words. true and false are booleans in both.
YAML11_BOOL_WORDS = frozenset({"yes", "no", "on", "off"})
_STR = "tag:yaml.org,2002:str"
_MISSING = object()


def _pos(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


class _Walker:
    def __init__(self, source: SourceMap):
        self.source = source
        self.count = 0
        self.constructor = yaml.SafeLoader("")  # only used to construct scalars
        self.scalars: dict[tuple[str, str], Any] = {}

    def walk(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError(
                [
                    Diagnostic(
                        self.source.file,
                        _pos(node.start_mark),
                        f"the document expands to more than {MAX_NODES:,} nodes "
                        "(an alias bomb?); refusing to read it",
                    )
                ]
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item) for item in node.value]
        if node.tag == _STR:  # what SafeConstructor would return, without its bookkeeping
            return node.value
        # Other scalars (ints, bools, floats, null, dates) are immutable and depend only on
        # their tag and text: construct each distinct one once.
        key = (node.tag, node.value)
        value = self.scalars.get(key, _MISSING)
        if value is _MISSING:
            value = self.scalars[key] = self.constructor.construct_object(node, deep=True)
        return value

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SpecError(
                    [Diagnostic(self.source.file, _pos(key_node.start_mark),
                                "YAML merge keys ('<<') are not supported in a spec")]
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError(
                    [Diagnostic(self.source.file, _pos(key_node.start_mark),
                                "a mapping key must be a plain string")]
                )
            # Names are names: a key is its text, so a field called on, yes, no or off stays
            # itself (YAML 1.1 would read True/False) and 1.0 or null stay as written.
            key = key_node.value
            if key in result:
                first_node = next(k for k, _ in node.value if self.source._key_text(k) == key)
                first = _pos(first_node.start_mark)
                raise SpecError(
                    [Diagnostic(self.source.file, _pos(key_node.start_mark),
                                f"duplicate key '{key}' (first defined at line {first.line})")]
                )
            result[key] = self.walk(value_node)
        return result


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or "invalid YAML"
    if "'\\t'" in problem or "\t" in problem:
        return "tab character in YAML indentation; indent with spaces"
    return f"invalid YAML: {problem}"


def _compose_with(loader_class: type, text: str) -> yaml.Node | None:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


_FAST_LOADER: type | None = None


def _fast_loader() -> type | None:
    """libyaml's loader, resolving each distinct scalar once: the composer asks the resolver
    (Python regexes) for the tag of every node, and a spec repeats the same keys and values
    thousands of times. Without path resolvers (SafeLoader has none) the tag depends only on
    (kind, value, implicit), so a per-document cache gives the same tags."""
    global _FAST_LOADER
    base = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return None
    if _FAST_LOADER is not None and _FAST_LOADER.__bases__ == (base,):
        return _FAST_LOADER

    class _CachingLoader(base):
        def __init__(self, stream):
            super().__init__(stream)
            if not self.yaml_path_resolvers:
                # A C-level cache: a hit never enters Python.
                self.resolve = functools.lru_cache(maxsize=None)(self.resolve)
                # Without path resolvers PyYAML's descend/ascend hooks return at once; the
                # composer calls them for every node, so C-level no-ops stand in for them.
                self.descend_resolver = operator.is_  # (parent, index) -> ignored
                self.ascend_resolver = tuple  # () -> ignored

        def dispose(self):
            # The cache refers to the loader: break the cycle.
            for hook in ("resolve", "descend_resolver", "ascend_resolver"):
                self.__dict__.pop(hook, None)
            super().dispose()

    _FAST_LOADER = _CachingLoader
    return _FAST_LOADER


def _compose(text: str) -> yaml.Node | None:
    """The document's node graph. libyaml (CSafeLoader) composes the same nodes with the same
    marks ~10x faster than the pure-Python parser; a document it rejects is parsed again by the
    pure-Python one, so that every syntax error message stays PyYAML's own."""
    fast = _fast_loader()
    if fast is not None:
        try:
            return _compose_with(fast, text)
        except yaml.YAMLError:
            pass
    return _compose_with(yaml.SafeLoader, text)


def read_yaml(path: Path, display: str) -> tuple[Any, SourceMap]:
    """Parse ``path``; return (data, source map). Every failure is a SpecError with a position."""

    def fail(message: str, where: Position = NOWHERE) -> SpecError:
        return SpecError([Diagnostic(display, where, message)])

    if not path.exists():
        raise fail("no such file")
    if path.is_dir():
        raise fail("is a directory, not a spec file")
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise fail(f"spec is {size:,} bytes; the limit is {MAX_SPEC_BYTES:,} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        where, message = not_utf8(raw, exc)
        raise fail(message, where) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise fail("the spec is empty", Position(1, 1))
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise fail(_yaml_problem(exc), _pos(mark) if mark else Position(1, 1)) from None
    except yaml.YAMLError as exc:
        raise fail(f"invalid YAML: {exc}") from None
    if node is None:
        raise fail("the spec is empty", Position(1, 1))
    source = SourceMap(display, node, text)
    try:
        data = _Walker(source).walk(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise fail(_yaml_problem(exc), _pos(mark) if mark else Position(1, 1)) from None
    except RecursionError:
        raise fail("the document is nested too deeply", _pos(node.start_mark)) from None
    return data, source
