"""The test suite. A package so that tests and benchmarks import their helpers as `tests.helpers.<module>`."""
