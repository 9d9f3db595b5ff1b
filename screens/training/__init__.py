"""The training room's screens: choosing a scenario, the brief, the customer's side of the
conversation during practice, the score and debrief, and the trainer's view of a group."""
