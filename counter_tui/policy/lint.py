"""The policy linter: checks a pack against the rules that keep its flows safe to follow.

Each finding names the flow and step and the rule broken. Rules:

- P001 a choice leads to a step that does not exist
- P002 a step cannot be reached from the flow's start
- P003 a step that does not finish the flow offers no choice (a dead end)
- P004 a step from which the flow can never finish
- P005 a path ends the contact without the warnings the document requires, and no branch allows it
- P006 a path ends the contact for a behaviour the document says may not be ended
- P007 a step, task or form cites no section of the guidance
- P008 a reference to a role, task, form or behaviour the pack does not define (or a field a clock
  counts from, a choice records or a follow-up carries that the form in question lacks)
- P009 more than nine choices (keys 1-9)
- P010 a final step that still offers choices
- P011 two things of one kind share an id
- P012 a step that offers no choice for some office or customer (every `only_if` left false)
- P013 a letter whose template is missing or malformed, or that no task drafts
- P014 a control measure nobody may decide, whose review rules contradict themselves, that refuses a
  channel without words, or a `restricted` choice in a pack without measures
- P015 a section of the source document that nothing cites and no review note explains
- P016 a citation naming a section the pack does not list (see `counter policy coverage`)
- P017 a step with `say_own` whose `say` is marked as not from the guidance too, or a form's pick list
  (`options`) that cannot be stored as text or is also another kind of field
- P018 a choice requiring a request that is no choice of its flow, not the member of staff's own to
  take, or never asked before it (`lint_requests`)
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

from counter_tui.policy import coverage, engine, lint_requests
from counter_tui.policy.schema import Flow, Pack


@dataclass(frozen=True)
class Finding:
    """One broken rule."""

    rule: str
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.rule} {self.message}"


def _duplicates(kind: str, ids: list[str]) -> list[Finding]:
    seen: set[str] = set()
    found = []
    for item in ids:
        if item in seen:
            found.append(Finding("P011", f"{kind}[{item}]", f"the id {item!r} is used twice"))
        seen.add(item)
    return found


def _references(pack: Pack) -> list[Finding]:
    roles = {r.id for r in pack.roles}
    tasks = {t.id for t in pack.tasks}
    forms = {f.id for f in pack.forms}
    behaviours = {b.id for b in pack.behaviours}
    flows = {f.id for f in pack.flows}
    found = []
    for task in pack.tasks:
        place = f"tasks[{task.id}]"
        if task.role not in roles:
            found.append(Finding("P008", place, f"names the role {task.role!r}, which the pack does not define"))
        if task.flow is not None and task.flow not in flows:
            found.append(Finding("P008", place, f"opens the flow {task.flow!r}, which the pack does not define"))
        if task.form is not None and task.form not in forms:
            found.append(Finding("P008", place, f"completes the form {task.form!r}, which the pack does not define"))
        if task.done_form is not None and task.done_form not in forms:
            found.append(Finding("P008", place, f"is done with the form {task.done_form!r}, which the pack does not define"))
        if not task.section.strip():
            found.append(Finding("P007", place, "cites no section of the guidance"))
    if (report := pack.incident_report) is not None:
        if report.form not in forms:
            found.append(Finding("P008", "incident_report", f"names the form {report.form!r}, which the pack does not define"))
        for task_id in (report.task, report.welfare_task):
            if task_id is not None and task_id not in tasks:
                found.append(Finding("P008", "incident_report", f"names the task {task_id!r}, which the pack does not define"))
        questions = {f.id for form in pack.forms if form.id == report.form for f in form.fields if f.yes_no}
        asked = {f.id for form in pack.forms if form.id == report.form for f in form.fields if f.yes_no and f.required}
        for referral in report.refer:
            if referral.task not in tasks:
                found.append(Finding("P008", "incident_report.refer", f"names the task {referral.task!r}, which the pack does not define"))
            for question in referral.all_yes:
                if question not in asked:
                    found.append(Finding("P008", "incident_report.refer",
                                         f"refers when {question!r} is yes, which is not a required yes/no field of the form"))
            if not referral.section.strip():
                found.append(Finding("P007", "incident_report.refer", "cites no section of the guidance"))
        for recipient in report.distribution:
            if recipient.only_if is not None and recipient.only_if not in questions:
                found.append(Finding("P008", "incident_report.distribution",
                                     f"sends to {recipient.name!r} only if {recipient.only_if!r}, which is not a yes/no field of the form"))
    if (take_over := pack.take_over) is not None:
        for role in take_over.roles:
            if role not in roles:
                found.append(Finding("P008", "take_over", f"names the role {role!r}, which the pack does not define"))
        if not take_over.section.strip():
            found.append(Finding("P007", "take_over", "cites no section of the guidance"))
    for form in pack.forms:
        if not form.section.strip():
            found.append(Finding("P007", f"forms[{form.id}]", "cites no section of the guidance"))
    for flow in pack.flows:
        if flow.prepare is not None and not flow.prepare.section.strip():
            found.append(Finding("P007", f"flows[{flow.id}].prepare", "cites no section of the guidance"))
        if flow.role not in roles:
            found.append(Finding("P008", f"flows[{flow.id}]", f"names the role {flow.role!r}, which the pack does not define"))
        for step in flow.steps:
            place = f"flows[{flow.id}].steps[{step.id}]"
            if step.form is not None and step.form not in forms:
                found.append(Finding("P008", place, f"names the form {step.form!r}, which the pack does not define"))
            if step.on_record is not None:
                found += _on_record_problems(pack, flow, step, place)
            for task_id in step.tasks:
                if task_id not in tasks:
                    found.append(Finding("P008", place, f"hands off the task {task_id!r}, which the pack does not define"))
            for role in step.decided_by:
                if role not in roles:
                    found.append(Finding("P008", place, f"is decided by the role {role!r}, which the pack does not define"))
            for n, choice in enumerate(step.choices, 1):
                if choice.behaviour is not None and choice.behaviour not in behaviours:
                    found.append(Finding("P008", place, f"names the behaviour {choice.behaviour!r}, which the pack does not define"))
                for role in choice.decided_by:
                    if role not in roles:
                        found.append(Finding("P008", f"{place}.choices[{n}]",
                                             f"is decided by the role {role!r}, which the pack does not define"))
    return found


def _words_and_fields(pack: Pack) -> list[Finding]:
    """Counter's own lines only beside the guidance's words, and pick lists that can be stored as text."""
    found = []
    for flow in pack.flows:
        for step in flow.steps:
            if step.say_own and not step.words_from_guidance:
                found.append(Finding("P017", f"flows[{flow.id}].steps[{step.id}]",
                                     "has say_own lines and words_from_guidance = false: put Counter's own lines in say_own only"))
    for form in pack.forms:
        for field in form.fields:
            place = f"forms[{form.id}].fields[{field.id}]"
            if field.many and not field.options:
                found.append(Finding("P017", place, "picks many but has no options"))
            if field.options and (field.yes_no or field.when or field.day):
                found.append(Finding("P017", place, "has options and is also a yes/no, date or date-and-time field"))
            if len(set(field.options)) != len(field.options):
                found.append(Finding("P017", place, "lists an option twice"))
            if any(";" in option or not option.strip() for option in field.options):
                found.append(Finding("P017", place, "has an empty option or one with ';' (picked values are stored joined by '; ')"))
    return found


def _letters(pack: Pack) -> list[Finding]:
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


def _measures(pack: Pack) -> list[Finding]:
    """The control measures: roles and tasks that exist, a decider for each, review periods within
    the limit, words wherever a measure turns a customer away, and the proposer never the decider."""
    measures = pack.measures
    restricted = [f"flows[{flow.id}].steps[{step.id}]" for flow in pack.flows for step in flow.steps
                  if any((c.only_if or "").lstrip("!") == "restricted" for c in step.choices)]
    if measures is None:
        return [Finding("P014", place, "offers a choice only_if restricted, but the pack defines no measures")
                for place in restricted]
    roles, tasks = {r.id for r in pack.roles}, {t.id for t in pack.tasks}
    found = _duplicates("measures.types", [m.id for m in measures.types])
    if not measures.section.strip():
        found.append(Finding("P007", "measures", "cites no section of the guidance"))
    for name in ("decide_task", "review_task"):
        if getattr(measures, name) not in tasks:
            found.append(Finding("P008", f"measures.{name}", f"names the task {getattr(measures, name)!r}, which the pack does not define"))
    for name in ("proposed_by", "detail_roles"):
        for role in getattr(measures, name):
            if role not in roles:
                found.append(Finding("P008", f"measures.{name}", f"names the role {role!r}, which the pack does not define"))
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
        for then in spec.then:
            if then not in tasks:
                found.append(Finding("P008", place, f"puts the task {then!r} on the queue, which the pack does not define"))
        for effect in spec.effects:
            if effect.refuse and not effect.say:
                found.append(Finding("P014", f"{place}.effects[{effect.channel.value}]", "turns the customer away without words to say"))
            if not effect.section.strip():
                found.append(Finding("P007", f"{place}.effects[{effect.channel.value}]", "cites no section of the guidance"))
    return found


def _typed_clocks(pack: Pack) -> list[Finding]:
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


def _origin_prefills(pack: Pack) -> list[Finding]:
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


def _structure(flow: Flow) -> list[Finding]:
    found = []
    ids = {s.id for s in flow.steps}
    found += _duplicates(f"flows[{flow.id}].steps", [s.id for s in flow.steps])
    if flow.start not in ids:
        found.append(Finding("P001", f"flows[{flow.id}]", f"starts at {flow.start!r}, which is not a step"))
        return found
    for step in flow.steps:
        place = f"flows[{flow.id}].steps[{step.id}]"
        if not step.section.strip():
            found.append(Finding("P007", place, "cites no section of the guidance"))
        if step.is_final and step.choices:
            found.append(Finding("P010", place, "finishes the flow but still offers choices"))
        if not step.is_final and not step.choices:
            found.append(Finding("P003", place, "offers no choice and does not finish the flow"))
        if len(step.choices) > 9:
            found.append(Finding("P009", place, f"offers {len(step.choices)} choices; keys 1-9 take at most nine"))
        for number, choice in enumerate(step.choices, 1):
            if choice.next not in ids:
                found.append(Finding("P001", f"{place}.choices[{number}]", f"leads to {choice.next!r}, which is not a step"))
    if flow.immediate_risk is not None and flow.immediate_risk.step not in ids:
        found.append(Finding("P001", f"flows[{flow.id}].immediate_risk", f"leads to {flow.immediate_risk.step!r}, which is not a step"))
    return found


def _fact_combinations(flow: Flow) -> list[engine.Facts]:
    """Every combination of the facts the flow's conditions ask about (offices with and without each
    facility; customers either side of each warning threshold)."""
    facilities: set[str] = set()
    warnings: set[int] = {0}
    restricted = {False}
    letters: set[str] = set()
    origins: set[str] = {""}
    for step in flow.steps:
        for choice in step.choices:
            condition = choice.only_if or ""
            if condition.lstrip("!").startswith("letter_sent:"):
                letters.add(condition.lstrip("!").removeprefix("letter_sent:"))
            elif condition.startswith("origin:"):
                origins.add(condition.removeprefix("origin:").lstrip("!"))
            elif condition.lstrip("!") == "restricted":
                restricted.add(True)
            elif condition.startswith("office:"):
                facilities.add(condition.removeprefix("office:").lstrip("!"))
            elif condition.startswith("earlier_warnings"):
                threshold = int(condition.lstrip("earlier_warnings>=<"))
                warnings.update({max(0, threshold - 1), threshold})
    names = sorted(facilities)
    subsets = [frozenset(c) for r in range(len(names) + 1) for c in itertools.combinations(names, r)]
    sent = sorted(letters)
    sent_sets = [frozenset(c) for r in range(len(sent) + 1) for c in itertools.combinations(sent, r)]
    return [engine.Facts(facilities=f, earlier_warnings=w, restricted=r, letters_sent=s, origin=o)
            for f in subsets for w in sorted(warnings) for r in sorted(restricted) for s in sent_sets
            for o in sorted(origins)]


def _describe(facts: engine.Facts) -> str:
    have = ", ".join(sorted(facts.facilities)) or "no facilities"
    restricted = ", restricted on this channel" if facts.restricted else ""
    sent = f", sent the letters {', '.join(sorted(facts.letters_sent))}" if facts.letters_sent else ""
    origin = f", handed off at {facts.origin!r}" if facts.origin else ""
    return f"an office with {have}, a customer with {facts.earlier_warnings} earlier warning(s){restricted}{sent}{origin}"


def _paths(pack: Pack, flow: Flow) -> list[Finding]:
    """Explore every state a contact can be in, for every combination of facts, and check each way
    the flow can finish."""
    found: list[Finding] = []
    reported: set[tuple[str, str]] = set()
    reached: set[str] = set()
    for facts in _fact_combinations(flow):
        found += _paths_for(pack, flow, facts, reported, reached)
    for step in flow.steps:
        if step.id not in reached:
            found.append(Finding("P002", f"flows[{flow.id}].steps[{step.id}]", "cannot be reached from the start"))
    # P004: steps from which no final step can be reached.
    finishing = {s.id for s in flow.steps if s.is_final}
    changed = True
    while changed:
        changed = False
        for step in flow.steps:
            if step.id not in finishing and any(c.next in finishing for c in step.choices):
                finishing.add(step.id)
                changed = True
    for step in flow.steps:
        if step.id in reached and step.id not in finishing:
            found.append(Finding("P004", f"flows[{flow.id}].steps[{step.id}]", "the flow can never finish from here"))
    return found


def _paths_for(pack: Pack, flow: Flow, facts: engine.Facts, reported: set, reached: set) -> list[Finding]:
    found: list[Finding] = []
    cap = flow.warnings_before_end

    def key(state: engine.FlowState) -> tuple:
        return (state.step_id, min(state.warnings, cap), state.allowed_by is not None, state.behaviour)

    first = engine.start(pack, flow.id)
    seen = {key(first): first}
    queue = deque([first])
    while queue:
        state = queue.popleft()
        reached.add(state.step_id)
        step = flow.step(state.step_id)
        place = f"flows[{flow.id}].steps[{step.id}]"
        if step.is_final:
            problem = engine.ending_problem(pack, state)
            if problem:
                rule = "P006" if "may not be ended" in problem else "P005"
                if (rule, step.id) not in reported:
                    reported.add((rule, step.id))
                    route = " -> ".join(_route(pack, flow, state))
                    found.append(Finding(rule, place, f"{problem} (path: {route})"))
            continue
        numbers = [n for n, _ in engine.offered(step, facts)]
        if not numbers and step.choices and ("P012", step.id) not in reported:
            reported.add(("P012", step.id))
            found.append(Finding("P012", place, f"offers no choice for {_describe(facts)}"))
        if flow.immediate_risk is not None:
            numbers.append(engine.IMMEDIATE_RISK)
        for number in numbers:
            after = engine.choose(pack, state, number, facts).after
            if key(after) not in seen:
                seen[key(after)] = after
                queue.append(after)
    return found


def _route(pack: Pack, flow: Flow, state: engine.FlowState) -> list[str]:
    steps = [flow.start]
    replayed = engine.start(pack, flow.id)
    for number in state.choices:
        replayed = engine.choose(pack, replayed, number).after
        steps.append(replayed.step_id)
    return steps


def lint(pack: Pack) -> list[Finding]:
    """Every rule the pack breaks, in a stable order (an empty list means the pack is sound)."""
    found: list[Finding] = []
    found += _duplicates("roles", [r.id for r in pack.roles])
    found += _duplicates("behaviours", [b.id for b in pack.behaviours])
    found += _duplicates("forms", [f.id for f in pack.forms])
    found += _duplicates("tasks", [t.id for t in pack.tasks])
    found += _duplicates("flows", [f.id for f in pack.flows])
    found += _duplicates("letters", [letter.id for letter in pack.letters])
    found += _references(pack)
    found += _words_and_fields(pack)
    found += _letters(pack)
    found += _measures(pack)
    found += _typed_clocks(pack)
    found += _origin_prefills(pack)
    found += [Finding(rule, place, message) for rule, place, message in coverage.problems(pack)]
    found += [Finding(rule, place, message) for rule, place, message in lint_requests.problems(pack)]
    if any(f.rule in ("P008", "P011") for f in found):
        return found
    for flow in pack.flows:
        structural = _structure(flow)
        found += structural
        if not any(f.rule in ("P001", "P011") for f in structural):
            found += _paths(pack, flow)
    return found


def _on_record_problems(pack: Pack, flow, step, place: str) -> list[Finding]:
    """A decision's line on the record: only where a follow-up flow finishes, naming only its form's fields."""
    from string import Template

    if not (flow.follow_up and step.is_final):
        return [Finding("P008", place, "has on_record but is not the end of a follow-up flow")]
    fields = {f.id for form in pack.forms if form.id == step.form for f in form.fields} | {"staff_name"}
    line = Template(step.on_record)
    if not line.is_valid():
        return [Finding("P008", place, "on_record is not a valid line ($FIELD, $$ for a dollar sign)")]
    named = set(line.get_identifiers())
    return [Finding("P008", place, f"on_record names {name!r}, which is not a field of its form")
            for name in sorted(named - fields)]
