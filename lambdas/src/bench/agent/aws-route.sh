#!/usr/bin/env bash
# Test helper: runs the real AWS CLI against the simulator's facades. The CLI (v1 here) does not
# honour AWS_ENDPOINT_URL_SQS, so each call gets --endpoint-url for the service it names.
set -euo pipefail
endpoint=''
for arg in "$@"; do
  case $arg in
    ec2) endpoint=$GHR_TEST_EC2_URL; break ;;
    ssm) endpoint=$GHR_TEST_SSM_URL; break ;;
    sqs) endpoint=$GHR_TEST_SQS_URL; break ;;
  esac
done
[[ -n $endpoint ]] || { echo "aws-route: no known service in: $*" >&2; exit 252; }
exec aws --endpoint-url "$endpoint" "$@"
