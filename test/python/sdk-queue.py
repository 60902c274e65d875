"""Makes a Job Router queue with the official Python SDK (azure-communication-jobrouter 1.0.0), as an application
outside Pulumi would; test/e2e/native-provider.test.ts then brings it under a Python program's stack with
`pulumi import`.

Usage: python sdk-queue.py <queue id> <name> <distribution policy id> <labels as JSON>
Environment: JOBROUTER_CONNECTION_STRING (https: the SDK's from_connection_string always dials https), and
REQUESTS_CA_BUNDLE / SSL_CERT_FILE naming the emulator's certificate (its JOBROUTER_CA_CERT).
Prints the queue the service returned (the SDK model's as_dict) as one JSON line.
"""

import json
import os
import sys

from azure.communication.jobrouter import JobRouterAdministrationClient
from azure.communication.jobrouter.models import RouterQueue


def main():
    queue_id, name, policy_id, labels = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    client = JobRouterAdministrationClient.from_connection_string(conn_str=os.environ["JOBROUTER_CONNECTION_STRING"])
    queue = client.upsert_queue(queue_id, RouterQueue(name=name, distribution_policy_id=policy_id, labels=labels))
    print(json.dumps(queue.as_dict()), flush=True)


if __name__ == "__main__":
    main()
