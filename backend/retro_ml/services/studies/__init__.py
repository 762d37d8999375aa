"""Studies: Optuna hyperparameter searches whose trials are real experiments.

Owns what a study may search (`search_space`: RL Zoo's PPO and DQN spaces within safe bounds),
validating a create request (`requests`), where the trials live (`storage`: an Optuna RDB storage,
SQLite in the data dir by default, the URL's password never shown), running a study (`runner`:
one thread per study that asks Optuna for trials, runs each as an experiment, reports its
evaluations and prunes it), what the API shows of a study (`describe`) and the service over them
(`service`). Served under `/api/studies`; `retro-ml tune` drives it from a terminal.
"""

from retro_ml.services.studies.search_space import DEFAULT_SPACES, SAFE_BOUNDS
from retro_ml.services.studies.service import StudyService

__all__ = ["DEFAULT_SPACES", "SAFE_BOUNDS", "StudyService"]
