/**
 * EC2 Query API facade (`POST /`, form body `Action=…&Version=2016-11-15`, XML answers) over any
 * Ec2Port backend: the in-memory one, or the simulator's world. Errors are EC2 XML error documents
 * (`<Response><Errors><Error><Code>…`) with EC2's HTTP statuses, so the real SDK raises the same codes.
 */
import type {
  CreateFleetRequest,
  Ec2Port,
  FleetInstance,
  InstanceFilter,
  InstanceState,
} from '../../../ports/index.js';
import {
  AwsHttpFacade,
  AwsWireError,
  toWireError,
  type FacadeOptions,
  type FacadeRequest,
  type FacadeResponse,
} from './http.js';
import {
  filters,
  indices,
  instanceXml,
  integer,
  invalid,
  list,
  matchesFilters,
  parseForm,
  required,
  reservationXml,
  stateXml,
  tagsAt,
  type Params,
  type QueryFilter,
} from './ec2-query.js';
import { document, el, escapeXml, items, text } from './xml.js';

const WIRE = {
  notFound: ['InvalidInstanceID.NotFound', 400],
  alreadyExists: ['InvalidParameterValue', 400],
  rateLimited: ['RequestLimitExceeded', 503],
  capacity: ['InsufficientInstanceCapacity', 500],
  transient: ['InternalError', 500],
  invalid: ['InvalidParameterValue', 400],
} as const;

const STATES: readonly InstanceState[] = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];

const REQUEST_ID = text('requestId', '00000000-0000-0000-0000-000000000000');

function ok(root: string, ...children: string[]): FacadeResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: document(root, REQUEST_ID, ...children),
  };
}

/** The part of EC2 filters the port can express exactly; matchesFilters applies the rest. */
function portFilter(all: readonly QueryFilter[], instanceIds: readonly string[]): InstanceFilter {
  const tags: Record<string, string> = {};
  const tagKeys: string[] = [];
  let states: InstanceFilter['states'];
  let ids: string[] | undefined = instanceIds.length > 0 ? [...instanceIds] : undefined;
  for (const { name, values } of all) {
    const single = values.length === 1 ? values[0] : undefined;
    if (name.startsWith('tag:') && single !== undefined) tags[name.slice(4)] = single;
    if (name === 'tag-key' && single !== undefined) tagKeys.push(single);
    if (name === 'instance-id') ids = ids === undefined ? [...values] : ids.filter((id) => values.includes(id));
    if (name === 'instance-state-name') {
      const allowed = STATES.filter((s) => values.includes(s));
      states = states === undefined ? allowed : states.filter((s) => allowed.includes(s));
    }
  }
  return {
    tags,
    tagKeys,
    ...(states === undefined ? {} : { states }),
    ...(ids === undefined ? {} : { instanceIds: ids }),
  };
}

export class Ec2Facade extends AwsHttpFacade {
  constructor(
    private readonly backend: Ec2Port,
    options: FacadeOptions = {},
  ) {
    super(options);
  }

  protected actionOf(request: FacadeRequest): string {
    return parseForm(request.body).get('Action') ?? 'Unknown';
  }

  protected toWire(error: unknown): AwsWireError {
    return toWireError(error, WIRE);
  }

  protected errorResponse(error: AwsWireError): FacadeResponse {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response>` +
      el('Errors', el('Error', text('Code', error.code), text('Message', error.message))) +
      `<RequestID>${escapeXml('00000000-0000-0000-0000-000000000000')}</RequestID></Response>`;
    return { status: error.status, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
  }

  protected async handle(action: string, request: FacadeRequest): Promise<FacadeResponse> {
    const params = parseForm(request.body);
    switch (action) {
      case 'DescribeInstances':
        return this.describeInstances(params);
      case 'CreateTags':
        await this.backend.createTags(list(params, 'ResourceId'), tagsAt(params, 'Tag'));
        return ok('CreateTagsResponse', text('return', true));
      case 'DeleteTags':
        await this.backend.deleteTags(
          list(params, 'ResourceId'),
          indices(params, 'Tag').map((n) => required(params, `Tag.${n}.Key`)),
        );
        return ok('DeleteTagsResponse', text('return', true));
      case 'TerminateInstances':
        return this.terminateInstances(list(params, 'InstanceId'));
      case 'CreateFleet':
        return this.createFleet(params);
      case 'RunInstances':
        return this.runInstances(params);
      default:
        throw new AwsWireError('InvalidAction', 400, `The action ${action} is not valid for this web service.`);
    }
  }

  private async describeInstances(params: Params): Promise<FacadeResponse> {
    const instanceIds = list(params, 'InstanceId');
    const maxResults = integer(params, 'MaxResults');
    if (maxResults !== undefined && instanceIds.length > 0) {
      throw invalid(
        'The parameter instancesSet cannot be used with the parameter maxResults',
        'InvalidParameterCombination',
      );
    }
    if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) {
      throw invalid(`Value (${maxResults}) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
    }
    if (instanceIds.length > 0) {
      // Unlike the instance-id filter, the InstanceId parameter refuses unknown ids.
      const existing = await this.known(instanceIds);
      const missing = instanceIds.filter((id) => !existing.has(id));
      if (missing.length > 0) {
        throw new AwsWireError(
          'InvalidInstanceID.NotFound',
          400,
          `The instance IDs '${missing.join(', ')}' do not exist`,
        );
      }
    }
    const all = filters(params);
    const matching = (await this.backend.listInstances(portFilter(all, instanceIds))).filter((i) =>
      matchesFilters(i, all),
    );
    const start = decodeToken(params.get('NextToken'));
    const end = maxResults === undefined ? matching.length : start + maxResults;
    const page = matching.slice(start, end);
    return ok(
      'DescribeInstancesResponse',
      items('reservationSet', page, reservationXml),
      end < matching.length ? text('nextToken', encodeToken(end)) : '',
    );
  }

  private async terminateInstances(instanceIds: string[]): Promise<FacadeResponse> {
    const before = await this.known(instanceIds);
    await this.backend.terminateInstances(instanceIds);
    const after = await this.known(instanceIds);
    return ok(
      'TerminateInstancesResponse',
      items('instancesSet', instanceIds, (id) => {
        const previous = before.get(id);
        const current = after.get(id);
        return (
          text('instanceId', id) +
          (current === undefined ? '' : stateXml('currentState', current.state)) +
          (previous === undefined ? '' : stateXml('previousState', previous.state))
        );
      }),
    );
  }

  private async known(instanceIds: readonly string[]): Promise<Map<string, FleetInstance>> {
    const found = await this.backend.listInstances({ instanceIds });
    return new Map(found.map((i) => [i.instanceId, i]));
  }

  private async createFleet(params: Params): Promise<FacadeResponse> {
    if (params.get('Type') !== 'instant') throw invalid('This facade supports only CreateFleet of Type instant');
    const configs = indices(params, 'LaunchTemplateConfigs').map((n) => `LaunchTemplateConfigs.${n}`);
    const first = configs[0];
    if (first === undefined) throw invalid('LaunchTemplateConfigs is required', 'MissingParameter');
    const spec = `${first}.LaunchTemplateSpecification`;
    const overrides = configs.flatMap((c) =>
      indices(params, `${c}.Overrides`).map((m) => ({
        instanceType: required(params, `${c}.Overrides.${m}.InstanceType`),
        subnetId: required(params, `${c}.Overrides.${m}.SubnetId`),
      })),
    );
    const capacityType =
      params.get('TargetCapacitySpecification.DefaultTargetCapacityType') === 'spot' ? 'spot' : 'on-demand';
    const request: CreateFleetRequest = {
      launchTemplateName: required(params, `${spec}.LaunchTemplateName`),
      launchTemplateVersion: params.get(`${spec}.Version`),
      overrides,
      targetCapacity: integer(params, 'TargetCapacitySpecification.TotalTargetCapacity') ?? 0,
      capacityType,
      spotAllocationStrategy: params.get('SpotOptions.AllocationStrategy'),
      onDemandAllocationStrategy: params.get('OnDemandOptions.AllocationStrategy'),
      tags: instanceTags(params),
    };
    const result = await this.backend.createFleet(request);
    const launched = await this.known(result.instanceIds);
    const byType = new Map<string, string[]>();
    for (const id of result.instanceIds) {
      const type = launched.get(id)?.instanceType ?? 'unknown';
      byType.set(type, [...(byType.get(type) ?? []), id]);
    }
    return ok(
      'CreateFleetResponse',
      text('fleetId', `fleet-${(result.instanceIds[0] ?? 'none').replace(/^i-/, '')}`),
      items(
        'errorSet',
        result.errors,
        (e) => text('errorCode', e.code) + text('errorMessage', e.message) + text('lifecycle', capacityType),
      ),
      items(
        'fleetInstanceSet',
        [...byType],
        ([type, ids]) =>
          items('instanceIds', ids, (id) => escapeXml(id)) +
          text('instanceType', type) +
          text('lifecycle', capacityType),
      ),
    );
  }

  /** RunInstances as a one-override instant fleet; fewer than MinCount launched is a capacity error. */
  private async runInstances(params: Params): Promise<FacadeResponse> {
    const minCount = integer(params, 'MinCount') ?? 1;
    const maxCount = integer(params, 'MaxCount') ?? minCount;
    const result = await this.backend.createFleet({
      launchTemplateName: required(params, 'LaunchTemplate.LaunchTemplateName'),
      launchTemplateVersion: params.get('LaunchTemplate.Version'),
      overrides: [
        {
          instanceType: params.get('InstanceType') ?? 'm5.large',
          subnetId: params.get('SubnetId') ?? 'subnet-default',
        },
      ],
      targetCapacity: maxCount,
      capacityType: params.get('InstanceMarketOptions.MarketType') === 'spot' ? 'spot' : 'on-demand',
      tags: instanceTags(params),
    });
    if (result.instanceIds.length < minCount) {
      if (result.instanceIds.length > 0) await this.backend.terminateInstances(result.instanceIds);
      const reason = result.errors[0];
      throw new AwsWireError(
        reason?.code ?? 'InsufficientInstanceCapacity',
        500,
        reason?.message ?? 'Not enough capacity',
      );
    }
    const launched = await this.known(result.instanceIds);
    const instances = result.instanceIds.flatMap((id) => launched.get(id) ?? []);
    return ok(
      'RunInstancesResponse',
      text('reservationId', `r-${(result.instanceIds[0] ?? '').slice(2)}`),
      text('ownerId', '123456789012'),
      el('groupSet'),
      items('instancesSet', instances, instanceXml),
    );
  }
}

function instanceTags(params: Params): Record<string, string> {
  const n = indices(params, 'TagSpecification').find(
    (i) => params.get(`TagSpecification.${i}.ResourceType`) === 'instance',
  );
  return n === undefined ? {} : tagsAt(params, `TagSpecification.${n}.Tag`);
}

/** Tokens are offsets into the (deterministically ordered) match list; opaque to the client. */
function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalid(`Invalid NextToken`, 'InvalidParameterValue');
  return Number(match[1]);
}
