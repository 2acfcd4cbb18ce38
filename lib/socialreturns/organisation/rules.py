"""The routes' phrase lists: what each team's list is made of, rule by rule, for review.

Each route is a mapping of rule name to phrases in the syntax of `patterns` (lower case, ``*``
for any word ending, ``'`` optional, ``{brand}`` any brand, ``{other}`` a brand other than the
mention's). A route fires when any phrase matches, after the `GUARDS` (negated or satisfied
phrasings such as "no problems at all", "not hiring", "price was fair") are blanked out of the
text. The regulated claims are not here: legal reviews them in ``params/organisation/claims.yaml``.

The phrases were written from the routes' definitions (issue #17) and checked on the generator's
*tuning* templates (`socialreturns.synth.routes`); the held-out templates and the public complaint
corpus were not used to choose them.
"""

from __future__ import annotations

# fmt: off
# (phrase lists are kept a few to a line, for review)

ROUTES = ("care", "complaint", "purchase_intent", "disclosure_missing", "regulated_claim",
          "product_feedback", "employer", "crisis")  # fmt: skip

# Blanked out before any route is matched: each is a phrase that contains a route's words but
# says the opposite (negation, a settled matter, a statement rather than an ask).
GUARDS = [
    # care / complaint
    "no question*", "no questions asked", "no help needed", "don't need help", "never mind", "nvm",
    "no problem*", "no issue*", "not a problem", "not an issue", "without any problem*", "without issue*",
    "can't complain", "cannot complain", "no complaint*", "not complaining", "not disappointed",
    "never disappoint*", "not bad", "not too bad", "not terrible", "problem solved", "issue resolved",
    "issue fixed", "problem fixed", "fixed it", "sorted it", "all sorted", "all good", "works fine",
    "working fine", "works great", "working great", "works perfectly", "no longer broken",
    "worst case", "worst part", "hard to beat", "thank you for the help", "thanks for the help",
    "thanks for helping", "help was great", "helped me", "no bugs", "bug free", "bug-free",
    # purchase intent
    "price was fair", "price is fair", "price was right", "fair price", "good price", "great price",
    "price was reasonable", "worth every penny", "already bought", "already ordered", "no longer for sale",
    "not buying", "won't buy", "not recommending", "wouldn't recommend", "would not recommend",
    # a recommendation given is not one asked for
    "would recommend", "would definitely recommend", "highly recommend*", "i recommend", "definitely recommend",
    "totally recommend", "recommend it to", "recommend to anyone", "recommended by",
    # employer
    "not hiring", "aren't hiring", "isn't hiring", "no longer hiring", "stopped hiring",
    "working at all", "work at all", "working at night", "working at home", "working at first",
    "job done", "great job", "good job", "nice job", "well done job", "does the job", "did the job",
    "do the job", "can't wait", "cannot wait", "couldn't be happier", "can't thank", "can't recommend",
    "can't beat", "can't fault", "can't go wrong", "can't get enough", "never been happier", "no worries",
    "don't worry", "no doubt", "not sure", "no idea", "why not", "not only", "nothing but praise",
    "nothing beats", "no wonder", "never thought", "inside job", "job of", "steve jobs", "no joke", "not joking",
]

COMPLAINT = {
    "fault": [
        "stopped working", "stops working", "not working", "isn't working", "wasn't working", "won't work",
        "doesn't work", "didn't work", "don't work", "does not work", "did not work", "never worked",
        "won't turn on", "won't charge", "won't connect", "won't pair", "broke", "broken", "breaks", "died",
        "dead", "faulty", "defective", "damaged", "cracked", "falling apart", "fell apart", "ripped", "leak*",
        "keeps disconnecting", "keeps dropping", "keeps crashing", "keeps freezing", "keeps failing",
        "stopped charging", "overheat*", "malfunction*", "glitch*", "error*", "wrong item", "wrong size",
        "wrong order", "missing", "expired", "half full", "mould*", "moldy", "stale",
    ],
    "service": [
        "worst", "terrible", "awful", "horrible", "horrendous", "appalling", "atrocious", "pathetic",
        "disgusting", "disgrace*", "shocking", "useless", "rubbish", "garbage", "trash", "crap", "junk",
        "incompeten*", "unacceptable", "ridiculous", "joke", "rude", "unprofessional", "scam*", "rip off",
        "ripoff", "rip-off", "fraud*", "lied", "lying", "misleading", "false advertising", "poor service",
        "bad service", "poor quality", "bad quality", "cheap plastic", "customer service sucks", "sucks",
        "suck", "fail", "fails", "failed", "failure", "#fail", "epic fail", "let down", "let me down",
        "disappoint*", "frustrat*", "annoy*", "furious", "angry", "pissed", "fed up", "sick of", "tired of",
        "had enough", "not happy", "unhappy", "not impressed", "unimpressed", "not satisfied", "dissatisfied",
        "not ok", "not okay", "not good enough", "not acceptable", "not fair", "shame on", "never again",
        "never buying", "never buy", "never ordering", "never shopping", "last time i", "boycott*",
        "waste of", "wasted", "regret*", "complain*", "nightmare", "hell", "ugh", "wtf", "seriously",
        "#badservice", "#customerservice", "#poorservice", "#nothappy", "#disappointed", "#worst",
    ],
    "delivery": [
        "never arrived", "never received", "never came", "hasn't arrived", "hasn't come", "not arrived",
        "not received", "haven't received", "didn't receive", "didn't arrive", "did not arrive",
        "not delivered", "wasn't delivered", "still waiting", "still haven't", "still hasn't", "still not",
        "still no", "still nothing", "still can't", "still don't", "still doesn't", "still broken", "late",
        "delay*", "lost my", "lost the", "stuck in", "weeks ago", "days ago", "months ago", "hours on hold",
        "on hold for", "no reply", "no response", "no answer", "not responding", "not replied",
        "no one replied", "nobody replied", "no one answered", "nobody answered", "nobody has", "no one has",
        "ignor*", "unanswered", "no help", "no update", "charged twice", "double charged", "overcharg*",
        "charged me", "billed me", "refund*", "money back", "cancel*", "unsubscribe", "can't log in",
        "can't login", "can't access", "can't get", "can't find", "can't even", "unable to", "impossible to",
        "having trouble", "having problems", "having issues", "problem*", "issue*", "trouble",
    ],
}

# Complaint markers from the feature analysis of Preotiuc-Pietro, Gaman & Aletras (2019, ACL,
# "Automatically Identifying Complaints in Social Media", section 6): complaints negate
# ("not", "n't", "no one", "never"), insist on time and repetition ("still", "again", "days",
# "since"), ask "why" and point at money and promises; non-complaints thank and praise. Broad on
# purpose (recall): the guards remove the settled and the polite negations ("can't wait").
COMPLAINT["expectation"] = [
    "not", "isn't", "wasn't", "won't", "can't", "cannot", "couldn't", "didn't", "doesn't", "don't",
    "haven't", "hasn't", "hadn't", "aren't", "weren't", "wouldn't", "shouldn't", "never", "no one",
    "nobody", "nothing", "none", "no", "still", "again", "yet to", "anymore", "every time", "each time",
    "second time", "third time", "2nd time", "3rd time", "for hours", "for days", "for weeks", "for months",
    "since", "hours", "days", "weeks", "months", "why", "you said", "you promised", "promised",
    "supposed to", "meant to", "charged", "paid for", "paying for", "fees", "wrong", "instead",
]

CARE = {
    "help_request": [
        "help me", "help us", "please help", "pls help", "plz help", "need help", "need some help",
        "can you help", "could you help", "can someone help", "can anyone help", "any help", "help!",
        "#help", "please advise", "pls advise", "advise please", "please assist", "assist me",
        "please fix", "pls fix", "fix this", "fix it", "sort this out", "sort it out", "look into",
        "get back to me", "dm me", "dm'd", "messaged you", "emailed you", "contact me", "call me",
        "reply please", "please reply", "please respond", "respond to", "answer me", "waiting for a reply",
        "waiting for your reply", "waiting to hear", "who do i contact", "who can i talk", "who should i",
    ],
    "question": [
        "how do i", "how can i", "how to", "how do you", "how long", "how come", "why is", "why does",
        "why can't", "why won't", "why do", "why did", "why are", "what's happening", "what is happening",
        "what happened to", "what's going on", "what do i", "what should i", "when will", "when is",
        "when does", "when do", "where is my", "where's my", "where is the", "is there a way", "is it possible",
        "is it normal", "can i", "can you", "could you", "could i", "would you", "will you", "will i",
        "do you", "does it", "does the", "is the", "is my", "are you", "any update", "any news", "any idea",
        "any ideas", "anyone know", "any advice", "any tips", "status of", "what's the status",
    ],
}

PURCHASE = {
    "where_to_buy": [
        "where can i buy", "where can i get", "where can i find", "where to buy", "where to get",
        "where do i buy", "where do i get", "where do you sell", "who sells", "who stocks", "which store*",
        "in stock", "out of stock", "back in stock", "restock*", "available in", "ship to", "deliver to",
        "sold out", "preorder", "pre-order", "pre order",
    ],
    "price": [
        "how much", "how much is", "how much does", "what's the price", "what is the price", "price of",
        "price for", "the price?", "cost of", "costs?", "discount*", "coupon*", "promo code", "promo",
        "voucher", "on sale", "go on sale", "black friday", "any deals", "deal on", "student price",
        "cheaper", "affordable", "worth the money", "is it worth", "are they worth", "is the {brand} worth",
    ],
    "recommendation": [
        "recommend*", "recs", "suggestions for", "which one should", "which should i", "should i get",
        "should i buy", "should i go for", "worth buying", "thinking of buying", "thinking about buying",
        "thinking of getting", "planning to buy", "want to buy", "wanna buy", "looking to buy",
        "looking for a", "in the market for", "gift idea*", "getting one", "get one for", "buy one",
        "ready to buy", "take my money", "add to cart", "checkout", "order one", "need one",
    ],
    "compare_or_switch": [
        "{brand} vs", "vs {brand}", "{brand} or {brand}", "{brand} versus", "compared to", "compare*",
        "better than", "worse than", "switching to", "switch to", "switched to", "switching from",
        "switched from", "moving to", "moved to", "going back to", "went back to", "ditching", "ditch",
        "leaving {brand} for", "jump ship", "jumping ship", "alternative to", "alternatives to",
        "instead of",
    ],
}

# The competitor in a comparing or switching post: the first brand named that is not the
# mention's own, after a switching verb (or either side of a comparison).
SWITCH = ["switching to {other}", "switch to {other}", "switched to {other}", "moving to {other}",
          "moved to {other}", "going back to {other}", "went back to {other}", "for {other}",
          "to {other}", "{other} vs", "vs {other}", "{other} or", "or {other}", "{other} instead",
          "than {other}", "{other}"]  # fmt: skip

PRODUCT = {
    "feature_request": [
        "please add", "pls add", "plz add", "please make", "please bring", "bring back", "add an option",
        "add a setting", "add support", "support for", "need an option", "an option to", "a way to",
        "would love", "i'd love", "would be nice", "would be great", "would be cool", "would be awesome",
        "it'd be nice", "it'd be great", "it would be nice", "it would be great", "wish it had",
        "wish it could", "wish there was", "wish you would", "wish you'd", "if only it", "feature request",
        "suggestion", "suggest*", "should add", "should have", "should make", "needs a", "needs an",
        "missing feature", "dark mode", "widget", "integration", "in the next update", "next version",
        "roadmap", "any plans", "when will you add", "will you add", "can you add", "could you add",
    ],
    "bug_report": [
        "bug", "bugs", "buggy", "crash*", "keeps crashing", "freez*", "frozen", "lag*", "glitch*",
        "error message", "error code", "throws an error", "won't sync", "doesn't sync", "not syncing",
        "won't update", "after the update", "since the update", "after updating", "since updating",
        "latest update", "new update", "firmware", "drains the battery", "battery drain", "won't pair",
        "won't connect", "keeps disconnecting", "disconnects", "logs me out", "logged out", "won't load",
        "doesn't load", "not loading", "blank screen", "black screen", "reset itself", "resets itself",
    ],
}

EMPLOYER = {
    "working_there": [
        "work at {brand}", "working at {brand}", "worked at {brand}", "work for {brand}",
        "working for {brand}", "worked for {brand}", "i work at", "i work for", "i worked at",
        "i worked for", "we work at", "my job at", "my first day at", "first day at", "last day at",
        "years at {brand}", "employee*", "staff are", "colleague*", "coworker*", "co-worker*", "my manager",
        "my boss", "warehouse worker*", "workers", "union", "#lifeat{brand}", "life at {brand}",
    ],
    "hiring": [
        "hiring", "#hiring", "job*", "career*", "vacanc*", "opening for", "open role*", "open position*",
        "position at", "role at", "internship*", "intern at", "graduate scheme", "recruit*", "apply for",
        "applied for", "applied to", "applied twice", "job application", "my application", "interview at", "interviewed at", "interview with", "job offer",
        "offer letter", "onboarding",
    ],
    "culture": [
        "company culture", "work culture", "culture at", "workplace", "place to work", "employer",
        "glassdoor", "salary", "salaries", "pay rise", "wages", "layoff*", "laid off", "redundanc*",
        "work-life balance", "work life balance", "benefits package", "toxic management", "burnout",
    ],
}

# Advertising disclosures by language (BCP 47 subtags as `sentiment.detect_language` returns them).
# A creator's post counts as disclosed by a term of its own language, or of English when the
# language is undetermined. German regulators want the German words ("Werbung", "Anzeige") and
# regard #ad alone as insufficient (Die Medienanstalten, Leitfaden Werbekennzeichnung bei
# Online-Medien); France's influencer law (loi 2023-451, art. 5) requires "publicité" or
# "collaboration commerciale"; Spain's AUTOCONTROL code (2021) lists "publicidad", "publi",
# "patrocinado", "en colaboración con"; the Dutch Reclamecode Social Media & Influencer Marketing
# lists #adv, #spon, #gesponsord, "reclame" and "betaalde samenwerking". The platforms' own labels
# ("paid partnership", "bezahlte Partnerschaft", ...) count in every language.
DISCLOSURES = {
    "en": ["#ad", "ad", "#advert", "#advertisement", "advertisement", "#sponsored", "sponsored",
           "sponsored by", "#spon", "paid partnership", "paid partnership with", "#paidpartnership",
           "in partnership with", "#partner", "#brandpartner", "#collab", "#gifted", "gifted by", "#promo"],
    "de": ["#werbung", "werbung", "#anzeige", "anzeige", "*werbung", "bezahlte partnerschaft",
           "bezahlte partnerschaft mit", "in kooperation mit", "#kooperation", "#unbezahltewerbung"],
    "fr": ["#pub", "pub", "#publicité", "publicité", "#publicite", "publicite", "#partenariat",
           "partenariat rémunéré", "collaboration commerciale", "#collaborationcommerciale",
           "en partenariat avec", "sponsorisé", "#sponsorisé"],
    "es": ["#publicidad", "publicidad", "#publi", "publi", "#patrocinado", "patrocinado", "patrocinada",
           "colaboración pagada", "#colaboración", "en colaboración con", "#ad"],
    "nl": ["#adv", "adv", "#advertentie", "advertentie", "#reclame", "reclame", "#spon", "#gesponsord",
           "gesponsord", "betaalde samenwerking", "betaald partnerschap", "in samenwerking met"],
}
PLATFORM_LABELS = ["paid partnership", "bezahlte partnerschaft", "partenariat rémunéré", "colaboración pagada",
                   "betaald partnerschap", "betaalde samenwerking"]  # fmt: skip
# fmt: on
