"""Command line: `retro-ml [serve|train|games|doctor|worker]`.

Every sub-command imports what it needs lazily, so `retro-ml serve` never loads the
training stack and `retro-ml worker` never loads the web stack.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="retro-ml",
        description="Retro ML Trainer: watch a reinforcement-learning agent learn an Atari game.",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="where experiments, runs and settings live (env: RETRO_ML_DATA_DIR)"
    )
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="run the server with no window (open the printed URL)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)

    train = sub.add_parser("train", help="train in this terminal with a progress bar")
    train.add_argument("--game", required=True, help="e.g. pong, breakout (see `retro-ml games`)")
    train.add_argument("--algo", default="ppo", choices=["ppo", "dqn"])
    train.add_argument("--preset", default="quick", choices=["quick", "standard", "epic", "epic_10h"])
    train.add_argument("--timesteps", type=int, default=None, help="overrides the preset")
    train.add_argument("--name", default=None)
    train.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)

    models = sub.add_parser("models", help="list the trained models (final models, checkpoints, imports)")
    models.add_argument("--game", default=None)
    models.add_argument("--algo", default=None, choices=["ppo", "dqn"])
    models.add_argument("--kind", default=None, choices=["final", "checkpoint", "imported"])
    models.add_argument("--run", default=None, help="only this experiment's models (its id)")
    models.add_argument("--json", action="store_true", help="print the records as JSON")
    models.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)

    evaluate = sub.add_parser("evaluate", help="play N games of a model version and print mean/std/max")
    evaluate.add_argument("model_id", help="a model version's id (see `retro-ml models`)")
    evaluate.add_argument("--episodes", type=int, default=10, help="games to play (1-1000, default 10)")
    evaluate.add_argument("--seed", type=int, default=0, help="game i is played on seed S+i (default 0)")
    evaluate.add_argument("--max-seconds", type=float, default=None, help="cap each game (game time; default 120)")
    evaluate.add_argument("--no-video", action="store_true", help="do not film the best game")
    evaluate.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)

    tune = sub.add_parser("tune", help="search hyperparameters with Optuna (every trial a run), with a progress bar")
    tune.add_argument("--game", help="e.g. pong, breakout (see `retro-ml games`)")
    tune.add_argument("--algo", default="ppo", choices=["ppo", "dqn"])
    tune.add_argument("--trials", type=int, help="how many trials (1-1000)")
    tune.add_argument("--timesteps", type=int, help="steps per trial")
    tune.add_argument("--join", metavar="STUDY", help="run trials of this study, made by an app on another machine")
    tune.add_argument("--storage", metavar="URL", help="the study storage (default: Settings' or studies.db)")
    tune.add_argument("--study", default=None, help="the study's name")
    tune.add_argument("--sampler", default="tpe", choices=["tpe", "random"])
    tune.add_argument("--pruner", default="median", choices=["median", "none"])
    tune.add_argument("--set", action="append", metavar="KEY=VALUE", help="a run setting every trial starts from")
    tune.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)

    sub.add_parser("games", help="list the games that can be trained")
    sub.add_parser("doctor", help="check ROMs, torch/CUDA and disk space")

    sub.add_parser("torch-info", help=argparse.SUPPRESS)  # for `doctor`: torch and CUDA, as JSON
    worker = sub.add_parser("worker", help=argparse.SUPPRESS)
    worker.add_argument("--run-dir", type=Path, required=True)
    worker.add_argument("--clips", action="store_true")  # the worker's clip recorder (training/clip_process.py)
    export = sub.add_parser("model-export", help=argparse.SUPPRESS)  # ONNX export (commands/model_export.py)
    export.add_argument("--model", type=Path, required=True)  # the SB3 .zip
    export.add_argument("--algorithm", required=True, type=str.upper, choices=["PPO", "DQN"])
    export.add_argument("--env-id", required=True)
    export.add_argument("--out-dir", type=Path, required=True)  # an existing, empty folder
    export.add_argument("--game", default="")
    export.add_argument("--steps", type=int, default=None)  # the model's num_timesteps, for the metadata
    export.add_argument("--frames", type=int, default=200)  # game steps the ONNX file is checked on
    export.add_argument("--seed", type=int, default=0)
    job = sub.add_parser("model-job", help=argparse.SUPPRESS)  # evaluate / compare models (commands/model_job.py)
    job.add_argument("spec", type=Path)  # the job's JSON spec (training/model_job.py)
    play = sub.add_parser("model-play", help=argparse.SUPPRESS)  # watch a model play live (commands/model_play.py)
    play.add_argument("--model", type=Path, required=True)  # a copy of the SB3 .zip in --folder
    play.add_argument("--algorithm", required=True, type=str.upper, choices=["PPO", "DQN"])
    play.add_argument("--env-id", required=True)
    play.add_argument("--folder", type=Path, required=True)  # LIVE_VIEW, SPEED, live.jpg (run_contract)
    play.add_argument("--seed", type=int, default=0)  # game i is played on seed + i
    return parser


def _ensure_stdio(log_path: Path) -> None:
    """A windowed frozen build (RetroMLTrainer.exe) may start with no sys.stdout/sys.stderr; the
    worker writes its log (and SB3 its table) there, so give it the run's worker.log."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream = open(log_path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as the process
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "window"
    if command == "worker":
        from retro_ml.run_contract import WORKER_LOG

        _ensure_stdio(args.run_dir / WORKER_LOG)
        if args.clips:
            from retro_ml.training.clip_process import run_clip_recorder

            return run_clip_recorder(args.run_dir)
        from retro_ml.training.worker import run_worker

        return run_worker(args.run_dir)
    if command == "model-export":
        from retro_ml.commands.model_export import model_export

        return model_export(args)
    if command == "model-job":
        from retro_ml.commands.model_job import model_job

        return model_job(args)
    if command == "model-play":
        from retro_ml.commands.model_play import model_play

        return model_play(args)
    if command == "torch-info":
        from retro_ml.training.torch_info import print_torch_info

        return print_torch_info()
    from retro_ml import commands

    handler = {
        "window": commands.open_window,
        "serve": commands.serve,
        "train": commands.train,
        "tune": commands.tune,
        "games": commands.list_games,
        "models": commands.list_models,
        "evaluate": commands.evaluate,
        "doctor": commands.doctor,
    }[command]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
