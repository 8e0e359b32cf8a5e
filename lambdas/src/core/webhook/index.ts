export { recentIds, type Dedup } from './dedup.js';
export { recordJobEvidence, shouldWriteEvidence, type EvidenceOutcome } from './evidence.js';
export * from './http.js';
export {
  architectureOf,
  defaultLabels,
  matchPool,
  poolServesLabels,
  poolServesRepository,
  runnerLabels,
} from './labels.js';
export { workflowJobPayloadSchema, type WorkflowJobPayload } from './payload.js';
export { webhookSecretSource } from './secret.js';
export { signBody, verifySignature } from './signature.js';
export { handleWebhook, type WebhookContext, type WebhookDeps } from './webhook.js';
