"""Use cases: staff and sign-in, guided contacts, the queue, the audit check, demo data.

Screens call these; they check the actor's role, validate what people typed, and write events
and projections in one transaction through the store.
"""
