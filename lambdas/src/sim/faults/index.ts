export { faultClass, faultScenarioNames, PROTOCOL_CRASHES, type FaultClass } from './catalog.js';
export { gatePorts } from './gate-ports.js';
export { runFaultClass, runFaultMatrix, type FaultMatrixOptions, type FaultMatrixRow } from './matrix.js';
export { inProcessDoor, runFaultSimulation, type FaultDoor, type FaultRunResult, type OpenDoor } from './run.js';
export type { CrashSpec, InvocationWrapper, OverlapSpec, PortsFactory } from './schedule.js';
export { httpFaultDoor } from './http-door.js';
