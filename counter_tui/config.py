"""Organisation settings (TOML): which policy pack, offices, time zone, deadlines, idle lock.

Everything an organisation decides for itself lives here, never in code or in a pack: in
particular the deadlines the guidance does not set (HMPO's line-manager call-back).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ConfigError(Exception):
    """The configuration file cannot be used; the message is one line naming the file and field."""


class Settings(BaseModel):
    """An organisation's settings, with a docstring per field."""

    model_config = ConfigDict(extra="forbid")

    organisation: str = "Counter"
    """The organisation's name as shown in the title bar."""
    policy: str = "hmpo"
    """The policy pack id (`counter policy list`) or a path to a pack file."""
    offices: list[str] = Field(default_factory=lambda: ["Main office"])
    """The offices staff belong to; tasks are queued by office."""
    office_facilities: dict[str, list[str]] = Field(default_factory=dict)
    """What each office has that the procedure depends on, e.g. {"Main office" = ["post_box", "security_guards"]}:
    an office without a post box or guards is never offered those options."""
    timezone: str = "Europe/London"
    """Local time zone for times shown to staff and for 'end of day' deadlines; storage is UTC."""
    deadlines: dict[str, float] = Field(
        default_factory=lambda: {
            "call_back": 24.0, "staff_threatened": 24.0, "discuss_call_log": 72.0, "serious_incident": 24.0,
            "admin_refusal": 72.0, "line_manager_written": 24.0, "incident_report": 24.0,
            "sign_welfare_record": 72.0,
        }
    )
    """Hours allowed for hand-offs whose deadline the guidance leaves to the organisation."""
    incident_distribution: dict[str, str] = Field(default_factory=dict)
    """Where each copy of the incident report form goes: the pack's recipient name → an address or
    mailbox (e.g. {"Human resources service centre" = "hr-incidents@example.org"}). Recipients the
    pack names but this leaves out are recorded by name only."""
    staff_support: list[str] = Field(default_factory=list)
    """The support your organisation offers staff after an incident, shown when the line manager
    reminds them of it (e.g. ["Employee Assistance Programme (intranet: Wellbeing)", "Staff contact officers"])."""
    print_folder: str = ""
    """Where printed PDFs are written (default: a `prints` folder beside the database)."""
    printer: str = ""
    """A printer name for `lp -d`; empty: PDFs are written and not sent to a printer."""
    idle_lock_minutes: float = 5.0
    """Minutes without a key press before the terminal locks (0 turns the lock off)."""
    busy_timeout_ms: int = 2000
    """How long to wait for another process's lock on the database before saying it is busy."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def deadline_hours(self, key: str) -> float:
        """Hours for a configured deadline.

        Raises:
            ConfigError: the pack asks for a deadline this configuration does not set.
        """
        if key not in self.deadlines:
            raise ConfigError(f"configuration: [deadlines] has no entry {key!r}, which the policy pack needs")
        return self.deadlines[key]


def load_settings(path: Path | None) -> Settings:
    """Read settings from a TOML file; no file (or None) gives the defaults.

    Raises:
        ConfigError: unreadable TOML or an invalid field, as one line.
    """
    if path is None or not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_input=False)[0]
        place = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {place}: {first['msg']}") from None
