"""Sample data with known truth: a fictional brand, its paid social channels and its customers.

`generate(seed, scale)` draws five tables (``mentions``, ``spend``, ``touchpoints``, ``orders``,
``customers``) and a `Truth` that records every parameter that drew them, so the analyses can be
tested against known answers. The generating story, in one paragraph each:

* **Spend → revenue.** Each paid channel runs campaigns with bursts, flighting and pauses. Its
  daily spend is carried over by geometric adstock ``a_t = x_t + decay * a_{t-1}`` (spend units,
  per day) and saturates through a Hill curve ``beta * a**s / (a**s + K**s)``; that is the
  channel's expected *first-order* revenue that day. It arrives as newly acquired customers,
  each placing a first order. The truth's ``roas`` is that expected revenue summed over the
  24 months divided by the channel's spend (currency per currency).
* **Customers.** Besides paid acquisition there is organic acquisition (a trend, a yearly
  season, a weekly pattern) and referral acquisition (existing customers refer new ones at a
  known rate). After the first order every customer buys again by the BG/NBD process (Fader,
  Hardie & Lee 2005, section 2): Poisson purchases at rate ``lambda ~ Gamma(r, alpha)`` per
  week, dropping out after each repeat purchase with probability ``p ~ Beta(a, b)``. Order
  values follow the Gamma-Gamma model (Fader, Hardie & Lee 2005b): ``nu ~ Gamma(q, gamma)``
  per customer, each order's value ``~ Gamma(p, nu)``.
* **Journeys.** A share of orders is tracked: their touchpoints in the 45 days before the order
  (paid acquisitions always show their channel), plus journeys of prospects that never convert.
* **Mentions.** Posts about the brand and three competitors with a true sentiment label,
  emoji, slang, negation, contrast, hashtags, handles, URLs, some non-English text and some
  personal data. Customer questions to the brand are answered at a known rate and speed per
  platform; an asker whose question was answered is more likely to post positively afterwards.
  A product crisis makes negative mentions of the brand spike in a known window.

Submodules:

* `truth`: the story's parameters (constants) and the `Truth` record, `load_truth`.
* `commerce`: spend and its response curves, customers and orders, touchpoints.
* `templates`: the mention text templates and how their fields are filled.
* `mentions`: the mentions table (posts, crisis, answers, follow-ups, retweets, reach).
* `sample`: `generate` a `Sample` and `write` it to a folder.
* `routes`: `labelled_mentions`, brand-directed posts with their true routes (organisation tests),
  and `sample_posts`, the sample's 1,500 such posts.
* `weekly`: `generate_weekly`, a confounded weekly media mix with known truth (a latent demand
  drives one channel's spend and revenue), for testing the incremental model's recovery.
"""

from . import routes
from .sample import FORMATS, Sample, generate, write
from .truth import (
    BGNBD,
    BRAND,
    CHANNELS,
    COMPETITORS,
    CRISIS,
    CURRENCY,
    DEFAULT_SEED,
    GAMMA_GAMMA,
    N_DAYS,
    PLATFORMS,
    RESPONSE,
    RESPONSE_SIGMA,
    START,
    TRACKED_SHARE,
    Truth,
    load_truth,
)
from .weekly import WEEKLY_CHANNELS, WeeklySample, generate_weekly

__all__ = [
    "BGNBD",
    "BRAND",
    "CHANNELS",
    "COMPETITORS",
    "CRISIS",
    "CURRENCY",
    "DEFAULT_SEED",
    "FORMATS",
    "GAMMA_GAMMA",
    "N_DAYS",
    "PLATFORMS",
    "RESPONSE",
    "RESPONSE_SIGMA",
    "START",
    "TRACKED_SHARE",
    "WEEKLY_CHANNELS",
    "Sample",
    "Truth",
    "WeeklySample",
    "generate",
    "generate_weekly",
    "load_truth",
    "routes",
    "write",
]
