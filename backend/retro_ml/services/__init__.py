"""The main process's services: one package per domain, wired together in `container`.

- `experiments/`: runs from the create request to their files (manager, presets, metrics…)
- `workers/`: the training worker processes, their reports and the live view
- `videos/`: the video records and managing them; `export/`: exporting videos and models
- `importing/`: models trained elsewhere become experiments
- `games/`, `settings/`, `notifications/`, `storage/`, `system/`: one concern each
- `events`: the bus every service publishes on; `container`: builds each service once

Services import the store and each other's packages, never the web layer, and never
`retro_ml.training` (that runs in the worker subprocess: no torch in the server).
"""
