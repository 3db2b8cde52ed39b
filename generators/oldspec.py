"""Read the spec a migration starts from: a file, or ``git:REF[:PATH]`` (the spec as committed at
a git revision; PATH defaults to the current spec's path). Messages name it as written, e.g.
``git:main:spec/vigilo.yaml:12:5: ...``."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from .errors import SpecError, UsageError
from .model import Spec

GIT_PREFIX = "git:"


def load_named(path: Path, display: str) -> Spec:
    """Load a spec file, naming it ``display`` in every message and header."""
    from .build import build_spec
    from .schema import validate_document
    from .stamp import spec_meaning_hash
    from .yamlsource import read_yaml

    data, source = read_yaml(path, display)
    problems = validate_document(data, source)
    if problems:
        raise SpecError(problems)
    spec = build_spec(data, source)
    return replace(spec, source_name=Path(display).name, source_path=display,
                   source_hash=spec_meaning_hash(source.text))


def load_old(reference: str, current: Path) -> Spec:
    """The spec named by ``--from``/``OLD``. ``current`` is the new spec's file (the default
    PATH of a git reference)."""
    if not reference.startswith(GIT_PREFIX):
        if not Path(reference).is_file():
            raise UsageError(f"{reference}: no such spec file")
        return load_named(Path(reference), reference)
    rest = reference[len(GIT_PREFIX):]
    ref, _, path = rest.partition(":")
    if not ref:
        raise UsageError(f"{reference}: expected git:REF or git:REF:PATH")
    # An explicit PATH is git's own (from the repository's root); the default one is the
    # current spec's file, named relative to its folder.
    where = Path.cwd()
    if not path:
        where, path = current.resolve().parent, "./" + current.name
    result = subprocess.run(["git", "show", f"{ref}:{path}"], capture_output=True, cwd=where)
    if result.returncode != 0:
        why = result.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"{reference}: git show failed: {why[-1] if why else 'no output'}")
    display = f"{GIT_PREFIX}{ref}:{path.removeprefix('./')}"
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / Path(path).name
        file.write_bytes(result.stdout)
        return load_named(file, display)
