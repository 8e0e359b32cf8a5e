export { ImdsFacade, type ImdsFacadeOptions, type TagSource } from './imds-facade.js';
