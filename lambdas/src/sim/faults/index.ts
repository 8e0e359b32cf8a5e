export { faultClass, faultScenarioNames, PROTOCOL_CRASHES, type FaultClass } from './catalog.js';
export { runFaultClass, runFaultMatrix, type FaultMatrixOptions, type FaultMatrixRow } from './matrix.js';
export { runFaultSimulation, type FaultRunResult } from './run.js';
