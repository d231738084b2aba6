"""The extractor and check names a rule pack may use, readable without importing the matcher.

Loading a pack only has to know that ``extract: phone`` or ``check: near`` exists; importing
match/extract.py (phonenumbers) and match/checks.py for their registries cost about 60 ms of every
``rules list``/``explain``/``validate`` and of pack loading. tests/rules/test_names.py proves these
sets equal the keys of ``EXTRACTORS`` and ``CHECKS``: add a name here when you register one there.
"""

from __future__ import annotations

EXTRACTOR_NAMES: frozenset[str] = frozenset({
    "phone", "placeholder_phone", "placeholder", "time_limit", "trigger_condition", "quantity", "date",
    "response_level", "role", "person_name", "vague_duty", "slogan", "action_step",
})

CHECK_NAMES: frozenset[str] = frozenset({
    "vague_duties", "copied_duties", "restated_grades", "response_levels", "level_triggers", "level_actions",
    "issue_date", "stale_plan", "outdated_refs", "obsolete_orgs", "placeholders", "invalid_phones",
    "duplicate_phones", "near", "drill_frequency", "drill_too_rare", "card_gaps", "duplicate_paragraphs",
    "duty_entries", "local_facts", "plan_level", "boilerplate",
})
