"""The app's settings: one fixed schema with defaults, validated on every change, kept in the store.

Owns what a user may set and how each value is checked (`service`: `SCHEMA`, `check_setting`,
`check_folder`) and the service the routes and other services read them from and listen to
(`SettingsService`). Served as `GET/PUT /api/settings`.
"""

from retro_ml.services.settings.service import (
    ACCENTS,
    SCHEMA,
    Setting,
    SettingsPersistence,
    SettingsService,
    check_folder,
    check_setting,
)

__all__ = [
    "ACCENTS",
    "SCHEMA",
    "Setting",
    "SettingsPersistence",
    "SettingsService",
    "check_folder",
    "check_setting",
]
