export { AwsHttpFacade, AwsWireError, type FacadeCall, type FacadeOptions } from './http.js';
export { Ec2Facade } from './ec2-facade.js';
export { SsmFacade } from './ssm-facade.js';
export { SqsFacade } from './sqs-facade.js';
