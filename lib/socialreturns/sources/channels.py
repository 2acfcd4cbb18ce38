"""From a visit's source, medium and campaign (GA4 sessions, UTM-tagged clicks) to our channels.

GA4 sorts sessions into its *default channel grouping* by source and medium (Analytics Help,
"[GA4] Default channel group"): ``Direct``, ``Paid Social``, ``Organic Social``, ``Paid
Video``, ``Paid Search``, ``Email``, ... Our touchpoints name the platform instead
(``facebook``, ``instagram``, the names of ``spend.channel``), so `ChannelMap` first finds the
group by GA4's rules (simplified: its list of social and video sites is cut to the platforms
below) and then the channel of the group: for social and video groups, the platform the source
names; for paid search, ``<source>_search`` (``google_search``, as the Google Ads import names
Search campaigns); the other groups are not social touchpoints and are dropped (and logged).
Both steps can be overridden in YAML (``--channel-map``)::

    platforms:            # a source (lower case, exact) -> our platform
      fb-ads: facebook
    groups:               # a GA4 group -> our channel; {platform} / {source}; null drops
      Email: email
      Paid Search: null

Paid groups keep the campaign name; organic ones get ``(organic)`` (``data/README.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from socialreturns.inputs import InputError, read_yaml_mapping

#: Sources (lower case) that name a platform: exact names, then hosts ending in ``.<domain>``.
PLATFORM_SOURCES: Mapping[str, str] = MappingProxyType({
    "facebook": "facebook", "fb": "facebook", "facebook.com": "facebook", "messenger": "facebook",
    "instagram": "instagram", "ig": "instagram", "instagram.com": "instagram",
    "tiktok": "tiktok", "tiktok.com": "tiktok", "youtube": "youtube", "youtube.com": "youtube",
    "youtu.be": "youtube", "pinterest": "pinterest", "pinterest.com": "pinterest",
    "linkedin": "linkedin", "linkedin.com": "linkedin", "lnkd.in": "linkedin",
    "twitter": "twitter", "twitter.com": "twitter", "t.co": "twitter", "x": "twitter", "x.com": "twitter",
    "reddit": "reddit", "reddit.com": "reddit", "snapchat": "snapchat", "snapchat.com": "snapchat",
})  # fmt: skip
VIDEO_PLATFORMS = frozenset({"youtube"})
SEARCH_SOURCES = frozenset({"google", "bing", "yahoo", "duckduckgo", "baidu", "yandex", "ecosia"})

#: GA4's groups, each to our channel (``{platform}``: the source's platform; ``{source}``: the
#: source itself; None: dropped, not a social touchpoint).
DEFAULT_GROUPS: Mapping[str, str | None] = MappingProxyType({
    "Paid Social": "{platform}", "Organic Social": "{platform}", "Paid Video": "{platform}",
    "Organic Video": "{platform}", "Paid Search": "{source}_search", "Direct": None,
    "Cross-network": None, "Organic Search": None, "Display": None, "Email": None, "Affiliates": None,
    "Referral": None, "Paid Other": None, "Unassigned": None,
})  # fmt: skip
PAID_GROUPS = frozenset(
    {"Paid Social", "Paid Video", "Paid Search", "Display", "Paid Other", "Cross-network"}
)
ORGANIC_CAMPAIGN = "(organic)"

_PAID_MEDIUM = r"^(?:.*cp.*|ppc|retargeting|paid.*)$"
_SOCIAL_MEDIUM = r"^(?:social|social-network|social-media|sm|social network|social media)$"


@dataclass(frozen=True)
class ChannelMap:
    """Sources to platforms and GA4 groups to our channels (defaults above, YAML overrides)."""

    platforms: Mapping[str, str] = field(default_factory=lambda: PLATFORM_SOURCES)
    groups: Mapping[str, str | None] = field(default_factory=lambda: DEFAULT_GROUPS)

    def platform(self, sources: pd.Series) -> pd.Series:
        """The platform each lower-cased source names (exact, or a host under its domain:
        ``l.facebook.com``), else NA."""
        found = sources.map(self.platforms)
        hosts = sources[found.isna() & sources.str.contains(".", regex=False).fillna(False)]
        for name, platform in self.platforms.items():
            if "." in name and len(hosts):
                under = hosts.str.endswith("." + name).fillna(False)
                found[under[under].index] = platform
        return found.astype("string")

    def classify(self, source: pd.Series, medium: pd.Series, campaign: pd.Series) -> pd.DataFrame:
        """GA4's group, our channel and campaign of each visit.

        Parameters
        ----------
        source, medium, campaign
            Text, aligned; missing values allowed (a missing source and medium is ``Direct``).

        Returns
        -------
        pandas.DataFrame
            ``group`` (GA4's default channel group), ``channel`` (NA: dropped) and ``campaign``
            (the campaign for paid groups, ``(organic)`` for the others), on the same index.
        """
        src = source.astype("string").str.strip().str.lower().fillna("(direct)")
        med = medium.astype("string").str.strip().str.lower().fillna("(none)")
        camp = campaign.astype("string").str.strip()
        platform = self.platform(src)
        social, video = platform.notna(), platform.isin(VIDEO_PLATFORMS)
        paid = med.str.fullmatch(_PAID_MEDIUM).fillna(False)
        rules = [
            (src.eq("(direct)") & med.isin(["(none)", "(not set)", ""]), "Direct"),
            (camp.str.contains("cross-network", case=False).fillna(False), "Cross-network"),
            (social & ~video & paid, "Paid Social"),
            (video & paid, "Paid Video"),
            (video, "Organic Video"),
            (social | med.str.fullmatch(_SOCIAL_MEDIUM).fillna(False), "Organic Social"),
            (src.isin(SEARCH_SOURCES) & paid, "Paid Search"),
            (med.isin(["display", "banner", "expandable", "interstitial", "cpm"]), "Display"),
            (med.eq("organic") | src.isin(SEARCH_SOURCES) & med.eq("referral"), "Organic Search"),
            (med.isin(["email", "e-mail", "e_mail", "e mail"]) | src.isin(["email", "e-mail"]), "Email"),
            (med.eq("affiliate"), "Affiliates"),
            (med.isin(["referral", "app", "link"]), "Referral"),
            (paid, "Paid Other"),
        ]  # fmt: skip
        group = pd.Series(np.select([r.to_numpy(dtype=bool) for r, _ in rules], [g for _, g in rules],
                                    default="Unassigned"), index=src.index, dtype="string")  # fmt: skip
        template = group.map(dict(self.groups)).astype("string")
        channel = _filled(
            _filled(template, "{platform}", platform), "{source}", src.str.replace(r"\W+", "_", regex=True)
        )
        paid_group = group.isin(PAID_GROUPS)
        campaign_out = camp.where(paid_group & ~camp.isin(["(not set)", "(direct)", "(organic)", ""]))
        campaign_out = campaign_out.mask(~paid_group, ORGANIC_CAMPAIGN)
        return pd.DataFrame({"group": group, "channel": channel, "campaign": campaign_out})


def _filled(template: pd.Series, token: str, values: pd.Series) -> pd.Series:
    """``template`` with ``token`` replaced by ``values`` row by row (NA where a value is
    missing), computed once per distinct pair: there are few templates and platforms."""
    has = template.str.contains(token, regex=False).fillna(False)
    if not has.any():
        return template
    pairs = pd.DataFrame({"t": template[has], "v": values[has]})
    unique = pairs.drop_duplicates()
    filled = [
        t.replace(token, v) if isinstance(v, str) else pd.NA
        for t, v in zip(unique["t"], unique["v"], strict=True)
    ]
    lookup = pd.Series(filled, index=pd.MultiIndex.from_frame(unique), dtype="string")
    out = template.copy()
    out[has] = lookup.reindex(pd.MultiIndex.from_frame(pairs)).to_numpy()
    return out


def load_channel_map(path: str | Path | None) -> ChannelMap:
    """The default `ChannelMap`, with a YAML file's ``platforms`` and ``groups`` on top.

    Raises
    ------
    InputError
        An unknown key or group, or a value that is not text (or null for a group).
    """
    if path is None:
        return ChannelMap()
    spec = read_yaml_mapping(path, what="channel map")
    for key in spec:
        if key not in ("platforms", "groups"):
            raise InputError(f"unknown key '{key}'", file=path, key=str(key), expected="platforms, groups")
    platforms = spec.get("platforms") or {}
    groups = spec.get("groups") or {}
    if not isinstance(platforms, dict) or not all(isinstance(v, str) for v in platforms.values()):
        raise InputError("is not a mapping of sources to platforms", file=path, key="platforms",
                         expected="platforms: {source: platform}, e.g. {fb-ads: facebook}")  # fmt: skip
    if not isinstance(groups, dict):
        raise InputError("is not a mapping", file=path, key="groups", expected="groups: {GA4 group: channel}")
    for name, value in groups.items():
        if name not in DEFAULT_GROUPS:
            raise InputError(f"names the unknown group '{name}'", file=path, key=f"groups.{name}",
                             expected="one of " + ", ".join(DEFAULT_GROUPS))  # fmt: skip
        if value is not None and not isinstance(value, str):
            raise InputError(f"is {value!r}", file=path, key=f"groups.{name}",
                             expected="a channel name ({platform} and {source} allowed) or null to drop")  # fmt: skip
    return ChannelMap(
        MappingProxyType({**PLATFORM_SOURCES, **{str(k).lower(): v for k, v in platforms.items()}}),
        MappingProxyType({**DEFAULT_GROUPS, **groups}),
    )
