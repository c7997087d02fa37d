"""The pure domain: no I/O, no web, CLI or database code; time and randomness injected."""
