"""Policy linter rules for what flows hand on: letters (template, sign-off, drafting task), control
measures, clocks counted from a typed field, and follow-ups' prefills from the record they follow."""

from __future__ import annotations

from counter_tui.policy.lint_finding import Finding, duplicates
from counter_tui.policy.schema import Pack


def letters(pack: Pack) -> list[Finding]:
    """Each letter: a template that loads, a sign-off task that names it, tasks that exist, and a
    drafting task; every task naming a letter names one the pack defines."""
    from counter_tui.policy.letter_templates import TemplateError, load_template

    tasks = {t.id: t for t in pack.tasks}
    letters = {letter.id for letter in pack.letters}
    found = []
    for task in pack.tasks:
        if task.letter is not None and task.letter not in letters:
            found.append(Finding("P008", f"tasks[{task.id}]", f"names the letter {task.letter!r}, which the pack does not define"))
    for letter in pack.letters:
        place = f"letters[{letter.id}]"
        if not letter.section.strip():
            found.append(Finding("P007", place, "cites no section of the guidance"))
        try:
            load_template(letter.template)
        except TemplateError as error:
            found.append(Finding("P013", place, f"its template cannot be used ({error})"))
        sign_off = tasks.get(letter.sign_off)
        if sign_off is None:
            found.append(Finding("P008", place, f"is signed off by the task {letter.sign_off!r}, which the pack does not define"))
        elif sign_off.letter not in (None, letter.id):
            found.append(Finding("P013", place, f"its sign-off task {letter.sign_off!r} drafts another letter"))
        if not any(t.letter == letter.id and t.id != letter.sign_off for t in pack.tasks):
            found.append(Finding("P013", place, "no task drafts it"))
        after_tasks = {step.task for step in letter.after if step.task}
        if letter.sent_by is not None and letter.sent_by not in after_tasks:
            found.append(Finding("P008", place, f"is sent by the task {letter.sent_by!r}, which none of its after-steps puts on the queue"))
        if letter.decide_first is not None and not letter.decide_first.section.strip():
            found.append(Finding("P007", f"{place}.decide_first", "cites no section of the guidance"))
        for n, step in enumerate(letter.after, start=1):
            if step.task is not None and step.task not in tasks:
                found.append(Finding("P008", f"{place}.after[{n}]", f"puts the task {step.task!r} on the queue, which the pack does not define"))
            if not step.section.strip():
                found.append(Finding("P007", f"{place}.after[{n}]", "cites no section of the guidance"))
    return found


def measures(pack: Pack) -> list[Finding]:
    """The control measures: roles and tasks that exist, a decider for each, review periods within
    the limit, words wherever a measure turns a customer away, and the proposer never the decider."""
    measures = pack.measures
    restricted = [f"flows[{flow.id}].steps[{step.id}]" for flow in pack.flows for step in flow.steps
                  if any((c.only_if or "").lstrip("!") == "restricted" for c in step.choices)]
    if measures is None:
        return [Finding("P014", place, "offers a choice only_if restricted, but the pack defines no measures")
                for place in restricted]
    roles, tasks = {r.id for r in pack.roles}, {t.id for t in pack.tasks}
    found = duplicates("measures.types", [m.id for m in measures.types])
    if not measures.section.strip():
        found.append(Finding("P007", "measures", "cites no section of the guidance"))
    for name in ("decide_task", "review_task"):
        if getattr(measures, name) not in tasks:
            found.append(Finding("P008", f"measures.{name}", f"names the task {getattr(measures, name)!r}, which the pack does not define"))
    for name in ("proposed_by", "detail_roles"):
        for role in getattr(measures, name):
            if role not in roles:
                found.append(Finding("P008", f"measures.{name}", f"names the role {role!r}, which the pack does not define"))
    if measures.investigation_task is not None and measures.investigation_task not in tasks:
        found.append(Finding("P008", "measures.investigation_task",
                             f"names the task {measures.investigation_task!r}, which the pack does not define"))
    if measures.chance_to_modify is not None:
        chance = measures.chance_to_modify
        steps = {step.id for flow in pack.flows for step in flow.steps}
        for step in chance.evidence_steps:
            if step not in steps:
                found.append(Finding("P008", "measures.chance_to_modify", f"names the step {step!r}, which no flow has"))
        if chance.evidence_how and chance.evidence_how not in chance.how:
            found.append(Finding("P014", "measures.chance_to_modify", "evidence_how is not one of its how choices"))
    deciders = {pack.task(measures.decide_task).role} if measures.decide_task in tasks else set()
    for spec in measures.types:
        place = f"measures.types[{spec.id}]"
        if not spec.section.strip():
            found.append(Finding("P007", place, "cites no section of the guidance"))
        if not spec.decided_by:
            found.append(Finding("P014", place, "no role may decide it"))
        for role in spec.decided_by:
            if role not in roles:
                found.append(Finding("P008", place, f"is decided by the role {role!r}, which the pack does not define"))
            if role in measures.proposed_by:
                found.append(Finding("P014", place, f"the role {role!r} may both propose and decide it"))
        if deciders and not deciders & set(spec.decided_by):
            found.append(Finding("P014", place, f"the decision task's role may not set it (decided by {', '.join(spec.decided_by)})"))
        months = [m for m in [spec.review_months, *spec.review_choices] if m is not None]
        if spec.max_review_months is not None and any(m > spec.max_review_months for m in months):
            found.append(Finding("P014", place, f"a review period is later than its limit of {spec.max_review_months} months"))
        if not spec.reviewed and (months or spec.max_review_months):
            found.append(Finding("P014", place, "is never reviewed but sets a review period"))
        if not spec.review_required and (months or spec.max_review_months):
            found.append(Finding("P014", place, "requires no review date but sets a review period"))
        for then in spec.then:
            if then not in tasks:
                found.append(Finding("P008", place, f"puts the task {then!r} on the queue, which the pack does not define"))
        for effect in spec.effects:
            if effect.refuse and not effect.say:
                found.append(Finding("P014", f"{place}.effects[{effect.channel.value}]", "turns the customer away without words to say"))
            if not effect.section.strip():
                found.append(Finding("P007", f"{place}.effects[{effect.channel.value}]", "cites no section of the guidance"))
    return found


def typed_clocks(pack: Pack) -> list[Finding]:
    """A task due at a time typed in a record: every step handing it off has a form with that field,
    a required date-and-time (`when`) field; a task counted from a day typed in the record
    (`from_field`), a required date (`day`) field."""
    found = []
    forms = {form.id: form for form in pack.forms}
    by_id = {letter.id: letter for letter in pack.letters}
    for flow in pack.flows:
        for step in flow.steps:
            for n, choice in enumerate(step.choices, 1):
                condition = (choice.only_if or "").lstrip("!")
                if condition.startswith("letter_sent:"):
                    letter = by_id.get(condition.removeprefix("letter_sent:"))
                    if letter is None or letter.sent_by is None:
                        found.append(Finding("P008", f"flows[{flow.id}].steps[{step.id}].choices[{n}]",
                                             f"asks whether {condition.removeprefix('letter_sent:')!r} was sent, but the pack "
                                             "defines no such letter with a `sent_by` task"))
                fields = {f.id for other in flow.steps if other.form in forms for f in forms[other.form].fields}
                for field_id in choice.records:
                    if field_id not in fields:
                        found.append(Finding("P008", f"flows[{flow.id}].steps[{step.id}].choices[{n}]",
                                             f"records {field_id!r}, which is not a field of its flow's forms"))
            for task_id in step.tasks:
                task = next((t for t in pack.tasks if t.id == task_id), None)
                if task is None:
                    continue
                form = forms.get(step.form or "")
                if task.due.field is not None:
                    field = next((f for f in form.fields if f.id == task.due.field), None) if form else None
                    if field is None or not field.when or not field.required:
                        found.append(Finding("P008", f"flows[{flow.id}].steps[{step.id}]",
                                             f"hands off {task_id!r}, due at the time typed in {task.due.field!r}, but its "
                                             "form has no such required date-and-time (when) field"))
                if task.due.from_field is not None:  # counted from a day typed in the record (received on)
                    day = next((f for f in form.fields if f.id == task.due.from_field), None) if form else None
                    if day is None or not day.day or not day.required:
                        found.append(Finding("P008", f"flows[{flow.id}].steps[{step.id}]",
                                             f"hands off {task_id!r}, counted from the day typed in {task.due.from_field!r}, "
                                             "but its form has no such required date (day) field"))
    return found


def origin_prefills(pack: Pack) -> list[Finding]:
    """A follow-up's form field prefilled from the record it follows (`prefill = "origin"`): every
    step handing off a task that opens that follow-up has a form with a field of that id (the day a
    written communication was received, carried to the line manager's record)."""
    found = []
    forms = {form.id: form for form in pack.forms}
    for flow in pack.flows:
        wanted = {f.id for step in flow.steps if step.form in forms for f in forms[step.form].fields if f.prefill == "origin"}
        if not wanted:
            continue
        openers = {t.id for t in pack.tasks if t.flow == flow.id}
        for other in pack.flows:
            for step in other.steps:
                if not openers & set(step.tasks):
                    continue
                have = {f.id for f in forms[step.form].fields} if step.form in forms else set()
                for field_id in sorted(wanted - have):
                    found.append(Finding("P008", f"flows[{other.id}].steps[{step.id}]",
                                         f"hands off a task opening {flow.id!r}, whose form carries {field_id!r} from "
                                         "this record, but this step's form has no such field"))
    return found
