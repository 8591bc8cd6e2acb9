"""English complaint rules (see ``monitor.detect.complaints``)."""

_W = r"[^.!?]{0,40}?"  # a few words within the same sentence

FRAUD = (
    r"\b(?:scam(?:med|mers?)?|fraud(?:ulent)?|thie(?:f|ves)|stole (?:my|our)"
    r"|ripped (?:me|us) off|counterfeit|knock-?off)\b"
)
LEGAL = (
    r"\b(?:lawyer|attorney|sue|suing|lawsuit|legal action|small claims|trading standards"
    r"|consumer protection|better business bureau|report(?:ed|ing)? (?:you|them) to)\b"
)
SAFETY = (
    r"\b(?:caught fire|on fire|burst into flames|explod(?:ed|es|ing)|electric(?:al)? shock"
    r"|shocked me|burn(?:ed|t) (?:me|my|his|her|our)|allergic reaction|hospital|poison(?:ed|ing)?"
    r"|injur(?:y|ed|ies)|choking hazard|unsafe|toxic|moldy|mouldy|fire hazard)\b"
)

EN_RULES = (
    (FRAUD, "fraud", "critical"),
    (LEGAL, None, "critical"),
    (SAFETY, "product", "critical"),
    # delivery
    (
        r"\bnever (?:arrived|came|showed up|got delivered|been delivered|received|got (?:it|them"
        r"|my|the|anything))\b",
        "delivery",
        "high",
    ),
    (
        r"\b(?:haven't|have not|hasn't|has not|didn't|did not|still not|yet to)"
        r" (?:yet |even |ever )?(?:received|receive|arrived|arrive|been delivered"
        r"|been shipped|shipped)\b",
        "delivery",
        "high",
    ),
    (
        r"\b(?:package|parcel|order|delivery|shipment|item)s?\b" + _W + r"\b(?:lost|missing"
        r"|late|delayed|stolen|never)\b",
        "delivery",
        "medium",
    ),
    (r"\b(?:still|been|keep|am) waiting (?:for|on)\b", None, "medium"),
    (
        r"\bwrong (?:item|size|colou?r|product|order|model|one|part)s?\b",
        "delivery",
        "medium",
    ),
    (r"\b(?:marked|shows?|says?) (?:as )?delivered\b", "delivery", "high"),
    # packaging
    (
        r"\b(?:arrived|came|delivered|showed up|box was|package was|packaging was)"
        r" (?:all |completely |totally )?(?:damaged|broken|crushed|opened|smashed|dented|cracked"
        r"|torn|wet|leaking|shattered)\b",
        "packaging",
        "medium",
    ),
    # tracking
    (
        r"\btracking\b" + _W + r"\b(?:doesn't|does not|isn't|is not|not|won't|never|hasn't"
        r"|has not)(?: been)? (?:work|working|updated?|valid|found|show|exist|moved|changed)",
        "tracking",
        "medium",
    ),
    (r"\b(?:no|without|invalid|wrong|fake) tracking\b", "tracking", "medium"),
    # customer service
    (
        r"\bno(?:body| ?one) (?:ever )?(?:answers|answered|replies|replied|responds|responded"
        r"|gets back|got back|picks up|picked up|called back|calls back|bothered)\b",
        "customer_service",
        "medium",
    ),
    (
        r"\b(?:no|never got an?|never received an?|without an?|still no|zero) (?:reply|replies"
        r"|response|responses|answer|call ?back)\b",
        "customer_service",
        "medium",
    ),
    (
        r"\bignor(?:ed|es|ing) (?:my|our|all|every) (?:e-?mails?|messages?|calls?|requests?"
        r"|complaints?)",
        "customer_service",
        "medium",
    ),
    (
        r"\b(?:didn't|did not|don't|do not|won't|will not|never|doesn't|does not) (?:even )?"
        r"(?:answer|reply|respond|get back to)\b"
        r"|\b(?:never|haven't|hasn't|have not|has not|still haven't|still hasn't) (?:even |yet )?"
        r"(?:answered|replied|responded|got back to|gotten back to|returned my)\b",
        "customer_service",
        "medium",
    ),
    (
        r"\b(?:rude|unhelpful|incompetent|arrogant|useless) (?:staff|customer service|support"
        r"|agents?|sellers?|reps?|representatives?|employees?|people)\b",
        "customer_service",
        "medium",
    ),
    (
        r"\b(?:customer service|customer support|support|seller)\b (?:is|was|are|were)"
        r" (?:terrible|awful|horrible|useless|non-?existent|a joke|rude|bad|poor|the worst)\b",
        "customer_service",
        "medium",
    ),
    (r"\bon hold for\b", "customer_service", "medium"),
    # refunds and returns
    (
        r"\b(?:still|never|no|haven't|have not|didn't|did not|yet to|waiting for|without)"
        r" (?:got |gotten |received |receive |get |seen |issued )?(?:a |my |the |any |our )?"
        r"(?:refund|money back)",
        "refund_return",
        "high",
    ),
    (
        r"\b(?:refused|refuse|refuses|won't|will not|wouldn't|would not) (?:to )?(?:give|issue"
        r"|process|accept|take|honou?r)" + _W + r"\b(?:refund|return|warranty)",
        "refund_return",
        "high",
    ),
    (
        r"\b(?:want|demand|asked for|requested|request|requesting) (?:a |my |for a )?"
        r"(?:refund|money back|replacement)",
        "refund_return",
        "medium",
    ),
    (
        r"\b(?:sent|send|sending|returned|returning|return|had to return) (?:it|them|this|these"
        r"|the item|the product) back\b|\b(?:returned|returning) (?:it|them|this|these)\b",
        "refund_return",
        "medium",
    ),
    # payment
    (
        r"\b(?:charged|billed) (?:me |us )?(?:twice|double|two times|again|without)\b"
        r"|\bdouble[- ]charged\b|\bchargeback\b|\bpayment (?:failed|was declined|didn't go"
        r" through|did not go through)",
        "payment",
        "high",
    ),
    # product
    (
        r"\b(?:stopped|quit|ceased|stops|quits) (?:working|charging|functioning|responding)\b",
        "product",
        "medium",
    ),
    (
        r"\b(?:doesn't|does not|didn't|did not|won't|will not|wouldn't|would not|never|can't"
        r"|cannot|couldn't|could not) (?:even |ever )?(?:work|worked|turn on|power on|charge"
        r"|hold a charge|connect|pair|fit|boot|load|play)\b",
        "product",
        "medium",
    ),
    (
        r"\b(?:broke|broken|cracked|defective|faulty|dead on arrival|doa|malfunction(?:ed|s|ing)?"
        r"|fell apart|falls apart|falling apart|came apart|peeling|leaks|leaked|leaking)\b",
        "product",
        "medium",
    ),
    (
        r"\bwaste of (?:money|time)\b|\b(?:do not|don't) (?:buy|bother|waste)\b"
        r"|\bpiece of (?:junk|crap|garbage|shit)\b|\bavoid (?:this|these|it)\b",
        "product",
        "medium",
    ),
    (
        r"\b(?:not|isn't|wasn't|nothing like|never) (?:as|what was|what's) (?:described"
        r"|advertised|pictured|shown)\b|\bmissing (?:parts?|pieces?|items?|screws?)\b",
        "product",
        "medium",
    ),
    # price
    (
        r"\b(?:overpriced|rip-?off|too expensive|not worth (?:the|its|it's|it|a) ?"
        r"(?:price|money|cost|penny)?)\b",
        "price",
        "medium",
    ),
)

# Praise that uses negative words ("no problems at all"): each match lowers the score.
EN_REASSURANCES = (
    r"\b(?:no|zero|without any|without a|never had (?:any|a|an)|never had|haven't had (?:any|a|an)"
    r"|have not had (?:any|a|an)|didn't have (?:any|a|an)|not a single|hasn't given me (?:any|a))"
    r" (?:single )?(?:problems?|issues?|complaints?|trouble|hiccups?|glitch(?:es)?|regrets?)\b",
    r"\bnothing to complain about\b|\bcan't complain\b|\bcannot complain\b",
    r"\b(?:very |really )?(?:little|nothing) (?:to critici[sz]e|to fault|bad to say)\b"
    r"|\b(?:can't|cannot) fault\b|\byet to be (?:disappointed|let down)\b",
    r"\bnot (?:too |that |so |half |at all )?(?:bad|shabby)\b",
)
