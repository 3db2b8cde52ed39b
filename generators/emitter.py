"""The emitter interface: what a target declares, and what it is given to render.

An emitter is a pure function of (Spec, options) -> text. Its module is imported when the CLI
builds its subcommand, so the module's top level stays cheap: heavy libraries (sqlglot, jinja2,
datamodel-code-generator) are imported inside the functions that use them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import __version__
from .model import Spec
from .stamp import Provenance, options_text, seal

__all__ = ["Emitter", "NoOptions", "Provenance", "option"]


def option(default: Any, help: str, choices: Sequence[str] | None = None) -> Any:
    """Declare an emitter option: a dataclass field whose metadata the CLI turns into a flag."""
    return dataclasses.field(default=default,
                             metadata={"help": help, "choices": tuple(choices or ())})


@dataclass(frozen=True)
class NoOptions:
    """For emitters that take no options."""


@dataclass(frozen=True)
class Emitter:
    name: str
    description: str  # one line, shown by `vigilo-gen list` and --help
    options: type  # a frozen dataclass of option(...) fields
    render: Callable[[Spec, Any, Provenance], str]
    filename: Callable[[Any], str]  # suggested output file name for the given options
    # Describes the spec's HTTP API: a project output of it is skipped (not an error) while
    # the spec has no `api` section, so one config serves specs with and without an API.
    needs_api: bool = False

    def option_fields(self) -> tuple[dataclasses.Field, ...]:
        return dataclasses.fields(self.options)

    def make_options(self, **values: Any) -> Any:
        return self.options(**values)

    def command(self, options: Any, spec_option: str | None = None) -> str:
        """Canonical command line for these options (every option spelt out, and ``--spec``
        when the spec is not the one found by default), for headers."""
        import shlex

        parts = ["vigilo-gen", self.name]
        for f in self.option_fields():
            parts += [f"--{f.name.replace('_', '-')}", shlex.quote(str(getattr(options, f.name)))]
        if spec_option is not None:
            parts += ["--spec", shlex.quote(spec_option)]
        return " ".join(parts)

    def provenance(self, spec: Spec, options: Any, spec_option: str | None = None) -> Provenance:
        values = [(f.name, getattr(options, f.name)) for f in self.option_fields()]
        return Provenance(__version__, spec.source_name, spec.source_hash,
                          self.command(options, spec_option), self.name, options_text(values))

    def run(self, spec: Spec, options: Any, spec_option: str | None = None) -> str:
        """The output for these options, header stamped and sealed (see stamp)."""
        return seal(self.render(spec, options, self.provenance(spec, options, spec_option)))
