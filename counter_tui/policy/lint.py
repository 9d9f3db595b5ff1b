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

from counter_tui.policy import coverage, engine, lint_hand_offs, lint_requests
from counter_tui.policy.lint_finding import Finding as Finding
from counter_tui.policy.lint_finding import duplicates as _duplicates
from counter_tui.policy.schema import Flow, Pack


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
    for form in pack.forms:
        for field in form.fields:
            if field.raises_task is not None and field.raises_task not in tasks:
                found.append(Finding("P008", f"forms[{form.id}].{field.id}",
                                     f"raises the task {field.raises_task!r}, which the pack does not define"))
            if field.raises_task is not None and not field.yes_no:
                found.append(Finding("P008", f"forms[{form.id}].{field.id}", "raises a task but is not a yes/no question"))
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
    found += lint_hand_offs.letters(pack)
    found += lint_hand_offs.measures(pack)
    found += lint_hand_offs.typed_clocks(pack)
    found += lint_hand_offs.origin_prefills(pack)
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
