"""The Job Router walkthrough with the official Python SDK (azure-communication-jobrouter 1.0.0), as its README
writes it, against the emulator over HTTPS; offers read from the worker and from Event Grid events delivered to a
local webhook and parsed with EventGridEvent.from_dict.

Protocol with the test that runs it (test/e2e/python-sdk.test.ts):
  1. prints WEBHOOK_URL=<url of its webhook> (the emulator is started with --event-webhook <url>);
  2. reads the emulator's own output lines on stdin: JOBROUTER_CONNECTION_STRING=... and JOBROUTER_CA_CERT=...;
  3. prints one line per step, RESULT <json> at the end, and exits 0; any failed check exits non-zero.
"""

import datetime
import json
import os
import queue
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from azure.communication.jobrouter import JobRouterAdministrationClient, JobRouterClient
from azure.communication.jobrouter.models import (
    BestWorkerMode,
    ClassificationPolicy,
    CloseJobOptions,
    CompleteJobOptions,
    ConditionalWorkerSelectorAttachment,
    DistributionPolicy,
    ExceptionPolicy,
    ExceptionRule,
    ExpressionRouterRule,
    LabelOperator,
    LongestIdleMode,
    ManualReclassifyExceptionAction,
    QueueAndMatchMode,
    RouterChannel,
    RouterJob,
    RouterQueue,
    RouterQueueSelector,
    RouterWorker,
    RouterWorkerSelector,
    ScheduleAndSuspendMode,
    ScoringRuleOptions,
    StaticQueueSelectorAttachment,
    StaticRouterRule,
    StaticWorkerSelectorAttachment,
    WaitTimeExceptionTrigger,
    WeightedAllocationWorkerSelectorAttachment,
    WorkerWeightedAllocation,
)
from azure.eventgrid import EventGridEvent

# Bounded waits for asynchronous delivery (events, close_at); never a measured assertion.
WAIT_SECONDS = 60
events: "queue.Queue[EventGridEvent]" = queue.Queue()


class Webhook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        for raw in json.loads(body):
            events.put(EventGridEvent.from_dict(raw))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def step(name, **facts):
    print(f"STEP {name} {json.dumps(facts, default=str)}", flush=True)


def offer_event(job_id):
    """The RouterWorkerOfferIssued event for job_id, from the webhook."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=1)
        except queue.Empty:
            continue
        if event.event_type == "Microsoft.Communication.RouterWorkerOfferIssued" and event.data["jobId"] == job_id:
            return event
    raise AssertionError(f"no RouterWorkerOfferIssued event for {job_id} within {WAIT_SECONDS} s")


def poll_status(router_client, job_id, wanted):
    """Polls the job until it reaches `wanted`, as the SDK's own tests do (_poll_until_no_exception)."""
    deadline = time.monotonic() + WAIT_SECONDS
    status = None
    while time.monotonic() < deadline:
        status = router_client.get_job(job_id).status
        if status == wanted:
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} is {status}, not {wanted}, after {WAIT_SECONDS} s")


def selector_facts(selector):
    return {"expedite": selector.expedite, "status": selector.status}


def service_facts(router_client, router_admin_client):
    """The behaviours of issue 22 as the official SDK's models see them (facts 1 to 5)."""
    facts = {}
    # A queue of its own, with no worker, so nothing here is offered or assigned.
    router_admin_client.upsert_queue("queue-facts", RouterQueue(distribution_policy_id="distribution-policy-1"))

    # Fact 1: worker selectors of a created classification policy and of a manualReclassify action.
    selector = RouterWorkerSelector(key="Lang", label_operator=LabelOperator.EQUAL, value="en")
    cp = router_admin_client.upsert_classification_policy(
        "cp-selectors",
        ClassificationPolicy(
            fallback_queue_id="queue-facts",
            worker_selector_attachments=[
                StaticWorkerSelectorAttachment(worker_selector=selector),
                ConditionalWorkerSelectorAttachment(
                    condition=StaticRouterRule(value=True), worker_selectors=[selector]
                ),
                WeightedAllocationWorkerSelectorAttachment(
                    allocations=[WorkerWeightedAllocation(weight=1.0, worker_selectors=[selector])]
                ),
            ],
        ),
    )
    static, conditional, weighted = cp.worker_selector_attachments
    facts["cp_selectors"] = [
        selector_facts(static.worker_selector),
        selector_facts(conditional.worker_selectors[0]),
        selector_facts(weighted.allocations[0].worker_selectors[0]),
    ]
    ep = router_admin_client.upsert_exception_policy(
        "ep-manual",
        ExceptionPolicy(
            exception_rules=[
                ExceptionRule(
                    id="slow",
                    trigger=WaitTimeExceptionTrigger(threshold_seconds=3600),
                    actions=[
                        ManualReclassifyExceptionAction(id="move", queue_id="queue-facts", worker_selectors=[selector])
                    ],
                )
            ]
        ),
    )
    facts["manual_reclassify_selector"] = selector_facts(ep.exception_rules[0].actions[0].worker_selectors[0])

    # Fact 2: bestWorker without scoring options, and with some of them.
    def scoring(policy_id, options):
        kwargs = {} if options is None else {"scoring_rule_options": options}
        mode = BestWorkerMode(scoring_rule=ExpressionRouterRule(expression="1"), **kwargs)
        dp = router_admin_client.upsert_distribution_policy(
            policy_id, DistributionPolicy(offer_expires_after_seconds=60, mode=mode)
        )
        o = dp.mode.scoring_rule_options
        return {
            "bypass_selectors": dp.mode.bypass_selectors,
            "scoring_parameters": o.scoring_parameters,
            "is_batch_scoring_enabled": o.is_batch_scoring_enabled,
            "descending_order": o.descending_order,
        }

    facts["best_worker_default"] = scoring("dp-best", None)
    facts["best_worker_partial"] = scoring("dp-best-partial", ScoringRuleOptions(descending_order=False))

    # Fact 3: a scheduled job switched to queueAndMatch answers queued in that PATCH.
    schedule_at = datetime.datetime.now(datetime.timezone.utc) + timedelta(hours=1)
    router_client.upsert_job(
        "job-scheduled",
        RouterJob(channel_id="my-channel", queue_id="queue-facts", matching_mode=ScheduleAndSuspendMode(schedule_at=schedule_at)),
    )
    poll_status(router_client, "job-scheduled", "scheduled")
    switched = router_client.upsert_job("job-scheduled", matching_mode=QueueAndMatchMode())
    facts["scheduled_to_queue_and_match"] = switched.status

    # Fact 4: updating a queued job that has a classification policy (as test_update_job_w_cp and
    # test_update_job_w_cp_w_kwargs do) answers pendingClassification.
    router_admin_client.upsert_classification_policy(
        "cp-facts",
        ClassificationPolicy(
            fallback_queue_id="queue-facts",
            queue_selector_attachments=[
                StaticQueueSelectorAttachment(
                    queue_selector=RouterQueueSelector(key="Id", label_operator=LabelOperator.EQUAL, value="queue-facts")
                )
            ],
            prioritization_rule=StaticRouterRule(value=10),
        ),
    )
    updates = []
    for job_id, whole in (("job-cp", True), ("job-cp-kwargs", False)):
        router_job = router_client.upsert_job(
            job_id,
            RouterJob(channel_id="my-channel", classification_policy_id="cp-facts", labels={"key1": "JobKey"}),
        )
        poll_status(router_client, job_id, "queued")
        labels = dict(router_job.labels)
        labels["FakeKey"] = "FakeWorkerValue"
        if whole:
            router_job.labels = labels
            updated = router_client.upsert_job(job_id, router_job)
        else:
            updated = router_client.upsert_job(job_id, labels=labels)
        updates.append(updated.status)
        poll_status(router_client, job_id, "queued")
    facts["update_w_cp"] = updates

    # Fact 5: deleting a worker that no longer exists answers 204 (the SDK raises ResourceNotFoundError on 404).
    router_client.upsert_worker("worker-gone", RouterWorker(capacity=1, queues=["queue-facts"]))
    router_client.delete_worker("worker-gone")
    router_client.delete_worker("worker-gone")
    facts["second_worker_delete"] = "no error"
    step("service facts", **facts)
    return facts


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"WEBHOOK_URL=http://127.0.0.1:{server.server_address[1]}/events", flush=True)

    settings = {}
    while len(settings) < 2:
        line = sys.stdin.readline()
        if not line:
            raise SystemExit("stdin closed before JOBROUTER_CONNECTION_STRING and JOBROUTER_CA_CERT arrived")
        key, _, value = line.strip().partition("=")
        if key in ("JOBROUTER_CONNECTION_STRING", "JOBROUTER_CA_CERT"):
            settings[key] = value
    # Trust the emulator's certificate the way any Python program would: through the environment.
    os.environ["REQUESTS_CA_BUNDLE"] = settings["JOBROUTER_CA_CERT"]
    os.environ["SSL_CERT_FILE"] = settings["JOBROUTER_CA_CERT"]
    connection_string = settings["JOBROUTER_CONNECTION_STRING"]
    assert connection_string.startswith("endpoint=https://"), connection_string

    # ---- the README's walkthrough, unchanged in its calls
    router_client = JobRouterClient.from_connection_string(conn_str=connection_string)
    router_admin_client = JobRouterAdministrationClient.from_connection_string(conn_str=connection_string)

    distribution_policy = DistributionPolicy(
        offer_expires_after_seconds=24 * 60 * 60,
        mode=LongestIdleMode(min_concurrent_offers=1, max_concurrent_offers=1),
    )
    distribution_policy = router_admin_client.upsert_distribution_policy("distribution-policy-1", distribution_policy)
    step("distribution policy", id=distribution_policy.id, mode=distribution_policy.mode.as_dict())

    queue_ = router_admin_client.upsert_queue("queue-1", RouterQueue(distribution_policy_id="distribution-policy-1"))
    step("queue", id=queue_.id, labels=queue_.labels)

    def submit(job_id):
        # The README's prose: a worker selector requiring the label Some-Skill greater than 10.
        router_job = RouterJob(
            channel_id="my-channel",
            queue_id="queue-1",
            channel_reference="12345",
            priority=1,
            requested_worker_selectors=[
                RouterWorkerSelector(key="Some-Skill", label_operator=LabelOperator.GREATER_THAN, value=10)
            ],
        )
        job = router_client.upsert_job(job_id, router_job)
        step("job", id=job.id, status=job.status, selectors=[s.as_dict() for s in job.requested_worker_selectors])
        return job

    created = submit("jobId-1")

    router_worker = RouterWorker(
        capacity=1,
        queues=["queue-1"],
        labels={"Some-Skill": 11},
        channels=[RouterChannel(channel_id="my-channel", capacity_cost_per_job=1)],
        available_for_offers=True,
    )
    worker = router_client.upsert_worker("worker-1", router_worker)
    step("worker", id=worker.id, state=worker.state)

    def offer_for(job_id):
        event = offer_event(job_id)
        router_worker = router_client.get_worker(worker_id="worker-1")
        job_offer = [offer for offer in router_worker.offers if offer.job_id == job_id][0]
        assert job_offer.offer_id == event.data["offerId"], (job_offer.offer_id, event.data)
        step("offer", job=job_id, offer=job_offer.offer_id, event=event.event_type, load_ratio=router_worker.load_ratio)
        return job_offer, router_worker

    job_offer, router_worker = offer_for("jobId-1")
    accept = router_client.accept_job_offer(worker_id="worker-1", offer_id=job_offer.offer_id)
    assigned = router_client.get_job(job_id="jobId-1")
    assert assigned.status == "assigned" and accept.assignment_id in assigned.assignments, assigned
    step("accept", assignment=accept.assignment_id, status=assigned.status)

    router_client.complete_job(
        "jobId-1",
        accept.assignment_id,
        CompleteJobOptions(note=f"Job has been completed by {router_worker.id} at {datetime.datetime.utcnow()}"),
    )
    step("complete", status=router_client.get_job(job_id="jobId-1").status)

    router_client.close_job(
        "jobId-1",
        accept.assignment_id,
        CloseJobOptions(note=f"Job has been closed by {router_worker.id} at {datetime.datetime.utcnow()}"),
    )
    closed = router_client.get_job(job_id="jobId-1")
    step("close", status=closed.status, disposition_code=closed.disposition_code)

    # ---- close with close_at: a second job through the same worker (its capacity is free again)
    submit("jobId-2")
    job_offer, router_worker = offer_for("jobId-2")
    accept = router_client.accept_job_offer(worker_id="worker-1", offer_id=job_offer.offer_id)
    router_client.complete_job("jobId-2", accept.assignment_id, CompleteJobOptions(note="done"))
    close_at = datetime.datetime.utcnow() + timedelta(seconds=2)
    router_client.close_job(
        "jobId-2",
        accept.assignment_id,
        CloseJobOptions(note=f"Job has been closed by {router_worker.id} at {datetime.datetime.utcnow()}", close_at=close_at),
    )
    before = router_client.get_job(job_id="jobId-2").status
    deadline = time.monotonic() + WAIT_SECONDS
    after = before
    while after != "closed" and time.monotonic() < deadline:
        time.sleep(0.25)
        after = router_client.get_job(job_id="jobId-2").status
    step("close_at", before=before, after=after)

    facts = service_facts(router_client, router_admin_client)

    print(
        "RESULT "
        + json.dumps(
            {
                "facts": facts,
                "created_status": created.status,
                "job1": closed.status,
                "job1_disposition": closed.disposition_code,
                "job2_before_close_at": before,
                "job2_after_close_at": after,
            }
        ),
        flush=True,
    )
    server.shutdown()


if __name__ == "__main__":
    main()
