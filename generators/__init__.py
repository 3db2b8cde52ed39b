"""vigilo-gen: one YAML spec -> SQL for every dialect, ORM models, OpenAPI and Pydantic."""

__version__ = "0.1.0"
