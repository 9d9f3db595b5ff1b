"""Schema migrations 1 to 10, the base schema: the event log and its guard triggers, staff,
contacts, tasks, incidents, alerts, customers, signatures, letters and the outbox, the register's
search, control measures. Tables are STRICT with CHECK constraints; every column the queue or the
start-of-contact look-up sorts or filters by is indexed."""

from __future__ import annotations

import sqlite_utils

from counter_tui.store.migration_list import migrations
from counter_tui.store.migration_list import run_script as _run_script


@migrations()
def m001_events_and_projections(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (length(kind) > 0),
            stream TEXT NOT NULL,
            payload TEXT NOT NULL CHECK (json_valid(payload)),
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL CHECK (length(hash) = 64)
        ) STRICT;
        CREATE INDEX events_stream ON events(stream, seq);
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be changed'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be deleted'); END;

        CREATE TABLE staff (
            number TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            office TEXT NOT NULL,
            pin_salt BLOB NOT NULL,
            pin_hash BLOB NOT NULL,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
        ) STRICT;

        CREATE TABLE contacts (
            id TEXT PRIMARY KEY,
            pack TEXT NOT NULL,
            flow TEXT NOT NULL,
            channel TEXT NOT NULL,
            staff_number TEXT NOT NULL,
            staff_name TEXT NOT NULL,
            office TEXT NOT NULL,
            customer_name TEXT NOT NULL DEFAULT '',
            reference TEXT NOT NULL DEFAULT '',
            reference_key TEXT GENERATED ALWAYS AS (replace(upper(reference), ' ', '')) VIRTUAL,
            query TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL CHECK (status IN ('open', 'finished')),
            step TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            outcome TEXT,
            note TEXT NOT NULL DEFAULT '',
            note_version INTEGER NOT NULL DEFAULT 0,
            task_id TEXT,
            incident_id TEXT,
            immediate_risk INTEGER NOT NULL DEFAULT 0,
            record TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(record))
        ) STRICT;
        CREATE INDEX contacts_open ON contacts(status, staff_number);
        CREATE INDEX contacts_reference ON contacts(reference);
        CREATE INDEX contacts_customer ON contacts(channel, reference_key);

        CREATE TABLE steps (
            contact_id TEXT NOT NULL REFERENCES contacts(id),
            position INTEGER NOT NULL,
            step TEXT NOT NULL,
            number INTEGER NOT NULL CHECK (number BETWEEN 0 AND 9),
            label TEXT NOT NULL,
            said TEXT NOT NULL CHECK (json_valid(said)),
            warning INTEGER NOT NULL DEFAULT 0 CHECK (warning IN (0, 1)),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            event_seq INTEGER NOT NULL,
            PRIMARY KEY (contact_id, position)
        ) STRICT;

        CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            contact_id TEXT NOT NULL REFERENCES contacts(id),
            channel TEXT NOT NULL,
            office TEXT NOT NULL,
            staff_number TEXT NOT NULL,
            customer_name TEXT NOT NULL,
            reference TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            summary TEXT NOT NULL,
            recorded_at TEXT,
            recorded_by TEXT
        ) STRICT;

        CREATE TABLE tasks (
            id TEXT PRIMARY KEY,
            spec TEXT NOT NULL,
            title TEXT NOT NULL,
            role TEXT NOT NULL,
            office TEXT NOT NULL,
            flow TEXT,
            contact_id TEXT REFERENCES contacts(id),
            incident_id TEXT REFERENCES incidents(id),
            customer_name TEXT NOT NULL,
            reference TEXT NOT NULL,
            created_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'done')),
            done_at TEXT,
            done_by TEXT,
            done_note TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX tasks_queue ON tasks(status, role, office, due_at);

        CREATE TABLE counters (
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) STRICT;
        """
    )


@migrations()
def m002_alerts(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY,
            office TEXT NOT NULL,
            raised_by TEXT NOT NULL,
            raised_name TEXT NOT NULL,
            contact_id TEXT,
            channel TEXT NOT NULL DEFAULT '',
            raised_at TEXT NOT NULL,
            acknowledged_at TEXT,
            acknowledged_by TEXT,
            acknowledged_name TEXT
        ) STRICT;
        CREATE INDEX alerts_open ON alerts(office, acknowledged_at);
        """,
    )


@migrations()
def m003_customers_and_connections(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE customers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            reference TEXT NOT NULL DEFAULT '',
            reference_key TEXT GENERATED ALWAYS AS (replace(upper(reference), ' ', '')) VIRTUAL,
            version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
            added_at TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            changed_by TEXT NOT NULL
        ) STRICT;
        CREATE INDEX customers_reference ON customers(reference_key);
        CREATE INDEX customers_name ON customers(name COLLATE NOCASE);
        ALTER TABLE contacts ADD COLUMN customer_id TEXT REFERENCES customers(id);
        ALTER TABLE contacts ADD COLUMN connection_ended_at TEXT;
        CREATE INDEX contacts_customer_id ON contacts(customer_id, channel);
        """,
    )


@migrations()
def m004_incident_report_form(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        ALTER TABLE incidents ADD COLUMN report TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(report));
        ALTER TABLE incidents ADD COLUMN report_version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE incidents ADD COLUMN reported_at TEXT;
        ALTER TABLE incidents ADD COLUMN reported_by TEXT;
        ALTER TABLE incidents ADD COLUMN distribution TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(distribution));
        CREATE INDEX incidents_occurred ON incidents(occurred_at);
        """,
    )


@migrations()
def m005_task_channel_and_assignee(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        ALTER TABLE tasks ADD COLUMN channel TEXT NOT NULL DEFAULT '';
        ALTER TABLE tasks ADD COLUMN assignee TEXT;
        UPDATE tasks SET channel = coalesce((SELECT channel FROM contacts WHERE contacts.id = tasks.contact_id), '');
        CREATE INDEX tasks_assignee ON tasks(status, assignee, due_at) WHERE assignee IS NOT NULL;
        CREATE INDEX tasks_office ON tasks(status, office, due_at);
        """,
    )


@migrations()
def m006_signatures(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE signatures (
            contact_id TEXT NOT NULL REFERENCES contacts(id),
            task_id TEXT NOT NULL REFERENCES tasks(id),
            staff_number TEXT NOT NULL,
            agreed INTEGER NOT NULL CHECK (agreed IN (0, 1)),
            comment TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            PRIMARY KEY (contact_id, staff_number)
        ) STRICT;
        """,
    )


@migrations()
def m007_queue_covering_index(db: sqlite_utils.Database) -> None:
    """The queue reads each branch (a role's tasks at an office; a person's own) by due time, and
    counts them by kind, from the index alone."""
    _run_script(
        db,
        """
        DROP INDEX tasks_queue;
        CREATE INDEX tasks_queue ON tasks(status, role, office, assignee, due_at, spec);
        DROP INDEX tasks_assignee;
        CREATE INDEX tasks_assignee ON tasks(status, assignee, due_at, spec) WHERE assignee IS NOT NULL;
        """,
    )


@migrations()
def m008_letters_and_outbox(db: sqlite_utils.Database) -> None:
    """Letters drafted, signed off and followed up; the e-mail they send, waiting or sent."""
    _run_script(
        db,
        """
        CREATE TABLE letters (
            id TEXT PRIMARY KEY,
            spec TEXT NOT NULL,
            incident_id TEXT REFERENCES incidents(id),
            contact_id TEXT REFERENCES contacts(id),
            office TEXT NOT NULL,
            customer_name TEXT NOT NULL,
            reference TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('drafting', 'submitted', 'returned', 'approved')),
            draft TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(draft)),
            version INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
            editors TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(editors)),
            drafted_by TEXT,
            submitted_at TEXT,
            returned_reason TEXT NOT NULL DEFAULT '',
            returned_by TEXT,
            approved_by TEXT,
            approved_name TEXT,
            approved_at TEXT,
            actions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(actions)),
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX letters_incident ON letters(incident_id);
        CREATE INDEX letters_contact ON letters(contact_id, status);
        ALTER TABLE tasks ADD COLUMN letter_id TEXT REFERENCES letters(id);
        CREATE INDEX tasks_letter ON tasks(letter_id) WHERE letter_id IS NOT NULL;

        CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            letter_id TEXT REFERENCES letters(id),
            incident_id TEXT,
            purpose TEXT NOT NULL,
            list_name TEXT NOT NULL,
            recipients TEXT NOT NULL CHECK (json_valid(recipients)),
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            attachment_name TEXT,
            attachment BLOB,
            attachment_sha256 TEXT,
            status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'held')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            next_attempt_at TEXT,
            last_error TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            sent_at TEXT
        ) STRICT;
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        CREATE INDEX outbox_letter ON outbox(letter_id);
        """,
    )


@migrations()
def m009_register_search(db: sqlite_utils.Database) -> None:
    """Full-text search over the register: customers' names and references (an index over the
    customers table), and what contacts recorded (the name, reference, note and the case note's
    fields as text, kept in the index's own table so a hit can be shown in context), kept in step by
    triggers."""
    _run_script(
        db,
        """
        CREATE VIRTUAL TABLE customers_fts USING fts5(name, reference, content='customers', tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
            INSERT INTO customers_fts(rowid, name, reference) VALUES (new.rowid, new.name, new.reference);
        END;
        CREATE TRIGGER customers_fts_update AFTER UPDATE OF name, reference ON customers BEGIN
            INSERT INTO customers_fts(customers_fts, rowid, name, reference) VALUES ('delete', old.rowid, old.name, old.reference);
            INSERT INTO customers_fts(rowid, name, reference) VALUES (new.rowid, new.name, new.reference);
        END;
        CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
            INSERT INTO customers_fts(customers_fts, rowid, name, reference) VALUES ('delete', old.rowid, old.name, old.reference);
        END;
        INSERT INTO customers_fts(customers_fts) VALUES ('rebuild');

        CREATE VIRTUAL TABLE contacts_fts USING fts5(text, tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
            INSERT INTO contacts_fts(rowid, text) VALUES (new.rowid, new.customer_name || ' ' || new.reference || ' ' || new.note || ' '
                || coalesce((SELECT group_concat(value, ' ') FROM json_each(new.record)), ''));
        END;
        CREATE TRIGGER contacts_fts_update AFTER UPDATE OF customer_name, reference, note, record ON contacts BEGIN
            DELETE FROM contacts_fts WHERE rowid = old.rowid;
            INSERT INTO contacts_fts(rowid, text) VALUES (new.rowid, new.customer_name || ' ' || new.reference || ' ' || new.note || ' '
                || coalesce((SELECT group_concat(value, ' ') FROM json_each(new.record)), ''));
        END;
        CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
            DELETE FROM contacts_fts WHERE rowid = old.rowid;
        END;
        INSERT INTO contacts_fts(rowid, text) SELECT rowid, customer_name || ' ' || reference || ' ' || note || ' '
            || coalesce((SELECT group_concat(value, ' ') FROM json_each(record)), '') FROM contacts;
        """,
    )


@migrations()
def m010_control_measures(db: sqlite_utils.Database) -> None:
    """Control measures on a customer (markers, contact restrictions, warnings given), each with its
    reason, review date and the task that reviews it; and the requests for a decision made from a
    customer's record (who asked, why)."""
    _run_script(
        db,
        """
        CREATE TABLE measures (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            office TEXT NOT NULL,
            pack TEXT NOT NULL,
            spec TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('marker', 'restriction', 'adjustment', 'warning')),
            status TEXT NOT NULL CHECK (status IN ('live', 'lifted')),
            reason TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            told TEXT NOT NULL DEFAULT '',
            connected_person TEXT NOT NULL DEFAULT '',
            starts_on TEXT NOT NULL,
            review_on TEXT,
            incident_id TEXT,
            decision_task_id TEXT,
            proposers TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(proposers)),
            set_by TEXT NOT NULL,
            set_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            changed_by TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            review_task_id TEXT,
            lifted_reason TEXT NOT NULL DEFAULT ''
        ) STRICT;
        CREATE INDEX measures_customer ON measures(customer_id, status);
        CREATE INDEX measures_review ON measures(status, review_task_id, review_on);
        CREATE INDEX measures_review_task ON measures(review_task_id) WHERE review_task_id IS NOT NULL;

        CREATE TABLE measure_requests (
            task_id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            proposed_by TEXT NOT NULL,
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        ) STRICT;
        """,
    )
