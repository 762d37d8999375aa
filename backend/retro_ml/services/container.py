"""Wires the services of one main process together: each is built here, once.

One store, one bus, one manager; the routes take every service from the `Services` object
(`current_app.extensions["retro_ml"]`) and never build one of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from retro_ml.config import AppPaths
from retro_ml.platform import Platform, current_platform
from retro_ml.services.events import EventBus
from retro_ml.services.experiments import (
    CalibrationService,
    ExperimentManager,
    MetricsReader,
    PresetCatalog,
    RunArtifacts,
    load_presets,
    recover_after_restart,
)
from retro_ml.services.export import ExportService
from retro_ml.services.importing import RunImporter
from retro_ml.services.models import ModelRegistry
from retro_ml.services.models.export import ModelExportService
from retro_ml.services.models.job_results import JobResults
from retro_ml.services.models.jobs import ModelJobs
from retro_ml.services.models.watch import ModelWatchService
from retro_ml.services.notifications import NotificationService
from retro_ml.services.settings import SettingsService
from retro_ml.services.storage import StorageCleanup
from retro_ml.services.storage.leftovers import sweep_leftovers
from retro_ml.services.studies import StudyService
from retro_ml.services.videos import VideoLibrary, VideoRegistry
from retro_ml.services.workers import LiveViewService, ProcessManager
from retro_ml.store import RunFolders, TinyDBExperimentStore
from retro_ml.store.model_store import ModelVersionStore
from retro_ml.store.study_store import StudyStore
from retro_ml.store.video_store import VideoArtifactStore, VideoFilter


@dataclass
class Services:
    paths: AppPaths
    bus: EventBus
    store: TinyDBExperimentStore
    processes: ProcessManager
    presets: PresetCatalog
    settings: SettingsService
    experiments: ExperimentManager
    importer: RunImporter
    calibration: CalibrationService
    videos: VideoRegistry
    live_view: LiveViewService
    platform: Platform
    notifications: NotificationService
    video_library: VideoLibrary
    exports: ExportService
    run_artifacts: RunArtifacts
    metrics: MetricsReader  # one parse cache for every request
    storage_cleanup: StorageCleanup
    models: ModelRegistry
    model_jobs: ModelJobs  # evaluations and comparisons
    model_exports: ModelExportService
    model_watch: ModelWatchService  # the Watch players
    studies: StudyService  # Optuna studies; one runner thread per running study

    def shutdown(self) -> None:
        """Stop workers gracefully (their models are saved) and close the store."""
        self.notifications.shutdown()  # first: stopping runs at exit is nothing to notify about
        self.studies.shutdown()  # no new trials; the running ones go on as runs, picked up at the next start
        self.exports.shutdown()  # kills its ffmpeg processes and removes their partial files
        self.model_jobs.shutdown()  # kills its evaluation/comparison processes, removes their work folders
        self.model_exports.shutdown()  # kills its ONNX export processes, removes their partial files
        self.live_view.shutdown()  # before the workers: nobody watches a run that is stopping
        self.model_watch.shutdown()  # stops its players and waits for them
        self.calibration.shutdown()  # its worker and temp folder must not outlive the app
        self.processes.shutdown()
        self.store.close()


def build_services(paths: AppPaths) -> Services:
    paths.ensure()
    bus = EventBus()
    store = TinyDBExperimentStore(paths.database)
    video_records = VideoArtifactStore(store)
    runs = RunFolders(paths.runs)
    processes = ProcessManager(bus)
    presets = load_presets()
    settings = SettingsService(store)
    experiments = ExperimentManager(store, runs, processes, bus, presets, settings)
    # Before any worker is followed (recovery replays reports): videos must be registered.
    videos = VideoRegistry(store, video_records, paths.data_dir, bus)
    experiments.on_deleted(videos.forget_experiment)
    recover_after_restart(store, runs, processes, experiments, bus)
    # After recovery (settled statuses), before the server listens: every runs folder, not only runs/.
    sweep_leftovers(store.list(), [paths.runs, experiments.runs_dir()])
    models = ModelRegistry(store, ModelVersionStore(store), bus)
    experiments.on_deleted(models.forget_experiment)
    models.sync_all()  # after recovery and the sweep: the files are what the runs left
    importer = RunImporter(store, runs, presets, bus)
    calibration = CalibrationService(store, presets)
    experiments.on_run_measured(calibration.record)
    live_view = LiveViewService(store, processes)
    platform = current_platform()
    # After recovery: its replayed reports are old news, not something to notify about.
    notifications = NotificationService(bus, platform, settings, store)
    video_library = VideoLibrary(video_records, store)
    exports = ExportService(videos, video_library, store, bus)
    storage_cleanup = StorageCleanup(store.list, lambda: videos.list(VideoFilter()), video_library)
    # After recovery: a runner catches up on its trials from their run folders (services/studies/runner.py).
    studies = StudyService(StudyStore(store), experiments, settings, bus, paths.data_dir)
    studies.start()
    return Services(
        paths=paths,
        bus=bus,
        store=store,
        processes=processes,
        presets=presets,
        settings=settings,
        experiments=experiments,
        importer=importer,
        calibration=calibration,
        videos=videos,
        live_view=live_view,
        platform=platform,
        notifications=notifications,
        video_library=video_library,
        exports=exports,
        run_artifacts=RunArtifacts(),
        metrics=MetricsReader(),
        storage_cleanup=storage_cleanup,
        models=models,
        model_jobs=ModelJobs(models, JobResults(models, videos, bus), bus, paths.data_dir / "videos"),
        model_exports=ModelExportService(models, videos, bus),
        model_watch=ModelWatchService(models, paths.data_dir / "model-watch"),
        studies=studies,
    )
