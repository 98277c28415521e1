"""The progress engine: the rules (rules.py, pure), recording evidence and earning
completions (evidence.py), a facilitator's overrides (overrides.py), and reading standing
(standing.py). No pages of its own: the learner's are in `learner`, the reports in `reports`."""
