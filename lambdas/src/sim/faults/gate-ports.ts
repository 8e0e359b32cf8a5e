import type { Ec2Port, GitHubPort, Ports, RunnerOwner, SqsPort, SsmPort } from '../../ports/index.js';
import { gated, type CallGate } from '../ports/gate.js';

/**
 * Puts a crash gate in front of any ports (the HTTP door's production adapters): each call asks
 * the gate first, under the same step name the in-process door uses (`github.<METHOD> <route>`,
 * `ec2.<Action>`, `ssm.<Action>`, `sqs.<Action>`), so the crash points of `catalog.ts` hit the
 * same protocol steps through either door. A dead invocation's calls never leave the client.
 */
export function gatePorts(ports: Ports, gate: CallGate): Ports {
  return {
    github: gateGitHub(ports.github, gate),
    ec2: gateEc2(ports.ec2, gate),
    ssm: gateSsm(ports.ssm, gate),
    sqs: gateSqs(ports.sqs, gate),
    clock: ports.clock,
  };
}

function base(owner: RunnerOwner): string {
  return owner.kind === 'org' ? '/orgs/{org}' : '/repos/{owner}/{repo}';
}

function pass<T>(gate: CallGate, step: string, call: () => Promise<T>): Promise<T> {
  return gated(gate, step, () => undefined).then(call);
}

function gateGitHub(github: GitHubPort, gate: CallGate): GitHubPort {
  const runners = (owner: RunnerOwner): string => `github.{M} ${base(owner)}/actions/runners`;
  const step = (method: string, route: string): string => route.replace('{M}', method);
  return {
    listRunners: (owner) => pass(gate, step('GET', runners(owner)), () => github.listRunners(owner)),
    getRunner: (owner, id) => pass(gate, step('GET', `${runners(owner)}/{id}`), () => github.getRunner(owner, id)),
    deleteRunner: (owner, id) =>
      pass(gate, step('DELETE', `${runners(owner)}/{id}`), () => github.deleteRunner(owner, id)),
    setCustomLabels: (owner, id, labels) =>
      pass(gate, step('PUT', `${runners(owner)}/{id}/labels`), () => github.setCustomLabels(owner, id, labels)),
    removeCustomLabels: (owner, id) =>
      pass(gate, step('DELETE', `${runners(owner)}/{id}/labels`), () => github.removeCustomLabels(owner, id)),
    createRegistrationToken: (owner) =>
      pass(gate, step('POST', `${runners(owner)}/registration-token`), () => github.createRegistrationToken(owner)),
    generateJitConfig: (owner, request) =>
      pass(gate, step('POST', `${runners(owner)}/generate-jitconfig`), () => github.generateJitConfig(owner, request)),
    getJob: (repo, id) =>
      pass(gate, 'github.GET /repos/{owner}/{repo}/actions/jobs/{id}', () => github.getJob(repo, id)),
    listRunnerGroups: (org) =>
      pass(gate, 'github.GET /orgs/{org}/actions/runner-groups', () => github.listRunnerGroups(org)),
    createRunnerGroup: (org, group) =>
      pass(gate, 'github.POST /orgs/{org}/actions/runner-groups', () => github.createRunnerGroup(org, group)),
    addRunnerToGroup: (org, groupId, id) =>
      pass(gate, 'github.PUT /orgs/{org}/actions/runner-groups/{group}/runners/{id}', () =>
        github.addRunnerToGroup(org, groupId, id),
      ),
  };
}

function gateEc2(ec2: Ec2Port, gate: CallGate): Ec2Port {
  return {
    listInstances: (filter) => pass(gate, 'ec2.DescribeInstances', () => ec2.listInstances(filter)),
    createTags: (ids, tags) => pass(gate, 'ec2.CreateTags', () => ec2.createTags(ids, tags)),
    deleteTags: (ids, keys) => pass(gate, 'ec2.DeleteTags', () => ec2.deleteTags(ids, keys)),
    terminateInstances: (ids) => pass(gate, 'ec2.TerminateInstances', () => ec2.terminateInstances(ids)),
    createFleet: (request) => pass(gate, 'ec2.CreateFleet', () => ec2.createFleet(request)),
  };
}

function gateSsm(ssm: SsmPort, gate: CallGate): SsmPort {
  return {
    getParameter: (name) => pass(gate, 'ssm.GetParameter', () => ssm.getParameter(name)),
    getParameters: (names) => pass(gate, 'ssm.GetParameters', () => ssm.getParameters(names)),
    putParameter: (request) => pass(gate, 'ssm.PutParameter', () => ssm.putParameter(request)),
    deleteParameter: (name) => pass(gate, 'ssm.DeleteParameter', () => ssm.deleteParameter(name)),
    getParametersByPath: (path) => pass(gate, 'ssm.GetParametersByPath', () => ssm.getParametersByPath(path)),
  };
}

function gateSqs(sqs: SqsPort, gate: CallGate): SqsPort {
  return {
    sendMessage: (url, body, options) => pass(gate, 'sqs.SendMessage', () => sqs.sendMessage(url, body, options)),
    receiveMessages: (url, options) => pass(gate, 'sqs.ReceiveMessage', () => sqs.receiveMessages(url, options)),
    deleteMessage: (url, handle) => pass(gate, 'sqs.DeleteMessage', () => sqs.deleteMessage(url, handle)),
    getQueueDepth: (url) => pass(gate, 'sqs.GetQueueAttributes', () => sqs.getQueueDepth(url)),
  };
}
