"""Social data for the whole organisation: each mention routed to the teams that act on it.

`route` gives one row per mention with a boolean column per route (care, complaint, purchase
intent, missing ad disclosure, regulated claim, product feedback, employer, crisis) and the rule
and words that fired, so every list a team receives can say why each post is on it.

Submodules:

* `patterns`: the phrase syntax and its compilation to one trie-shaped alternation per route.
* `rules`: the routes' phrase lists, the guards, the ad disclosures by language.
* `lists`: the reviewable parameter files, `read_creators` and `read_claims`.
* `routes`: `route`.
* `teams`: what care and PR act on now: `care_queue`, `care_summary`, `crisis_status`.
* `alerts`: the hourly alerts: `compute_alerts`, `run_alerts` (sending in `socialreturns.notify`).
"""

from .lists import CLAIMS_FILE, CREATORS_FILE, Claims, Creator, read_claims, read_creators
from .routes import route
from .rules import DISCLOSURES, ROUTES
from .teams import CrisisStatus, care_queue, care_summary, crisis_status

__all__ = ["CLAIMS_FILE", "CREATORS_FILE", "DISCLOSURES", "ROUTES", "Claims", "Creator", "read_claims",
           "read_creators", "route"]  # fmt: skip
__all__ += ["CrisisStatus", "care_queue", "care_summary", "crisis_status"]

from .alerts import alert_id, compute_alerts, run_alerts  # noqa: E402

__all__ += ["alert_id", "compute_alerts", "run_alerts"]
