/**
 * The SSM Parameter Store port. Values are secrets unless proven otherwise: never log them.
 * Errors: NotFoundError (ParameterNotFound), AlreadyExistsError (put without overwrite on an
 * existing name: how the scale-down lease is taken), RateLimitedError, TransientError.
 */

export interface Parameter {
  readonly name: string;
  readonly value: string;
  readonly version: number;
  readonly lastModifiedMs: number;
}

/** A parameter's name and age, without its value: what housekeeping needs, with no decryption. */
export interface ParameterInfo {
  readonly name: string;
  readonly lastModifiedMs: number;
}

export interface PutParameterRequest {
  readonly name: string;
  readonly value: string;
  readonly type: 'String' | 'SecureString';
  /** Without overwrite, PutParameter fails with AlreadyExistsError when the name exists. */
  readonly overwrite: boolean;
  readonly description?: string;
  /**
   * Tags of a new parameter (IAM conditions read them: `ssm:ResourceTag/<key>`). SSM refuses tags
   * together with overwrite, so a put with tags must have `overwrite: false`.
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface SsmPort {
  /** Decrypted. */
  getParameter(name: string): Promise<Parameter>;
  /** Decrypted; names that do not exist are left out of the result. */
  getParameters(names: readonly string[]): Promise<Parameter[]>;
  putParameter(request: PutParameterRequest): Promise<{ version: number }>;
  /** NotFoundError when it does not exist. */
  deleteParameter(name: string): Promise<void>;
  /** Names and times below `path` (recursive, all pages), never decrypted: values are not read. */
  listParameters(path: string): Promise<ParameterInfo[]>;
}
