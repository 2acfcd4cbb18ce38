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
* `sections`: the other teams' lists: `care_lists`, `sales_leads`, `legal_review`, `employer_brand`,
  `voice_of_customer`.
* `themes`: `product_themes`, TF-IDF and NMF themes of the product feedback.
* `report`: the notebook's `Parameters`, `FIGURES`, the as-of moment and the sentences.
* `alerts`: the hourly alerts: `compute_alerts`, `run_alerts` (sending in `socialreturns.notify`).
"""

from .lists import CLAIMS_FILE, CREATORS_FILE, Claims, Creator, read_claims, read_creators
from .report import (
    FIGURES,
    ROUTE_NAMES,
    Crisis,
    Parameters,
    care_answer,
    conclusions,
    crisis_now,
    describe_as_of,
    employer_answer,
    finance_headlines,
    for_reading,
    listing,
    score_brand,
)
from .routes import route
from .rules import DISCLOSURES, ROUTES
from .sections import (
    CareLists,
    care_lists,
    employer_brand,
    legal_review,
    lists_sentence,
    route_counts,
    sales_leads,
    voice_of_customer,
)
from .teams import CrisisStatus, care_queue, care_summary, crisis_status
from .themes import Themes, product_themes

__all__ = ["CLAIMS_FILE", "CREATORS_FILE", "DISCLOSURES", "ROUTES", "Claims", "Creator", "read_claims",
           "read_creators", "route"]  # fmt: skip
__all__ += ["CrisisStatus", "care_queue", "care_summary", "crisis_status"]
__all__ += ["FIGURES", "CareLists", "Crisis", "Parameters", "Themes", "care_answer", "care_lists", "conclusions",
            "crisis_now", "describe_as_of", "employer_answer", "employer_brand", "finance_headlines",
            "legal_review", "lists_sentence", "product_themes", "route_counts", "sales_leads", "score_brand",
            "voice_of_customer"]  # fmt: skip

from .alerts import alert_id, compute_alerts, run_alerts  # noqa: E402

__all__ += ["alert_id", "compute_alerts", "run_alerts"]
__all__ += ["ROUTE_NAMES", "for_reading", "listing"]
