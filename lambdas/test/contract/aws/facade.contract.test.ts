import { describeEc2Contract } from '../../support/ec2-contract.js';
import { describeSqsContract } from '../../support/sqs-contract.js';
import { describeSsmContract } from '../../support/ssm-contract.js';
import { facadeEc2, facadeSqs, facadeSsm } from './harness.js';

describeEc2Contract('SDK adapter → EC2 Query facade → in-memory', facadeEc2);
describeSsmContract('SDK adapter → SSM JSON 1.1 facade → in-memory', facadeSsm);
describeSqsContract('SDK adapter → SQS JSON 1.0 facade → in-memory', facadeSqs);
