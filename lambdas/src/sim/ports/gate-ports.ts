import type { Ec2Port, GitHubPort, Ports, RunnerOwner, SqsPort, SsmPort } from '../../ports/index.js';
import { gated, type CallGate } from './gate.js';

/**
 * Puts a crash gate in front of any ports (the HTTP door's production adapters): each call asks
 * the gate first, under the same step name the in-process door uses (`github.<METHOD> <route>`,
 * `ec2.<Action>`, `ssm.<Action>`, `sqs.<Action>`), so the crash points of `catalog.ts` hit the
 * same protocol steps through either door. A dead invocation's calls never leave the client.
 */
export function gatePorts(ports: Ports, gate: CallGate, hang?: () => Promise<never>): Ports {
  // How a dead invocation's call hangs: forever by default; the HTTP door parks it on virtual
  // time instead, so its quiescence does not wait for a Lambda that will never answer.
  const pass: Pass = hang
    ? (step, call) => (gate.crashed(step) ? hang() : call())
    : (step, call) => gated(gate, step, () => undefined).then(call);
  return {
    github: gateGitHub(ports.github, pass),
    ec2: gateEc2(ports.ec2, pass),
    ssm: gateSsm(ports.ssm, pass),
    sqs: gateSqs(ports.sqs, pass),
    clock: ports.clock,
  };
}

function base(owner: RunnerOwner): string {
  return owner.kind === 'org' ? '/orgs/{org}' : '/repos/{owner}/{repo}';
}

type Pass = <T>(step: string, call: () => Promise<T>) => Promise<T>;

function gateGitHub(github: GitHubPort, pass: Pass): GitHubPort {
  const runners = (owner: RunnerOwner): string => `github.{M} ${base(owner)}/actions/runners`;
  const step = (method: string, route: string): string => route.replace('{M}', method);
  return {
    listRunners: (owner) => pass(step('GET', runners(owner)), () => github.listRunners(owner)),
    getRunner: (owner, id) => pass(step('GET', `${runners(owner)}/{id}`), () => github.getRunner(owner, id)),
    deleteRunner: (owner, id) => pass(step('DELETE', `${runners(owner)}/{id}`), () => github.deleteRunner(owner, id)),
    setCustomLabels: (owner, id, labels) =>
      pass(step('PUT', `${runners(owner)}/{id}/labels`), () => github.setCustomLabels(owner, id, labels)),
    removeCustomLabels: (owner, id) =>
      pass(step('DELETE', `${runners(owner)}/{id}/labels`), () => github.removeCustomLabels(owner, id)),
    createRegistrationToken: (owner) =>
      pass(step('POST', `${runners(owner)}/registration-token`), () => github.createRegistrationToken(owner)),
    generateJitConfig: (owner, request) =>
      pass(step('POST', `${runners(owner)}/generate-jitconfig`), () => github.generateJitConfig(owner, request)),
    getJob: (repo, id) => pass('github.GET /repos/{owner}/{repo}/actions/jobs/{id}', () => github.getJob(repo, id)),
    latestJobIds: (repo, runId) =>
      pass('github.GET /repos/{owner}/{repo}/actions/runs/{id}/jobs', () => github.latestJobIds(repo, runId)),
    rerunJob: (repo, id) =>
      pass('github.POST /repos/{owner}/{repo}/actions/jobs/{id}/rerun', () => github.rerunJob(repo, id)),
    listRunnerGroups: (org) => pass('github.GET /orgs/{org}/actions/runner-groups', () => github.listRunnerGroups(org)),
    createRunnerGroup: (org, group) =>
      pass('github.POST /orgs/{org}/actions/runner-groups', () => github.createRunnerGroup(org, group)),
    addRunnerToGroup: (org, groupId, id) =>
      pass('github.PUT /orgs/{org}/actions/runner-groups/{group}/runners/{id}', () =>
        github.addRunnerToGroup(org, groupId, id),
      ),
  };
}

function gateEc2(ec2: Ec2Port, pass: Pass): Ec2Port {
  return {
    listInstances: (filter) => pass('ec2.DescribeInstances', () => ec2.listInstances(filter)),
    createTags: (ids, tags) => pass('ec2.CreateTags', () => ec2.createTags(ids, tags)),
    deleteTags: (ids, keys) => pass('ec2.DeleteTags', () => ec2.deleteTags(ids, keys)),
    terminateInstances: (ids) => pass('ec2.TerminateInstances', () => ec2.terminateInstances(ids)),
    createFleet: (request) => pass('ec2.CreateFleet', () => ec2.createFleet(request)),
  };
}

function gateSsm(ssm: SsmPort, pass: Pass): SsmPort {
  return {
    getParameter: (name) => pass('ssm.GetParameter', () => ssm.getParameter(name)),
    getParameters: (names) => pass('ssm.GetParameters', () => ssm.getParameters(names)),
    putParameter: (request) => pass('ssm.PutParameter', () => ssm.putParameter(request)),
    deleteParameter: (name) => pass('ssm.DeleteParameter', () => ssm.deleteParameter(name)),
    listParameters: (path) => pass('ssm.GetParametersByPath', () => ssm.listParameters(path)),
  };
}

function gateSqs(sqs: SqsPort, pass: Pass): SqsPort {
  return {
    sendMessage: (url, body, options) => pass('sqs.SendMessage', () => sqs.sendMessage(url, body, options)),
    receiveMessages: (url, options) => pass('sqs.ReceiveMessage', () => sqs.receiveMessages(url, options)),
    deleteMessage: (url, handle) => pass('sqs.DeleteMessage', () => sqs.deleteMessage(url, handle)),
    getQueueDepth: (url) => pass('sqs.GetQueueAttributes', () => sqs.getQueueDepth(url)),
  };
}
