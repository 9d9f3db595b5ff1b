"""The step panel: what to say now (large and boxed), what to bear in mind, and the numbered choices."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from counter_tui.policy.schema import Choice, Step


class StepPanel(VerticalScroll, can_focus=True):
    """Shows one step of a guided flow. Focusable, so number keys reach the screen's bindings."""

    DEFAULT_CSS = """
    StepPanel { height: 1fr; padding: 0 1; }
    StepPanel #step-title { text-style: bold; color: $accent; }
    StepPanel #step-say { border: heavy $warning; padding: 0 1; text-style: bold; margin: 0 0 0 0; }
    StepPanel #step-say.-none { display: none; }
    StepPanel #step-guidance { color: $text-muted; margin: 0 0 1 0; }
    StepPanel #step-choices { margin: 0 0 1 0; }
    StepPanel #step-refused { color: $error; text-style: bold; margin: 0 0 1 0; }
    StepPanel #step-refused.-none { display: none; }
    StepPanel #step-extra { border-top: solid $primary-muted; color: $text; }
    StepPanel #step-extra.-none { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="step-title")
        yield Static(id="step-say")
        yield Static(id="step-choices")
        yield Static(id="step-refused", classes="-none")
        yield Static(id="step-guidance")
        yield Static(id="step-extra")

    def show(
        self, step: Step, choices: list[Choice], *, risk: Choice | None = None, extra: Content | None = None,
        staff_name: str = "", office: str = "",
    ) -> None:
        """Display a step.

        Args:
            choices: the choices offered here, in the order they are numbered 1, 2, 3...
            risk: the immediate-risk branch, shown as key 0, where the flow has one.
            extra: shown beneath (for example the case note being called back about).
            staff_name: put into the words where they name the member of staff.
            office: put into the words where they name the member of staff's office.
        """
        self.query_one("#step-title", Static).update(
            Content.from_markup("$title  [dim]— $section[/dim]", title=step.title, section=step.section)
        )
        say = self.query_one("#step-say", Static)
        spoken = step.lines(staff_name, office)
        if spoken:
            ours = [not from_guidance for _, from_guidance in spoken]
            label = "SAY (words not from the guidance)" if all(ours) else "SAY"
            words = Content("\n").join(  # where only some lines are Counter's own, each of those is marked
                Content.from_markup("$line [dim](not from the guidance)[/dim]", line=line) if own and not all(ours)
                else Content(line) for (line, _), own in zip(spoken, ours, strict=True))
            say.border_title = label
            say.update(words)
            say.remove_class("-none")
        else:
            say.add_class("-none")
        lines = [
            Content.from_markup("[b reverse] $n [/]  $label", n=str(n), label=choice.label)
            for n, choice in enumerate(choices, 1)
        ]
        if risk is not None:
            lines.append(Content.from_markup("[b $error reverse] 0 [/]  [$error]$label[/]", label=risk.label))
        self.query_one("#step-choices", Static).update(Content("\n").join(lines))
        self.refuse(None)
        guidance = [Content.from_markup("• $text", text=text) for text in step.guidance]
        self.query_one("#step-guidance", Static).update(Content("\n").join(guidance))
        extra_widget = self.query_one("#step-extra", Static)
        if extra is None:
            extra_widget.add_class("-none")
        else:
            extra_widget.update(extra)
            extra_widget.remove_class("-none")
        self.scroll_home(animate=False)

    def refuse(self, text: str | None) -> None:
        """Show why the choice pressed was refused, beside the choices (None: clear it); the step stays."""
        refused = self.query_one("#step-refused", Static)
        refused.update(Content(text or ""))
        refused.set_class(text is None, "-none")
