"""The imperative shell: use cases that load, call the core and save (used by web, CLI, tests)."""
