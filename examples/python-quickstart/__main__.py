"""A contact center's four kinds of Job Router object from Python, with the generated pulumi_jobrouter SDK."""

import pulumi
import pulumi_jobrouter as jobrouter

config = pulumi.Config()

longest_idle = jobrouter.DistributionPolicy(
    "longest-idle",
    name="Longest idle",
    offer_expires_after_seconds=60,
    mode=jobrouter.DistributionModeArgs(kind="longestIdle", min_concurrent_offers=1, max_concurrent_offers=1),
)

escalation = jobrouter.ExceptionPolicy(
    "escalation",
    exception_rules=[
        jobrouter.ExceptionRuleArgs(
            id="long-wait",
            trigger=jobrouter.ExceptionTriggerArgs(kind="waitTime", threshold_seconds=300),
            actions=[jobrouter.ExceptionActionArgs(kind="manualReclassify", priority=10)],
        )
    ],
)

sales = jobrouter.RouterQueue(
    "sales",
    name=config.get("queueName") or "Sales",
    distribution_policy_id=longest_idle.id,
    exception_policy_id=escalation.id,
    labels={"region": "EU"},
)

by_region = jobrouter.ClassificationPolicy(
    "by-region",
    fallback_queue_id=sales.id,
    prioritization_rule=jobrouter.RouterRuleArgs(kind="static", value=1),
)

pulumi.export("queue", sales.queue_id)
pulumi.export("queueName", sales.name)
