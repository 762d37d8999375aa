"""Benchmarks. Run from the checkout as `python -m bench.<name>` (bench/run.sh runs them all), so
that they import the tests' helpers as `tests.helpers.<module>`."""
