"""The emitters' jinja2 templates: one Environment per process, each template compiled once.

jinja2 is imported on first use, so an emitter that renders no template never pays for it.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("vigilo_gen.emitters", "templates"),
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined, autoescape=False,  # code, not HTML
    )


@cache
def template(name: str) -> Any:
    """The compiled template ``emitters/templates/<name>``."""
    return _environment().get_template(name)
