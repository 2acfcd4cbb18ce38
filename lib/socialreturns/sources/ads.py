"""The ad tools whose spend reports we read: Meta Ads Manager, Google Ads, LinkedIn Campaign
Manager and TikTok Ads Manager, each a `spend.SpendLayout`.

Where the names come from (see also ``data/IMPORT.md``):

* Meta, English: the issue's header (``Reporting starts, Reporting ends, Campaign name, ...,
  Amount spent (EUR), Impressions``). French (``Début des rapports``, ``Fin des rapports``,
  ``Nom de la campagne``, ``Montant dépensé (EUR)``, ``Plateforme``), German (``Kampagnenname``,
  ``Ausgegebener Betrag (EUR)``, ``Impressionen``, ``Tag``) and Spanish (``Inicio del informe``,
  ``Nombre de la campaña``, ``Importe gastado (EUR)``, ``Impresiones``) as found in public
  parsers of Ads Manager exports. Not found in any public source, so written from Meta's
  wording and to be confirmed on a real export: German ``Berichtsbeginn``/``Berichtsende``,
  ``Plattform``, ``Platzierung`` and Spanish ``Fin del informe``, ``Plataforma``, ``Ubicación``.
* Google Ads: the issue's layout (a title line, a date-range line, then ``Campaign status,
  Campaign, ..., Currency code, ..., Cost``), with ``Day`` the segment that makes it daily.
* LinkedIn: the issue's header (``Start Date (in UTC), Account Name, Campaign Group Name,
  Campaign Name, Campaign ID, Currency, Total Spent, Impressions, Clicks``), M/D/YYYY.
* TikTok: ``Date`` or ``stat_time_day``, ``Campaign name``, ``Cost`` or ``spend``.
"""

from __future__ import annotations

from types import MappingProxyType

from .spend import SpendLayout

#: Meta's platform and placement values (normalised) to our channels. Messenger and the
#: Audience Network are bought through Facebook campaigns, so they count as facebook.
META_CHANNELS = MappingProxyType({
    "facebook": "facebook", "instagram": "instagram", "messenger": "facebook",
    "audience network": "facebook", "audience_network": "facebook",
})  # fmt: skip

META = SpendLayout(
    source="meta-ads",
    title="a Meta Ads Manager report",
    header="Reporting starts, Reporting ends, Campaign name, [Platform | Placement], Amount spent (EUR), "
    "Impressions and others; also in French, German and Spanish",
    campaign=("Campaign name", "Nom de la campagne", "Kampagnenname", "Nombre de la campaña"),
    spend=("Amount spent", "Montant dépensé", "Ausgegebener Betrag", "Importe gastado"),
    date=("Reporting starts", "Début des rapports", "Berichtsbeginn", "Inicio del informe", "Day"),
    end=("Reporting ends", "Fin des rapports", "Berichtsende", "Fin del informe"),
    currency=("Currency", "Devise", "Währung", "Divisa"),
    breakdown=(
        "Platform",
        "Plateforme",
        "Plattform",
        "Plataforma",
        "Placement",
        "Emplacement",
        "Platzierung",
        "Ubicación",
    ),  # fmt: skip
    channel_map=META_CHANNELS,
    ids=(
        "Campaign ID",
        "Ad set ID",
        "Ad ID",
        "Account ID",
        "Identifiant de la campagne",
        "Kampagnen-ID",
        "Identificador de la campaña",
    ),  # fmt: skip
    date_formats=("%Y-%m-%d", "%d.%m.%Y"),
    by_day="in Ads Manager, Reports > Export table data after choosing Breakdown > By time > Day",
)

#: Google Ads campaign types to our channels: video campaigns run on YouTube; the others are
#: kept apart as google_<type> (search is not social, but its spend must not vanish).
GOOGLE_CHANNELS = MappingProxyType({"video": "youtube"})

GOOGLE = SpendLayout(
    source="google-ads",
    title="a Google Ads campaign report",
    header="(title line, date-range line) Campaign status, Campaign, [Campaign type], Day, Currency code, "
    "..., Cost and others",
    campaign=("Campaign",),
    spend=("Cost",),
    date=("Day", "Date"),
    currency=("Currency code", "Currency"),
    breakdown=("Campaign type",),
    channel_map=GOOGLE_CHANNELS,
    channel_prefix="google_",
    ids=("Campaign ID", "Customer ID", "Ad group ID"),
    date_formats=("%Y-%m-%d", "%b %d, %Y", "%a, %b %d, %Y"),
    by_day="in Google Ads, Campaigns > Segment > Time > Day, then Download > .csv",
)

LINKEDIN = SpendLayout(
    source="linkedin-ads",
    title="a LinkedIn Campaign Manager report",
    header="(report preamble) Start Date (in UTC), Account Name, Campaign Group Name, Campaign Name, "
    "Campaign ID, Currency, Total Spent, Impressions, Clicks",
    campaign=("Campaign Name",),
    spend=("Total Spent", "Amount Spent"),
    date=("Start Date (in UTC)", "Start Date"),
    end=("End Date (in UTC)", "End Date"),
    currency=("Currency",),
    default_channel="linkedin",
    ids=("Campaign ID", "Campaign Group ID", "Account ID"),
    date_formats=("%m/%d/%Y", "%Y-%m-%d"),
    by_day="in Campaign Manager, Export > Campaign performance with Time breakdown 'Daily'",
    granularity=r"time (?:granularity|breakdown)\W+(\w+)",
)

TIKTOK = SpendLayout(
    source="tiktok-ads",
    title="a TikTok Ads Manager report",
    header="Date (or stat_time_day), Campaign name, [Currency], Cost (or spend), Impressions and others",
    campaign=("Campaign name", "campaign_name"),
    spend=("Cost", "spend", "Total cost"),
    date=("Date", "stat_time_day", "By Day", "Day"),
    currency=("Currency", "currency"),
    default_channel="tiktok",
    ids=("Campaign ID", "campaign_id", "Advertiser ID", "advertiser_id"),
    date_formats=("%Y-%m-%d", "%Y/%m/%d"),
    by_day="in TikTok Ads Manager, Reporting > custom report with the dimension Day (or Date)",
)

LAYOUTS = (META, GOOGLE, LINKEDIN, TIKTOK)
