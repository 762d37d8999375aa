"""What tests and benchmarks share: starting the real server, calling its API, recording its events,
run configs, the browser, the virtual desktop and the frozen build. Imported as
`from tests.helpers.server import start_server` (pytest puts the checkout on sys.path; benchmarks
run as `python -m bench.<name>` from the checkout)."""
