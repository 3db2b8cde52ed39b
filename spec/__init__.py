"""Package data: the bundled Vigilo spec and the JSON Schema of the spec format."""
