"""This machine and this installation: what it has, what it lacks, and what the app is.

Owns the system status for the Dashboard (CPU, memory, GPU via `nvidia-smi`: `status`), the
doctor's checks shared by `retro-ml doctor` and Settings (`doctor`), and About: version,
docs and the licences of what the app bundles (`about`). None of it imports torch.
"""

from retro_ml.services.system.about import about
from retro_ml.services.system.doctor import STATUSES, Check, run_doctor, summary
from retro_ml.services.system.status import gpu_info, system_status

__all__ = [
    "STATUSES",
    "Check",
    "about",
    "gpu_info",
    "run_doctor",
    "summary",
    "system_status",
]
