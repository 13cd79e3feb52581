#!/usr/bin/python3
"""A sendblue-groups producer in Python: validates a send_group_message against the published
JSON Schema (schemas/command.json) and puts it on the command queue, with the FIFO MessageGroupId
and MessageDeduplicationId the contract asks for. Prints the command_id (follow it with
GET /commands/{command_id}).

Uses Debian's packages only: apt-get install python3-boto3 python3-jsonschema

    examples/python/producer.py --to +15551230001,+15551230002 "Hello group"
    examples/python/producer.py --group sb_group_123 --media https://cdn.example.com/a.png
    SANDBOX_SQS_PORT=9400 examples/python/producer.py --to +15551230001 "Hi"

Where it sends (the sandbox's queue unless told otherwise):
    --queue-url / COMMAND_QUEUE_URL   the queue's URL (in AWS: the stack's CommandQueueUrl output)
    --queue-name / COMMAND_QUEUE_NAME  looked up with GetQueueUrl when no URL is given
                                       (default sendblue-group-commands.fifo)
    --endpoint / SQS_ENDPOINT          default http://127.0.0.1:$SANDBOX_SQS_PORT (9324); "aws" for AWS
    --region / AWS_REGION              default us-east-1
Against the sandbox any credentials do (sandbox/sandbox are used when none are set); in AWS,
boto3's usual credential chain applies.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import sys
import uuid
from pathlib import Path

import boto3
from jsonschema import Draft202012Validator

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "command.json"
SANDBOX_QUEUE_NAME = "sendblue-group-commands.fifo"
# An SQS id (MessageGroupId, MessageDeduplicationId) and a command_id: 1-128 printable ASCII, no spaces.
SQS_ID = re.compile(r"[\x21-\x7E]{1,128}")


def sqs_id(value, prefix):
    """The value when SQS takes it as an id, else a hash of it (lambdas/sending/fifo-group.ts)."""
    if SQS_ID.fullmatch(value):
        return value
    digest = base64.urlsafe_b64encode(hashlib.sha256(value.encode("utf-8")).digest()).rstrip(b"=")
    return f"{prefix}-{digest.decode('ascii')}"


def message_group_id(command):
    """The group's commands run in order: its group_id, or for a new group its sorted numbers."""
    if command.get("group_id"):
        return sqs_id(command["group_id"], "group")
    return sqs_id(",".join(sorted(command.get("numbers", []))), "numbers")


def build_command(args):
    command = {"type": "send_group_message", "command_id": args.id or str(uuid.uuid4())}
    if args.group:
        command["group_id"] = args.group
    if args.to:
        command["numbers"] = [number.strip() for number in args.to.split(",")]
    optional = {
        "content": " ".join(args.text) if args.text else None,
        "media_url": args.media,
        "send_style": args.style,
        "from_number": args.from_number,
        "status_callback": args.callback,
    }
    command.update({key: value for key, value in optional.items() if value is not None})
    return command


def problems(command, schema_path):
    """What is wrong, field by field. command.json is a oneOf of the command types: the errors worth
    showing are those of the branch whose type matched, not "is not valid under any of the given schemas"."""
    with open(schema_path, encoding="utf-8") as schema_file:
        validator = Draft202012Validator(json.load(schema_file))
    found = []
    for error in validator.iter_errors(command):
        branches = {}
        for sub in error.context or []:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        own = [errors for errors in branches.values() if not any(list(e.path) == ["type"] for e in errors)]
        found.extend(own[0] if len(own) == 1 else [error])
    return sorted(
        {f"{'/'.join(str(part) for part in e.absolute_path) or '(body)'}: {e.message}" for e in found}
    )


def sqs_client(args):
    endpoint = args.endpoint or os.environ.get("SQS_ENDPOINT")
    if not endpoint:
        endpoint = f"http://127.0.0.1:{os.environ.get('SANDBOX_SQS_PORT') or 9324}"
    options = {"region_name": args.region or os.environ.get("AWS_REGION") or "us-east-1"}
    if endpoint != "aws":
        options["endpoint_url"] = endpoint
        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            options.update(aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    return boto3.client("sqs", **options)


def main():
    parser = argparse.ArgumentParser(description="Queue a send_group_message (sendblue-groups).")
    parser.add_argument("text", nargs="*", help="the message text")
    parser.add_argument("--to", help="new group: comma-separated E.164 numbers")
    parser.add_argument("--group", help="an existing group's group_id")
    parser.add_argument("--media", help="media_url (https, ending in a file extension)")
    parser.add_argument("--style", help="send_style (confetti, slam, ...)")
    parser.add_argument("--from", dest="from_number", help="the Sendblue line to send from")
    parser.add_argument("--callback", help="your own status_callback URL")
    parser.add_argument("--id", help="command_id (default: a new UUID)")
    parser.add_argument("--queue-url", default=os.environ.get("COMMAND_QUEUE_URL"))
    parser.add_argument("--queue-name", default=os.environ.get("COMMAND_QUEUE_NAME") or SANDBOX_QUEUE_NAME)
    parser.add_argument("--endpoint", help='SQS endpoint; "aws" for AWS itself')
    parser.add_argument("--region")
    parser.add_argument("--schema", default=os.environ.get("COMMAND_SCHEMA") or str(SCHEMA))
    args = parser.parse_args()

    command = build_command(args)
    found = problems(command, args.schema)
    if found:
        print("not sent: the command does not match schemas/command.json:", file=sys.stderr)
        for problem in found:
            print(f"  {problem}", file=sys.stderr)
        return 2

    sqs = sqs_client(args)
    queue_url = args.queue_url or sqs.get_queue_url(QueueName=args.queue_name)["QueueUrl"]
    group = message_group_id(command)
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(command, ensure_ascii=False),
        MessageGroupId=group,
        # The command_id: SQS drops a repeat within 5 minutes; the sender's ledger after that.
        MessageDeduplicationId=command["command_id"],
    )
    print(f"queued {command['type']} on {queue_url} (MessageGroupId {group})", file=sys.stderr)
    print(command["command_id"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
