"""Training worker side (subprocess only): env factory, SB3 callbacks and writers, reports.

Nothing here is imported by the server; modules import torch/SB3 at their top, so import
them only inside a worker process.
"""
