"""Calls for help between the terminals of one office (council guidance 4): raising one from any
screen, and showing another terminal's call until someone goes (the app polls every second)."""

from __future__ import annotations

from textual.app import App


def call_for_help(app: App) -> None:
    """Raise a silent call for help from the member signed in: the contact on screen, if any, goes with it."""
    from counter_tui.services import alerts
    from counter_tui.services.errors import StoreError

    contact_id = getattr(app.screen, "contact_id", None)
    current = getattr(app.screen, "current", None)
    channel = current.flow.channel.value if current is not None and hasattr(current, "flow") else ""
    try:
        app.my_alert = alerts.raise_alert(app.ctx, app.actor, contact_id, channel)
    except StoreError as problem:
        app.notify(f"Help could not be requested: {problem}", title="Not sent", severity="error", markup=False)
        return
    app.notify(f"The other terminals at {app.actor.office} are alerted ({app.my_alert}).",
               title="Help requested", markup=False, timeout=20)


def poll(app: App) -> None:
    """One second's look: show a call for help from another terminal at this office, close it once
    someone goes, and tell whoever asked when help is on its way."""
    from counter_tui.screens.dialogs.help_alert import HelpAlertDialog
    from counter_tui.services import alerts
    from counter_tui.services.errors import StoreError

    try:
        open_alerts = alerts.alerts_for(app.ctx, app.actor)
        if app.my_alert is not None and (name := alerts.acknowledged_by(app.ctx, app.my_alert)):
            app.my_alert = None
            app.notify(f"{name} is coming to help.", title="Help is on its way", markup=False, timeout=30)
    except StoreError:
        return  # the database is busy: look again next second
    showing = app.screen if isinstance(app.screen, HelpAlertDialog) else None
    open_ids = {a.id for a in open_alerts}
    if showing is not None and showing.alert.id not in open_ids:
        showing.dismiss(False)  # someone else is going
        return
    if showing is None and open_alerts:
        _show_alert(app, open_alerts[0])


def _show_alert(app: App, alert) -> None:
    """The other terminal's call, until this member answers that they are going (or closes it)."""
    from counter_tui.policy.schema import CHANNEL_NAMES, Channel
    from counter_tui.screens.dialogs.help_alert import HelpAlertDialog
    from counter_tui.services import alerts
    from counter_tui.services.record_text import local_time

    channel = CHANNEL_NAMES.get(Channel(alert.channel), "") if alert.channel in set(Channel) else ""
    where = f"{channel} {alert.contact_id or ''}".strip() or "their terminal"
    actor = app.actor

    def answered(going: bool | None) -> None:
        if going and actor is not None:
            alerts.acknowledge(app.ctx, actor, alert.id)

    app.push_screen(HelpAlertDialog(alert, where, local_time(app.ctx, alert.raised_at)), answered)
