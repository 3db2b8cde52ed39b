"""The emitters' jinja2 templates: one Environment per search path, each template compiled once.

The folder of ``--templates DIR`` (vigilo_gen.templates) is searched before the built-in
templates, so a user's file of the same name replaces one. jinja2 is imported on first use, so
an emitter that renders no template never pays for it.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from vigilo_gen.templates import current


@lru_cache(maxsize=8)
def _environment(search: tuple[str, ...]) -> Any:
    import jinja2

    loader: Any = jinja2.PackageLoader("vigilo_gen.emitters", "templates")
    if search:
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(list(search)), loader])
    return jinja2.Environment(
        loader=loader,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined, autoescape=False,  # code, not HTML
    )


def template(name: str) -> Any:
    """The compiled template ``<name>``: from the --templates folder if it has one, else
    ``emitters/templates/<name>``."""
    search = current()
    if search:  # an override folder may change between renders: no compiled cache across
        return _environment(search).get_template(name)
    return _builtin(name)


@cache
def _builtin(name: str) -> Any:
    return _environment(()).get_template(name)
