"""vigilo-gen: one YAML spec -> SQL for every dialect, ORM models, OpenAPI and Pydantic."""

__version__ = "0.1.0"

# True in the command-line process (set by cli.main): the spec loader may then apply a
# process-wide memory policy (see spec.load_spec).
CLI_PROCESS = False
