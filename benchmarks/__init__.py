"""Benchmarks of the provider: `python -m benchmarks` runs them all and prints a table.

See docs/benchmarks.md for what each number means. Kept light on purpose: the plugin process
imports `benchmarks.trivial` for the cold-start baseline, and importing this package must not
pull in anything else.
"""
