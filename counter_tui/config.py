"""Organisation settings (TOML): which policy pack, offices, time zone, deadlines, idle lock,
the letterhead, the mail server and the distribution lists.

Everything an organisation decides for itself lives here, never in code or in a pack: in
particular the deadlines the guidance does not set (HMPO's line-manager call-back), and every
address letters and notices are sent to.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from counter_tui.text import SHORT_LIMIT, TextProblem, clean_text


class ConfigError(Exception):
    """The configuration file cannot be used; the message is one line naming the file and field."""


TEXT_LIMITS = {"organisation": 120}
"""The most characters in a configuration text, by key (any other text: `SHORT_LIMIT`)."""


def check_texts(value: object, place: str = "") -> None:
    """Check every text in the configuration (keys too) as typed text is checked: one line, no control
    or bidi-override characters, a length limit. Configuration text is shown on screen and printed,
    so an escape sequence in it must never reach the terminal.

    Raises:
        ValueError: naming the key, e.g. "organisation: Contains a control character; please retype it."
    """
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{place}.{key}" if place else str(key)
            if isinstance(key, str):
                try:
                    clean_text(key, max_length=SHORT_LIMIT, multiline=False, whole=True)
                except TextProblem as problem:
                    raise ValueError(f"{where}: the name {problem}") from None
            check_texts(item, where)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            check_texts(item, f"{place}[{n}]")
    elif isinstance(value, str):
        try:
            clean_text(value, max_length=TEXT_LIMITS.get(place, SHORT_LIMIT), multiline=False, whole=True)
        except TextProblem as problem:
            raise ValueError(f"{place}: {problem}") from None


EMAIL = re.compile(r"^[^@\s,;:<>()\[\]\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")
"""A plain address (`name@example.org`): no display name, no comma, no spaces, no line breaks."""


def check_address(value: str) -> str:
    """An e-mail address as configuration gives it, trimmed; refused unless plain and well formed."""
    value = value.strip()
    if not EMAIL.match(value) or len(value) > 254:
        raise ValueError(f"{value!r} is not an e-mail address (write it as name@example.org)")
    return value


class SmtpSettings(BaseModel):
    """The mail server Counter sends letters and notices through."""

    model_config = ConfigDict(extra="forbid")

    host: str
    """The server's name or address (e.g. "smtp.example.org", or "localhost" for a local sink)."""
    port: int = Field(default=25, ge=1, le=65535)
    from_address: str
    """The sender of every message (e.g. "counter@example.org")."""
    username: str = ""
    """Sign in to the server as this user (empty: no sign-in)."""
    password_env: str = "COUNTER_SMTP_PASSWORD"
    """The environment variable holding the password: never written in the configuration file."""
    starttls: bool = False
    """Upgrade the connection with STARTTLS before sending (port 587 servers)."""
    timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    """How long to wait for the server before the attempt counts as failed (it is retried)."""

    @field_validator("from_address")
    @classmethod
    def _address(cls, value: str) -> str:
        return check_address(value)


class Letterhead(BaseModel):
    """What heads every letter and signs it off: the organisation's, never the pack's."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    """The organisation's name at the top of each letter (empty: `organisation`)."""
    address: list[str] = Field(default_factory=list)
    """The organisation's postal address, a line each."""
    signatory: list[str] = Field(default_factory=list)
    """The signatory block under each letter, a line each (e.g. ["Customer Service Manager"]); the
    officer who signed it off is printed with it."""


class RetentionSettings(BaseModel):
    """How long personal data is kept after a record is closed (`counter retention run`).

    None of the five procedures sets a period (North Tyneside 8 defers to "the service's retention
    schedule" under the GDPR and the Data Protection Act 2018), so nothing is removed until the
    organisation writes its schedule here. A record is closed when its contact is finished, every
    task it created (and every task of its incident, letters and follow-up contacts) is done, and
    every contact started from those tasks is finished; the period runs from the last of these.
    """

    model_config = ConfigDict(extra="forbid")

    incident_years: int | None = Field(default=None, ge=1, le=100)
    """Years after closure that an incident's record is kept (e.g. 6); None keeps them."""
    contact_years: int | None = Field(default=None, ge=1, le=100)
    """Years after closure that a contact which opened no incident is kept; None keeps them."""


class AuditSettings(BaseModel):
    """Where the record's chain head is published outside the database (issue 17.4)."""

    model_config = ConfigDict(extra="forbid")

    head_file: str = ""
    """A file (ideally on another disk or machine) that every write rewrites with the chain's head
    (`SEQ:HASH`); each start warns when the database is behind it or forked from it. Empty: none."""


DEFAULT_DEADLINES: dict[str, float] = {}
"""None: every `[deadlines]` entry is a clock the guidance does not set, so Counter invents none. A
task whose pack names an entry this configuration leaves out has no due time ("no time set by the
guidance") and is still queued, in plain sight."""


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
    passport_helpline: str = ""
    """The passport helpline's number, merged into HMPO's written barring letter ("they must call the
    passport helpline if they have a query with their application"); empty: the letter says to call
    the passport helpline and the HEO is told the number is not configured (none is invented)."""
    office_kinds: dict[str, Literal["CSO", "CSC"]] = Field(default_factory=dict)
    """Each office's kind (HMPO): a Customer Service Office (CSO) or Customer Service Centre (CSC). A CSO
    barring letter bars the customer at CSOs only ("must attend a CSC"); an office with no kind shows
    such a bar with "office kind not configured" rather than hiding it."""
    timezone: str = "Europe/London"
    """Local time zone for times shown to staff and for 'end of day' deadlines; storage is UTC."""
    deadlines: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    """Hours allowed for hand-offs whose deadline the guidance leaves to the organisation, e.g.
    {"call_back" = 24}. An entry left out means no due time: the task shows "no time set by the
    guidance" (no default is invented)."""
    incident_distribution: dict[str, str] = Field(default_factory=dict)
    """Where each copy of the incident report form goes: the pack's recipient name → an address or
    mailbox (e.g. {"Human resources service centre" = "hr-incidents@example.org"}). Recipients the
    pack names but this leaves out are recorded by name only."""
    staff_support: list[str] = Field(default_factory=list)
    """The support your organisation offers staff after an incident, shown when the line manager
    reminds them of it (e.g. ["Employee Assistance Programme (intranet: Wellbeing)", "Staff contact officers"])."""
    letterhead: Letterhead = Field(default_factory=Letterhead)
    """The letterhead and signatory block of every letter."""
    smtp: SmtpSettings | None = None
    """The mail server for letters and notices; without it messages are kept ready in the outbox."""
    mail_lists: dict[str, list[str]] = Field(default_factory=dict)
    """Who each e-mail goes to: the pack's recipient name (a role or inbox the guidance names) → its
    addresses, e.g. {"Senior executive officer" = ["seo@example.org"]}. A recipient kept per office is
    named with the office in brackets: "Grade 7 manager (Second office)"."""
    print_folder: str = ""
    """Where printed PDFs are written (default: a `prints` folder beside the database)."""
    printer: str = ""
    """A printer name for `lp -d`; empty: PDFs are written and not sent to a printer."""
    idle_lock_minutes: float = 5.0
    """Minutes without a key press before the terminal locks (0 turns the lock off)."""
    command_roles: dict[str, list[str]] = Field(default_factory=dict)
    """Which of the pack's roles may run each `counter` command signed in with `--as` (the packs say
    nothing about the command line), e.g. {"staff reset-pin" = ["line_manager"]}; a command not named
    keeps its default (`services.command_access.DEFAULT_ROLES`). `--admin` may always run them."""
    busy_timeout_ms: int = 2000
    """How long to wait for another process's lock on the database before saying it is busy."""
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    """The retention schedule: `[retention]` with `incident_years` and `contact_years`."""
    audit: AuditSettings = Field(default_factory=AuditSettings)
    """`[audit] head_file`: the chain head published outside the database."""
    security_incident_page: str = ""
    """Where staff report a security incident: HMPO's "security incident and breaches page on
    Horizon" (its address or intranet path, e.g. "Horizon: Security > Incidents and breaches"),
    shown on the task that asks for the referral; empty: the task says it is not configured."""
    training: list[str] = Field(default_factory=list)
    """Courses staff can take in dealing with threatening customers (HMPO: "There are courses on
    Metis Learning and Civil Service Learning"), shown where the line manager reminds a member of
    staff of the support available, e.g. ["Metis Learning", "Civil Service Learning"]."""

    @model_validator(mode="before")
    @classmethod
    def _texts(cls, data: object) -> object:
        check_texts(data)
        return data

    @field_validator("deadlines", mode="before")
    @classmethod
    def _merge_deadlines(cls, value: object) -> object:
        """Merged with the defaults (none today: the guidance sets none of these clocks)."""
        return {**DEFAULT_DEADLINES, **value} if isinstance(value, dict) else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("mail_lists")
    @classmethod
    def _lists(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        checked = {}
        for name, addresses in value.items():
            if not addresses:
                raise ValueError(f"the list {name!r} is empty: give it at least one address, or leave it out")
            try:
                checked[name] = [check_address(a) for a in addresses]
            except ValueError as error:
                raise ValueError(f"the list {name!r}: {error}") from None
        return checked

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def deadline_hours(self, key: str) -> float:
        """Hours for a configured deadline (tasks use `services.deadlines.due_at`, which allows none).

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
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{path}: {place}: {message}" if place else f"{path}: {message}") from None
